/// Small helpers that make untrusted text safe for one line of output.
public enum Sanitize {
    /// `text` with every control character (C0, DEL, C1, and the Unicode line and paragraph separators) replaced
    /// by a space, so that it can never start a new line in a header, a log line or a terminal.
    public static func singleLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// `singleLine` with runs of white space collapsed and the ends trimmed: the form used for titles and names.
    public static func collapsedLine(_ text: String) -> String {
        // Fast path: printable ASCII with single inner spaces is already collapsed.
        var previousSpace = true
        var clean = true
        for byte in text.utf8 {
            if byte < 0x21 || byte >= 0x7F {
                if byte == 0x20 && !previousSpace {
                    previousSpace = true
                    continue
                }
                clean = false
                break
            }
            previousSpace = false
        }
        if clean && !previousSpace { return text }
        return singleLine(text).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A form of `text` fit to quote in a diagnostic: control characters shown as `\u{..}` escapes.
    public static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// True for C0 and C1 controls, DEL, and U+2028/U+2029.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// `text` with the user information (`user:password@`) removed from every URL in it, so that a credential
    /// written into a URL is never printed: `smtp://bob:pw@host` becomes `smtp://host`.
    public static func withoutCredentials(_ text: String) -> String {
        guard text.contains("://"), text.contains("@") else { return text }
        var result = ""
        var rest = Substring(text)
        while let separator = rest.range(of: "://") {
            result += rest[..<separator.upperBound]
            rest = rest[separator.upperBound...]
            // The authority ends at the first '/', '?', '#' or white space; userinfo is what comes before its last '@'.
            let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" || $0.isWhitespace || $0 == ">" || $0 == "\"" || $0 == "'" } ?? rest.endIndex
            if let at = rest[..<end].lastIndex(of: "@") {
                rest = rest[rest.index(after: at)...]
            }
        }
        return result + rest
    }
}
