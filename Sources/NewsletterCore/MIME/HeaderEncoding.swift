import Foundation

/// Header field encoding: RFC 2047 encoded-words, RFC 5322 quoting and folding.
///
/// Every header line this writes is at most 76 characters long (RFC 2047 §2 asks that of lines holding
/// encoded-words; RFC 5322 recommends 78), each encoded-word is at most 75 characters, and an encoded-word
/// always holds whole characters, so a UTF-8 sequence is never split across two words. Values are first
/// reduced to one line: no CR or LF from a title or a name can reach the header block.
public enum HeaderEncoding {
    /// The longest header line this module writes, CRLF not counted.
    public static let maxLineLength = 76
    /// The longest encoded-word RFC 2047 allows.
    public static let maxEncodedWordLength = 75

    /// Formats an unstructured field (such as `Subject`) as `Name: value`, folded, without the final CRLF.
    ///
    /// ASCII text is folded at spaces; text with non-ASCII characters, with a word too long to fold, or with
    /// something that looks like an encoded-word is written as a run of `B` encoded-words.
    public static func unstructuredField(_ name: String, _ value: String) -> String {
        let text = Sanitize.collapsedLine(value)
        let words = text.split(separator: " ").map(String.init)
        let needsEncoding =
            text.unicodeScalars.contains { $0.value >= 0x7F }
            || text.contains("=?")
            || words.contains { $0.count > maxLineLength - name.count - 2 }
        if needsEncoding {
            return fold(name: name, tokens: encodedWords(text, firstLineUsed: name.count + 2))
        }
        return fold(name: name, tokens: words)
    }

    /// Formats an address field holding one mailbox, as `Name: display-name <address>`, folded.
    public static func mailboxField(_ name: String, displayName: String?, address: EmailAddress) -> String {
        fold(name: name, tokens: mailboxTokens(displayName: displayName, address: address, firstLineUsed: name.count + 2))
    }

    /// The tokens of `display-name <address>`: an atom, a quoted-string or encoded-words, then the angle address.
    static func mailboxTokens(displayName: String?, address: EmailAddress, firstLineUsed: Int) -> [String] {
        let angle = "<\(address)>"
        guard let displayName, !Sanitize.collapsedLine(displayName).isEmpty else { return [angle] }
        let name = Sanitize.collapsedLine(displayName)
        if name.unicodeScalars.allSatisfy({ $0.value < 0x7F }) && !name.contains("=?") && name.count <= 60 {
            if name.utf8.allSatisfy({ atextOrSpace[Int($0)] }) {
                return name.split(separator: " ").map(String.init) + [angle]
            }
            // The quoted string is one token: it must fit on a line once escaped (quotes and backslashes double).
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            if escaped.count <= 60 { return ["\"\(escaped)\"", angle] }
        }
        return encodedWords(name, firstLineUsed: firstLineUsed) + [angle]
    }

    /// Which ASCII octets may stand in an atom (RFC 5322 `atext`), with space, which separates atoms.
    static let atextOrSpace: [Bool] = (0..<256).map { byte in
        byte < 0x80 && "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ".utf8.contains(UInt8(byte))
    }

    /// Splits `text` into `=?UTF-8?B?…?=` words that each fit on a folded line and hold only whole characters.
    ///
    /// - Parameter firstLineUsed: how many characters of the first line are already taken (`Subject: `).
    public static func encodedWords(_ text: String, firstLineUsed: Int) -> [String] {
        let overhead = "=?UTF-8?B??=".count
        // Octets that fit in a word of `length` characters: base64 needs 4 characters for every 3 octets.
        func capacity(_ length: Int) -> Int { max(3, (min(length, maxEncodedWordLength) - overhead) / 4 * 3) }
        let firstCapacity = capacity(maxLineLength - firstLineUsed)
        let laterCapacity = capacity(maxLineLength - 1)

        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = firstCapacity
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk.removeAll(keepingCapacity: true)
            limit = laterCapacity
        }
        for character in text {
            let octets = Array(String(character).utf8)
            if octets.count <= limit {
                if chunk.count + octets.count > limit { flush() }
                chunk.append(contentsOf: octets)
            } else {
                // A grapheme cluster longer than a word (a long emoji sequence): split between scalars,
                // never inside one.
                for scalar in character.unicodeScalars {
                    let scalarOctets = Array(String(scalar).utf8)
                    if chunk.count + scalarOctets.count > limit { flush() }
                    chunk.append(contentsOf: scalarOctets)
                }
            }
        }
        flush()
        return words
    }

    /// Joins `tokens` with single spaces after `Name: `, starting a new line (CRLF SP) before a token that
    /// would pass ``maxLineLength``. A token is never split.
    public static func fold(name: String, tokens: [String]) -> String {
        var result = name + ":"
        var lineLength = result.count
        for token in tokens {
            if lineLength + 1 + token.count > maxLineLength && lineLength > name.count + 1 {
                result += "\r\n " + token
                lineLength = 1 + token.count
            } else {
                result += " " + token
                lineLength += 1 + token.count
            }
        }
        return result
    }
}
