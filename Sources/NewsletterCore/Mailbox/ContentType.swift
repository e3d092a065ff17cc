/// A Content-Type value (RFC 2045 section 5.1): type, subtype and parameters, lowercased where they are
/// case-insensitive.
public struct ContentType: Sendable, Equatable {
    /// `text`, `multipart`, `message`, ... lowercased.
    public var type: String
    /// `plain`, `report`, `delivery-status`, ... lowercased.
    public var subtype: String
    /// Parameters by lowercased name; values unquoted and kept as written.
    public var parameters: [String: String]

    /// `type/subtype`.
    public var mimeType: String { type + "/" + subtype }

    /// RFC 2045's default: `text/plain; charset=us-ascii`.
    public static let plainText = ContentType(type: "text", subtype: "plain", parameters: ["charset": "us-ascii"])

    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    /// Parses a header value such as `multipart/report; report-type=delivery-status; boundary="x"`.
    ///
    /// - Returns: nil when there is no `type/subtype`.
    public init?(_ value: String) {
        let pieces = ContentType.splitParameters(value)
        guard let head = pieces.first else { return nil }
        let halves = head.split(separator: "/", maxSplits: 1)
        guard halves.count == 2 else { return nil }
        type = halves[0].trimmingCharacters(in: .whitespaces).lowercased()
        subtype = halves[1].trimmingCharacters(in: .whitespaces).lowercased()
        guard !type.isEmpty, !subtype.isEmpty else { return nil }
        parameters = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var raw = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if raw.hasPrefix("\""), raw.hasSuffix("\""), raw.count >= 2 {
                raw = String(raw.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
            }
            if parameters[name] == nil { parameters[name] = raw }
        }
    }

    /// Splits on `;` outside quoted strings.
    static func splitParameters(_ value: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                pieces.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        pieces.append(current)
        return pieces.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
