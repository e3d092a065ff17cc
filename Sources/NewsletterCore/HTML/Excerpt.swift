/// Cuts a sanitised tree down to its first `limit` characters of text for a digest excerpt.
///
/// The cut falls on a character (grapheme) boundary, at a space when one is near in Latin text, and is marked
/// with `…`; elements that were open at the cut are closed by construction, since the result is a tree.
/// Images, figures, tables and rules are left out of an excerpt, and headings become bold paragraphs.
public enum Excerpt {
    /// The cut tree and whether anything was cut.
    public static func make(_ nodes: [HTMLNode], limit: Int) -> (nodes: [HTMLNode], isTruncated: Bool) {
        var remaining = max(limit, 1)
        var truncated = false
        let result = cut(nodes, remaining: &remaining, truncated: &truncated)
        return (result, truncated)
    }

    static let omitted: Set<String> = ["img", "figure", "table", "hr", "pre", "br"]

    private static func cut(_ nodes: [HTMLNode], remaining: inout Int, truncated: inout Bool) -> [HTMLNode] {
        var result: [HTMLNode] = []
        for node in nodes {
            if truncated { break }
            switch node {
            case .text(let text):
                let characters = Array(text)
                let visible = characters.count
                if visible <= remaining {
                    result.append(node)
                    remaining -= visible
                } else {
                    var end = remaining
                    // Back up to a space if one is within 20 characters, so an English word is not cut in two.
                    if let space = characters[max(0, end - 20)..<end].lastIndex(where: { $0 == " " }), space > 0 {
                        end = space
                    }
                    // Trailing spaces only: a leading one separates this text from the element before it
                    // ("<code>https://</code> URL and…").
                    var kept = characters[..<end]
                    while let last = kept.last, last == " " || last == "\t" { kept.removeLast() }
                    result.append(.text(String(kept) + "…"))
                    remaining = 0
                    truncated = true
                }
            case .element(var element):
                if omitted.contains(element.name) { continue }
                if element.name.count == 2, element.name.hasPrefix("h"), element.name != "hr" {
                    element = HTMLElement(name: "p", children: [.element(HTMLElement(name: "strong", children: element.children))])
                }
                element.children = cut(element.children, remaining: &remaining, truncated: &truncated)
                if element.children.isEmpty { continue }
                result.append(.element(element))
            }
        }
        return result
    }

    /// The first image of the tree: the article's lead image.
    public static func leadImage(_ nodes: [HTMLNode]) -> (src: String, alt: String)? {
        for node in nodes {
            guard case .element(let element) = node else { continue }
            if element.name == "img", let src = element.attribute("src") {
                return (src, element.attribute("alt") ?? "")
            }
            if let found = leadImage(element.children) { return found }
        }
        return nil
    }
}
