import Foundation

/// Cleans untrusted article HTML: removes boilerplate, then keeps only an allow-list of harmless markup.
///
/// What survives: the tags in ``allowedTags`` with the attributes in ``allowedAttributes``; URLs only when they
/// resolve (against the article's URL) to http, https or, for links, mailto. Scripts, styles, frames, objects,
/// forms, `meta`, `base` and custom elements go with their content; every other unknown tag is unwrapped, keeping
/// its text. Event attributes, `style`, `class` and `id` never survive. Images of 2 pixels or less (tracking
/// pixels) and links with nothing to click are removed, and so are containers left empty.
public struct HTMLSanitizer {
    let rules: BoilerplateRules
    let textBlockPatterns: [NSRegularExpression]

    /// Tags kept as they are.
    public static let allowedTags: Set<String> = [
        "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
        "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
        "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong",
        "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "wbr",
    ]

    /// Tags removed together with everything inside them.
    public static let droppedTags: Set<String> = [
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
        "select", "textarea", "option", "optgroup", "meta", "base", "link", "head", "title", "noscript", "template",
        "svg", "math", "audio", "video", "canvas", "map", "area", "param", "source", "track", "dialog", "portal",
        "noembed", "noframes", "xmp", "plaintext", "slot",
    ]

    /// Sectioning tags that become a plain `div`, so their block structure survives.
    static let blockAliases: Set<String> = ["section", "article", "header", "footer", "main", "aside", "nav", "center", "address", "hgroup", "details", "summary"]

    /// Attributes kept on every allowed tag.
    static let globalAttributes: Set<String> = ["title", "lang", "dir"]

    /// Attributes kept per tag, beyond the global ones.
    public static let allowedAttributes: [String: Set<String>] = [
        "a": ["href"], "img": ["src", "alt", "width", "height"], "td": ["colspan", "rowspan"], "th": ["colspan", "rowspan"],
        "ol": ["start"], "blockquote": ["cite"], "q": ["cite"], "del": ["cite"], "ins": ["cite"], "time": ["datetime"],
        "col": ["span"], "colgroup": ["span"],
    ]

    static let voidTags: Set<String> = ["br", "hr", "img", "wbr", "col"]
    /// Block elements that text-block rules may remove; an inline `<strong>Share</strong>` in a sentence stays.
    static let textBlockTags: Set<String> = ["div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figure", "figcaption", "dd", "dt", "td"]
    static let urlAttributes: Set<String> = ["href", "src", "cite"]

    public init(rules: BoilerplateRules) {
        self.rules = rules
        self.textBlockPatterns = rules.textBlocks.compactMap { try? NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }
    }

    /// Removes boilerplate and sanitises `nodes`; relative URLs resolve against `base`.
    public func clean(_ nodes: [HTMLNode], base: URL?) -> [HTMLNode] {
        var tree = removeSelected(nodes)
        if rules.cutAfterLastRule { tree = cutAfterLastRule(tree) }
        tree = sanitize(tree, base: base)
        tree = removeTextBlocks(tree)
        return tree
    }

    // MARK: Boilerplate

    func removeSelected(_ nodes: [HTMLNode]) -> [HTMLNode] {
        nodes.compactMap { node in
            guard case .element(var element) = node else { return node }
            if rules.selectors.contains(where: { $0.matches(element) }) { return nil }
            element.children = removeSelected(element.children)
            return .element(element)
        }
    }

    func cutAfterLastRule(_ nodes: [HTMLNode]) -> [HTMLNode] {
        let rules = countRules(nodes)
        guard rules > 0 else { return nodes }
        var seen = 0
        var cut = false
        let kept = truncate(nodes, atRule: rules, seen: &seen, cut: &cut)
        let total = nodes.reduce(0) { $0 + visibleLength($1.textContent) }
        let remaining = kept.reduce(0) { $0 + visibleLength($1.textContent) }
        return total - remaining <= self.rules.maxFooterCharacters ? kept : nodes
    }

    private func visibleLength(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.properties.isWhitespace ? 0 : 1) }
    }

    private func countRules(_ nodes: [HTMLNode]) -> Int {
        nodes.reduce(0) { count, node in
            guard case .element(let element) = node else { return count }
            return count + (element.name == "hr" ? 1 : 0) + countRules(element.children)
        }
    }

    private func truncate(_ nodes: [HTMLNode], atRule target: Int, seen: inout Int, cut: inout Bool) -> [HTMLNode] {
        var kept: [HTMLNode] = []
        for node in nodes {
            if cut { break }
            guard case .element(var element) = node else {
                kept.append(node)
                continue
            }
            if element.name == "hr" {
                seen += 1
                if seen == target {
                    cut = true
                    break
                }
                kept.append(node)
                continue
            }
            element.children = truncate(element.children, atRule: target, seen: &seen, cut: &cut)
            kept.append(.element(element))
        }
        return kept
    }

    func removeTextBlocks(_ nodes: [HTMLNode]) -> [HTMLNode] {
        guard !textBlockPatterns.isEmpty else { return nodes }
        return nodes.compactMap { node in
            guard case .element(var element) = node else { return node }
            if HTMLSanitizer.textBlockTags.contains(element.name), !containsImage(element) {
                let text = Sanitize.collapsedLine(element.textContent)
                if !text.isEmpty {
                    let range = NSRange(text.startIndex..., in: text)
                    if textBlockPatterns.contains(where: { $0.firstMatch(in: text, range: range) != nil }) { return nil }
                }
            }
            element.children = removeTextBlocks(element.children)
            return .element(element)
        }
    }

    // MARK: Allow-list

    func sanitize(_ nodes: [HTMLNode], base: URL?) -> [HTMLNode] {
        var result: [HTMLNode] = []
        for node in nodes {
            switch node {
            case .text(let text):
                let clean = HTMLSanitizer.removeControlCharacters(text)
                if case .text(let previous)? = result.last {
                    result[result.count - 1] = .text(previous + clean)
                } else if !clean.isEmpty {
                    result.append(.text(clean))
                }
            case .element(let element):
                result.append(contentsOf: sanitize(element, base: base))
            }
        }
        return result
    }

    private func sanitize(_ original: HTMLElement, base: URL?) -> [HTMLNode] {
        var name = original.name
        if HTMLSanitizer.droppedTags.contains(name) || name.contains("-") { return [] }
        if HTMLSanitizer.blockAliases.contains(name) { name = "div" }
        guard HTMLSanitizer.allowedTags.contains(name) else { return sanitize(original.children, base: base) }

        var element = HTMLElement(name: name)
        let allowed = HTMLSanitizer.globalAttributes.union(HTMLSanitizer.allowedAttributes[name] ?? [])
        for attribute in original.attributes where allowed.contains(attribute.name) {
            if HTMLSanitizer.urlAttributes.contains(attribute.name) {
                guard let url = HTMLSanitizer.safeURL(attribute.value, base: base, allowMailto: name == "a") else { continue }
                element.attributes.append((attribute.name, url))
            } else {
                element.attributes.append((attribute.name, Sanitize.singleLine(attribute.value)))
            }
        }
        element.children = HTMLSanitizer.voidTags.contains(name) ? [] : sanitize(original.children, base: base)

        switch name {
        case "img":
            guard element.attribute("src") != nil, !HTMLSanitizer.isTrackingPixel(original) else { return [] }
        case "a":
            if element.attribute("href") == nil { return element.children }
            if !hasVisibleContent(element) { return [] }
        case "br", "hr", "wbr", "col", "td", "th":
            break
        default:
            if !hasVisibleContent(element) { return [] }
        }
        return [.element(element)]
    }

    private func hasVisibleContent(_ element: HTMLElement) -> Bool {
        if containsImage(element) { return true }
        return element.textContent.unicodeScalars.contains { !$0.properties.isWhitespace }
    }

    private func containsImage(_ element: HTMLElement) -> Bool {
        element.children.contains { child in
            guard case .element(let inner) = child else { return false }
            return inner.name == "img" || inner.name == "hr" || containsImage(inner)
        }
    }

    static func removeControlCharacters(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { Sanitize.isControl($0) && $0 != "\n" && $0 != "\t" }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !(Sanitize.isControl(scalar) && scalar != "\n" && scalar != "\t") {
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// An image meant not to be seen: a width or height of 2 pixels or less (as an attribute or in its style),
    /// or hidden by its style. Such images only tell the sender that the mail was opened.
    static func isTrackingPixel(_ element: HTMLElement) -> Bool {
        func tiny(_ value: String) -> Bool {
            let number = value.trimmingCharacters(in: .whitespaces).lowercased()
            guard !number.hasSuffix("%"), let pixels = Double(number.replacingOccurrences(of: "px", with: "")) else { return false }
            return pixels <= 2
        }
        for name in ["width", "height"] {
            if let value = element.attribute(name), tiny(value) { return true }
        }
        let style = (element.attribute("style") ?? "").lowercased().replacingOccurrences(of: " ", with: "")
        for declaration in style.split(separator: ";") {
            let parts = declaration.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if ["width", "height", "max-width", "max-height"].contains(parts[0]), tiny(parts[1]) { return true }
            if parts[0] == "display" && parts[1].hasPrefix("none") { return true }
            if parts[0] == "visibility" && parts[1].hasPrefix("hidden") { return true }
            if parts[0] == "opacity", let value = Double(parts[1]), value == 0 { return true }
        }
        return false
    }

    /// `raw` resolved against `base` when it is http(s) (or mailto, for links), without user name or password;
    /// nil for anything else.
    ///
    /// Browsers ignore ASCII tabs and line breaks inside URLs (`java\tscript:`), so those are removed before
    /// the scheme is read; any other control character rejects the URL.
    public static func safeURL(_ raw: String, base: URL?, allowMailto: Bool) -> String? {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        text.removeAll { $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard !text.isEmpty, !text.unicodeScalars.contains(where: { Sanitize.isControl($0) || $0 == " " }) else { return nil }
        let lower = text.lowercased()
        if lower.hasPrefix("mailto:") {
            return allowMailto && text.count > 7 ? text : nil
        }
        let resolved: URL?
        if let url = URL(string: text), url.scheme != nil {
            resolved = url
        } else if let base {
            resolved = URL(string: text, relativeTo: base)?.absoluteURL
        } else {
            resolved = nil
        }
        guard let url = resolved, let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return nil }
        // A user name or password (from the article's URL, or written in the link) never reaches a reader, nor a
        // mail client that loads images by itself.
        return ArticleFileParser.withoutUserinfo(url)?.absoluteString
    }
}
