/// Writes a sanitised tree as email HTML: escaped text, quoted attributes, and inline styles that make the
/// article read well in mail clients, which ignore most `<style>` blocks.
public enum HTMLSerializer {
    /// Inline styles per tag; images are limited to the column width and headings get a modest scale.
    static let styles: [String: String] = [
        "p": "margin:0 0 14px 0;",
        "img": "display:block;max-width:100%;height:auto;border:0;margin:0 0 14px 0;",
        "blockquote": "margin:0 0 14px 0;padding:2px 0 2px 14px;border-left:3px solid #d0d7de;color:#4b5563;",
        "h1": "margin:20px 0 10px 0;font-size:22px;line-height:1.3;",
        "h2": "margin:20px 0 10px 0;font-size:19px;line-height:1.3;",
        "h3": "margin:18px 0 8px 0;font-size:17px;line-height:1.3;",
        "h4": "margin:16px 0 8px 0;font-size:16px;line-height:1.3;",
        "h5": "margin:16px 0 8px 0;font-size:15px;line-height:1.3;",
        "h6": "margin:16px 0 8px 0;font-size:14px;line-height:1.3;",
        "a": "color:#0b57d0;text-decoration:underline;",
        "ul": "margin:0 0 14px 0;padding:0 0 0 22px;",
        "ol": "margin:0 0 14px 0;padding:0 0 0 22px;",
        "li": "margin:0 0 6px 0;",
        "pre": "margin:0 0 14px 0;padding:10px;background:#f3f4f6;white-space:pre-wrap;word-wrap:break-word;font-size:13px;",
        "code": "font-family:Menlo,Consolas,'Liberation Mono',monospace;font-size:92%;",
        "table": "border-collapse:collapse;margin:0 0 14px 0;",
        "td": "border:1px solid #e5e7eb;padding:4px 6px;vertical-align:top;",
        "th": "border:1px solid #e5e7eb;padding:4px 6px;text-align:left;",
        "hr": "border:0;border-top:1px solid #e5e7eb;margin:18px 0;",
        "figure": "margin:0 0 14px 0;",
        "figcaption": "font-size:13px;color:#6b7280;margin:4px 0 0 0;",
    ]

    /// The widest image, in pixels, that keeps its `width` attribute (the content column of the template).
    static let maxImageWidth = 552

    /// Serialises `nodes` as HTML.
    public static func html(_ nodes: [HTMLNode]) -> String {
        var output = ""
        for node in nodes { write(node, to: &output) }
        return output
    }

    static func write(_ node: HTMLNode, to output: inout String) {
        switch node {
        case .text(let text):
            output += escapeText(text)
        case .element(let element):
            output += "<" + element.name
            for attribute in element.attributes {
                if element.name == "img", attribute.name == "width" || attribute.name == "height" {
                    guard let width = element.attribute("width").flatMap({ Int($0) }), width <= maxImageWidth else { continue }
                }
                output += " " + attribute.name + "=\"" + escapeAttribute(attribute.value) + "\""
            }
            if let style = styles[element.name] { output += " style=\"" + style + "\"" }
            output += ">"
            if HTMLSanitizer.voidTags.contains(element.name) { return }
            for child in element.children { write(child, to: &output) }
            output += "</" + element.name + ">"
        }
    }

    /// Escapes `&`, `<` and `>` in text.
    public static func escapeText(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Escapes `&`, `<`, `>` and `"` in an attribute value.
    public static func escapeAttribute(_ text: String) -> String {
        escapeText(text).replacingOccurrences(of: "\"", with: "&quot;")
    }
}
