import Foundation

/// Decodes RFC 2047 encoded-words (`=?UTF-8?B?...?=`, `=?ISO-8859-1?Q?...?=`) in a header value, for display only.
///
/// Nothing decoded here is used to decide anything: classification reads the raw fields. Unknown charsets and
/// malformed words are left as written.
public enum EncodedWords {
    /// `value` with its encoded-words decoded; white space between two adjacent encoded-words is dropped
    /// (RFC 2047 section 6.2).
    public static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var output = ""
        var rest = Substring(value)
        var pendingSpace = ""
        var lastWasEncoded = false
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let (text, length) = decodeWord(rest) {
                if !lastWasEncoded { output += pendingSpace }
                output += text
                pendingSpace = ""
                lastWasEncoded = true
                rest = rest.dropFirst(length)
                continue
            }
            let character = rest.removeFirst()
            if character == " " || character == "\t" {
                pendingSpace.append(character)
            } else {
                output += pendingSpace
                pendingSpace = ""
                output.append(character)
                lastWasEncoded = false
            }
        }
        return output + pendingSpace
    }

    /// Decodes one encoded-word at the start of `text`: its text and its length in characters.
    static func decodeWord(_ text: Substring) -> (String, Int)? {
        let scalars = Array(text.prefix(200))
        guard scalars.count > 8 else { return nil }
        var parts: [String] = []
        var current = ""
        var index = 2
        while index < scalars.count {
            let character = scalars[index]
            if character == "?" {
                parts.append(current)
                current = ""
                if parts.count == 3 {
                    guard index + 1 < scalars.count, scalars[index + 1] == "=" else { return nil }
                    break
                }
            } else if character == " " {
                return nil
            } else {
                current.append(character)
            }
            index += 1
        }
        guard parts.count == 3 else { return nil }
        let charset = parts[0].split(separator: "*").first.map { String($0).lowercased() } ?? ""
        let bytes: [UInt8]
        switch parts[1].uppercased() {
        case "B":
            guard let data = Data(base64Encoded: parts[2], options: .ignoreUnknownCharacters) else { return nil }
            bytes = Array(data)
        case "Q":
            bytes = TransferDecoding.quotedPrintable(Array(parts[2].replacingOccurrences(of: "_", with: " ").utf8))
        default:
            return nil
        }
        return (TransferDecoding.text(bytes, charset: charset), index + 2)
    }
}
