import CLibXML2
import Foundation

/// Parses untrusted HTML with libxml2's HTML parser and copies the result into ``HTMLNode`` values.
public enum HTMLParser {
    /// Elements nested deeper than this are flattened into their text, so that hostile nesting cannot exhaust
    /// the stack of the tree walks that follow.
    static let maxDepth = 128

    /// HTML5's void elements (WHATWG HTML §13.1.2): they never have content.
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
    ]

    private static let initialised: Bool = {
        nlxml_init()
        return true
    }()

    /// Parses `html` as the body of a document and returns the body's children.
    ///
    /// The input is always read as UTF-8 (a `<meta charset>` inside an article cannot switch codecs), errors are
    /// recovered from silently, and no network access is allowed. HTML5's named character references are decoded
    /// (libxml2 knows HTML 4's only), and HTML5's void elements keep their siblings (libxml2 makes the next nodes
    /// children of the `<embed>` or `<source>` it does not know to be empty).
    public static func parseFragment(_ html: String) -> [HTMLNode] {
        _ = initialised
        nlxml_init()  // The silent error handler is per thread.
        guard !html.isEmpty else { return [] }
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue) | Int32(XML_PARSE_HUGE.rawValue)
        // HTML5's named references (`&colon;`) become numeric ones, which libxml2 decodes as a browser would.
        var utf8 = HTMLCharacterReferences.numeric(Array(html.utf8))
        // A leading text node would otherwise be dropped by the parser's implied-<p> rules in some cases;
        // wrapping in <body> keeps everything in one place.
        utf8.insert(contentsOf: Array("<html><body>".utf8), at: 0)
        let document = utf8.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                htmlReadMemory(pointer, Int32(buffer.count), "about:blank", "UTF-8", options)
            }
        }
        guard let document else { return [] }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { return [] }
        guard let body = findBody(root) else { return convertChildren(of: root, depth: 0) }
        return convertChildren(of: body, depth: 0)
    }

    private static func findBody(_ node: xmlNodePtr) -> xmlNodePtr? {
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE, name(of: current) == "body" { return current }
            child = current.pointee.next
        }
        return nil
    }

    private static func name(of node: xmlNodePtr) -> String {
        guard let name = node.pointee.name else { return "" }
        return String(cString: name).lowercased()
    }

    private static func convertChildren(of node: xmlNodePtr, depth: Int) -> [HTMLNode] {
        var nodes: [HTMLNode] = []
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                if depth >= maxDepth {
                    nodes.append(.text(visibleText(of: current)))
                } else if voidElements.contains(name(of: current)) {
                    // An empty element never has children: what libxml2 put inside it follows it.
                    nodes.append(.element(HTMLElement(name: name(of: current), attributes: attributes(of: current), children: [])))
                    for child in convertChildren(of: current, depth: depth + 1) {
                        if case .text(let text) = child, case .text(let previous)? = nodes.last {
                            nodes[nodes.count - 1] = .text(previous + text)
                        } else {
                            nodes.append(child)
                        }
                    }
                } else {
                    nodes.append(.element(HTMLElement(
                        name: name(of: current), attributes: attributes(of: current),
                        children: convertChildren(of: current, depth: depth + 1))))
                }
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content {
                    let text = String(cString: content)
                    if case .text(let previous)? = nodes.last {
                        nodes[nodes.count - 1] = .text(previous + text)
                    } else {
                        nodes.append(.text(text))
                    }
                }
            default:
                break  // Comments, processing instructions, DTD nodes: never shown.
            }
            child = current.pointee.next
        }
        return nodes
    }

    private static func attributes(of node: xmlNodePtr) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var property = node.pointee.properties
        while let attribute = property {
            if let rawName = attribute.pointee.name {
                var value = ""
                var child = attribute.pointee.children
                while let text = child {
                    if let content = text.pointee.content { value += String(cString: content) }
                    child = text.pointee.next
                }
                result.append((String(cString: rawName).lowercased(), value))
            }
            property = attribute.pointee.next
        }
        return result
    }

    /// The text below `node`, skipping the content of elements the sanitiser drops whole (scripts, styles,
    /// frames, custom elements). Iterative, so that hostile nesting cannot exhaust the stack.
    private static func visibleText(of node: xmlNodePtr) -> String {
        var text = ""
        var stack: [xmlNodePtr] = [node]
        while let current = stack.popLast() {
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            case XML_ELEMENT_NODE:
                let tag = name(of: current)
                if HTMLSanitizer.droppedTags.contains(tag) || tag.contains("-") { continue }
                var children: [xmlNodePtr] = []
                var child = current.pointee.children
                while let next = child {
                    children.append(next)
                    child = next.pointee.next
                }
                stack.append(contentsOf: children.reversed())
            default:
                break
            }
        }
        return text
    }
}
