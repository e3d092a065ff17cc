/// Rewrites the HTML5 named character references that libxml2's HTML 4 parser leaves as literal text
/// (`&colon;`, `&Tab;`, `&NewLine;`, `&lpar;` …) into numeric references, which it decodes.
///
/// A browser decodes them, in text and in attribute values alike, so `href="javascript&colon;alert(1)"` is a
/// `javascript:` URL to it. The sanitiser must see what a browser sees before it decides on a URL's scheme.
/// Only references closed by `;` are rewritten: those written without it are HTML 4's, which libxml2 knows.
/// `&amp;colon;` stays `&colon;` as text, as in a browser, since the scan resumes after each reference.
enum HTMLCharacterReferences {
    /// The longest name in the table.
    static let maxNameLength = 32

    /// Name (without `&` and `;`) → the numeric references that replace it, as bytes.
    static let replacements: [String: [UInt8]] = {
        var table: [String: [UInt8]] = [:]
        for line in HTML5Entities.table.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            let references = parts[1].split(separator: ",").map { "&#x\($0);" }.joined()
            table[String(parts[0])] = Array(references.utf8)
        }
        return table
    }()

    /// `html` with every HTML5-only named reference turned into numeric references; the same bytes when there
    /// is none.
    static func numeric(_ html: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var copied = 0  // html[..<copied] is in output (once output is in use)
        var index = 0
        let count = html.count
        while index < count {
            guard html[index] == UInt8(ascii: "&") else {
                index += 1
                continue
            }
            var end = index + 1
            while end < count, end - index - 1 < maxNameLength, isAlphanumeric(html[end]) { end += 1 }
            guard end > index + 1, end < count, html[end] == UInt8(ascii: ";"), isLetter(html[index + 1]) else {
                index = max(end, index + 1)
                continue
            }
            let name = String(decoding: html[(index + 1)..<end], as: UTF8.self)
            if let replacement = replacements[name] {
                if output.isEmpty { output.reserveCapacity(count + 64) }
                output.append(contentsOf: html[copied..<index])
                output.append(contentsOf: replacement)
                copied = end + 1
            }
            index = end + 1
        }
        guard copied > 0 else { return html }
        output.append(contentsOf: html[copied...])
        return output
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 0x30 && byte <= 0x39)
    }
}
