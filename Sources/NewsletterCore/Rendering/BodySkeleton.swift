/// A rendered body with holes where the subscriber's values go: static text, and slots that take a value as is
/// or HTML-escaped, the way the template asked for it (`{{{x}}}` or `{{x}}`).
struct BodySkeleton: Equatable {
    enum Segment: Equatable {
        case text(String)
        case value(Int, escaped: Bool)
    }

    let segments: [Segment]

    /// The marker rendered in place of value `index`. The `&` shows whether Mustache escaped it.
    static func marker(_ index: Int) -> String { "\u{E000}\(index)&\u{E001}" }

    /// Splits `rendered` at its markers; nil if a marker was altered (a template transformed the value).
    init?(_ rendered: String) {
        var segments: [Segment] = []
        var rest = Substring(rendered)
        while let open = rest.firstIndex(of: "\u{E000}") {
            segments.append(.text(String(rest[..<open])))
            guard let close = rest[open...].firstIndex(of: "\u{E001}") else { return nil }
            let inner = rest[rest.index(after: open)..<close]
            switch inner {
            case "0&", "1&", "2&": segments.append(.value(Int(String(inner.prefix(1)))!, escaped: false))
            case "0&amp;", "1&amp;", "2&amp;": segments.append(.value(Int(String(inner.prefix(1)))!, escaped: true))
            default: return nil
            }
            rest = rest[rest.index(after: close)...]
        }
        segments.append(.text(String(rest)))
        self.segments = segments
    }

    /// The skeleton as the wire writer takes it.
    var wirePieces: [WireSkeleton.Piece] {
        segments.map { segment in
            switch segment {
            case .text(let text): return .text(text)
            case .value(let index, let escaped): return .value(index, escaped: escaped)
            }
        }
    }

    /// The body with `values` in its slots.
    func fill(_ values: [String]) -> String {
        var output = ""
        output.reserveCapacity(segments.reduce(0) { if case .text(let t) = $1 { return $0 + t.utf8.count } else { return $0 + 64 } })
        for segment in segments {
            switch segment {
            case .text(let text): output += text
            case .value(let index, let escaped): output += escaped ? BodySkeleton.htmlEscape(values[index]) : values[index]
            }
        }
        return output
    }

    /// Mustache's own escaping: `< > & " '`.
    static func htmlEscape(_ text: String) -> String {
        guard text.utf8.contains(where: { entity($0) != nil }) else { return text }
        // Mustache escapes whole characters: a special character followed by a combining mark is one character
        // that it leaves alone. Such text goes character by character; all other text octet by octet.
        let utf8 = Array(text.utf8)
        for index in utf8.indices.dropLast() where utf8[index + 1] >= 0x80 && entity(utf8[index]) != nil {
            var result = ""
            for character in text {
                if let entity = character.asciiValue.flatMap(entity) { result += entity } else { result.append(character) }
            }
            return result
        }
        var result: [UInt8] = []
        result.reserveCapacity(utf8.count + 32)
        for byte in utf8 {
            if let entity = entity(byte) { result += entity.utf8 } else { result.append(byte) }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The entity Mustache writes for an ASCII octet it escapes.
    private static func entity(_ byte: UInt8) -> String? {
        switch byte {
        case 0x3C: return "&lt;"
        case 0x3E: return "&gt;"
        case 0x26: return "&amp;"
        case 0x22: return "&quot;"
        case 0x27: return "&#39;"
        default: return nil
        }
    }
}
