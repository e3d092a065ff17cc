/// Renders a sanitised tree as readable plain text: paragraphs separated by blank lines, lists with bullets or
/// numbers, quotes with `> `, headings on their own, links as numbered references listed at the end, all wrapped
/// by ``TextWrapper``.
public struct PlainTextRenderer {
    /// The column to wrap at.
    public var width: Int
    /// The links in reference order; `[n]` in the text refers to `links[n-1]`.
    public private(set) var links: [String] = []
    /// Whether links get numbered references (off for excerpts).
    public var numbersLinks: Bool

    private struct Block {
        var firstPrefix: String
        var restPrefix: String
        var text: String
        var isPreformatted = false
        var isListItem = false
        /// A list item after the first of its list, joined to the one before without a blank line.
        var continuesList = false
    }

    private var blocks: [Block] = []
    private var inline = ""
    private var pendingFirstPrefix: String?
    private var pendingIsListItem = false
    private var pendingContinuesList = false

    public init(width: Int = 72, numbersLinks: Bool = true) {
        self.width = width
        self.numbersLinks = numbersLinks
    }

    /// Renders `nodes`; with ``numbersLinks`` the reference list follows the text.
    public static func render(_ nodes: [HTMLNode], width: Int = 72, numbersLinks: Bool = true) -> String {
        var renderer = PlainTextRenderer(width: width, numbersLinks: numbersLinks)
        return renderer.render(nodes)
    }

    /// Renders `nodes` to text without a trailing newline.
    public mutating func render(_ nodes: [HTMLNode]) -> String {
        walk(nodes, prefix: "")
        flush(prefix: "")
        var output = ""
        for block in blocks {
            if !output.isEmpty { output += block.continuesList ? "\n" : "\n\n" }
            output += layout(block).joined(separator: "\n")
        }
        if numbersLinks && !links.isEmpty {
            output += output.isEmpty ? "" : "\n\n"
            output += links.enumerated().map { "[\($0 + 1)] \($1)" }.joined(separator: "\n")
        }
        return output
    }

    private func layout(_ block: Block) -> [String] {
        if block.isPreformatted {
            return block.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
                ($0 == 0 ? block.firstPrefix : block.restPrefix) + $1
            }
        }
        var lines: [String] = []
        for (index, segment) in block.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let first = index == 0 ? block.firstPrefix : block.restPrefix
            let text = segment.trimmingCharacters(in: .whitespaces)
            if text.isEmpty {
                lines.append(String(block.restPrefix.reversed().drop(while: { $0 == " " }).reversed()))
            } else {
                lines += TextWrapper.wrap(text, width: width, firstPrefix: first, restPrefix: block.restPrefix)
            }
        }
        return lines
    }

    private static let blockTags: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "table", "tr", "dl", "dt", "dd", "caption",
    ]

    private mutating func walk(_ nodes: [HTMLNode], prefix: String) {
        for node in nodes {
            switch node {
            case .text(let text):
                // Line breaks in HTML source are white space; only <br> (kept as U+2028) breaks a line.
                inline += text.replacingOccurrences(of: "\n", with: " ")
            case .element(let element):
                walk(element, prefix: prefix)
            }
        }
    }

    private mutating func walk(_ element: HTMLElement, prefix: String) {
        switch element.name {
        case "br":
            inline += "\u{2028}"
        case "img":
            break
        case "hr":
            flush(prefix: prefix)
            blocks.append(Block(firstPrefix: prefix, restPrefix: prefix, text: String(repeating: "-", count: 24)))
        case "a":
            let before = inline.count
            walk(element.children, prefix: prefix)
            if numbersLinks, let href = element.attribute("href") {
                let text = String(inline.dropFirst(before)).trimmingCharacters(in: .whitespacesAndNewlines)
                if text != href && "mailto:" + text != href {
                    links.append(href)
                    inline += "[\(links.count)]"
                }
            }
        case "pre":
            flush(prefix: prefix)
            blocks.append(Block(firstPrefix: prefix, restPrefix: prefix, text: element.textContent.trimmingCharacters(in: .newlines), isPreformatted: true))
        case "blockquote":
            flush(prefix: prefix)
            walk(element.children, prefix: prefix + "> ")
            flush(prefix: prefix + "> ")
        case "ul", "ol":
            flush(prefix: prefix)
            // A hostile `start` cannot overflow the counter: it is clamped to what a list could sensibly start at.
            var number = min(max(Int(element.attribute("start") ?? "") ?? 1, -1_000_000), 1_000_000)
            var isFirstItem = true
            for child in element.children {
                guard case .element(let item) = child, item.name == "li" else {
                    walk([child], prefix: prefix)
                    continue
                }
                let bullet = element.name == "ol" ? "\(number). " : "- "
                number += 1
                pendingFirstPrefix = prefix + bullet
                pendingIsListItem = true
                pendingContinuesList = !isFirstItem
                isFirstItem = false
                walk(item.children, prefix: prefix + String(repeating: " ", count: bullet.count))
                flush(prefix: prefix + String(repeating: " ", count: bullet.count))
                pendingFirstPrefix = nil
                pendingIsListItem = false
            }
        case "td", "th":
            if !inline.isEmpty && !inline.hasSuffix(" ") { inline += " | " }
            walk(element.children, prefix: prefix)
        default:
            let isBlock = PlainTextRenderer.blockTags.contains(element.name)
            if isBlock { flush(prefix: prefix) }
            walk(element.children, prefix: prefix)
            if isBlock { flush(prefix: prefix) }
        }
    }

    /// Ends the current paragraph: collapses its white space (keeping `<br>` breaks) and stores it as a block.
    private mutating func flush(prefix: String) {
        let segments = inline.split(separator: "\u{2028}", omittingEmptySubsequences: false).map {
            $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{A0}" }).joined(separator: " ")
        }
        inline = ""
        var text = segments.joined(separator: "\n")
        while text.hasPrefix("\n") { text.removeFirst() }
        while text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else { return }
        blocks.append(Block(
            firstPrefix: pendingFirstPrefix ?? prefix, restPrefix: prefix, text: text, isListItem: pendingIsListItem,
            continuesList: pendingIsListItem && pendingContinuesList))
        pendingFirstPrefix = nil
        pendingIsListItem = false
        pendingContinuesList = false
    }
}
