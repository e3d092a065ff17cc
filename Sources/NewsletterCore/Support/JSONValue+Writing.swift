extension JSONValue {
    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped, everything else as is.
    public static func encodeString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

extension JSONValue {
    /// The value as JSON text on one line: `{ "key": "value", "list": [1, 2] }`.
    public var encoded: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return JSONValue.encodeString(text)
        case .array(let elements): return "[" + elements.map(\.encoded).joined(separator: ", ") + "]"
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            return "{ " + members.map { JSONValue.encodeString($0.key) + ": " + $0.value.encoded }.joined(separator: ", ") + " }"
        }
    }

    /// The value as JSON text indented by two spaces a level, ending with a newline: the form of the files this
    /// tool writes for people to read (edition.json, complete.json, `--json` output).
    public var pretty: String {
        pretty(indent: "") + "\n"
    }

    private func pretty(indent: String) -> String {
        let inner = indent + "  "
        switch self {
        case .array(let elements) where !elements.isEmpty:
            return "[\n" + elements.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members) where !members.isEmpty:
            return "{\n" + members.map { inner + JSONValue.encodeString($0.key) + ": " + $0.value.pretty(indent: inner) }.joined(separator: ",\n")
                + "\n" + indent + "}"
        default:
            return encoded
        }
    }

    /// `elements` as a JSON array with one element a line, each on one line: the form of lists that people read
    /// and grep (`subscribers list --json`).
    public static func lineArray(_ elements: [JSONValue]) -> String {
        elements.isEmpty ? "[]\n" : "[\n" + elements.map { "  " + $0.encoded }.joined(separator: ",\n") + "\n]\n"
    }

    /// An integer as a JSON number.
    public static func integer(_ value: Int) -> JSONValue { .number(String(value)) }
}
