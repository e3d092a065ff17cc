import Foundation

/// Reads the article file format of `shared/samples`.
///
/// ```
/// <!--1706822102000-->          line 1: Unix time in milliseconds
/// [Title](https://example.org)  line 2: a markdown link, split on the last "]("
/// ------                        line 3: dashes
/// <div>…</div>                  the rest: the article's HTML
/// ```
/// A UTF-8 byte order mark is skipped and CRLF is read as LF.
public enum ArticleFileParser {
    /// The latest timestamp accepted: 9999-12-31T23:59:59.999Z.
    static let maxMilliseconds: Int64 = 253_402_300_799_999

    /// Reads only line 1 of a file's first bytes: enough to decide whether the article is recent.
    ///
    /// - Throws: ``ArticleFileProblem`` when the bytes do not start with a valid timestamp line.
    public static func timestamp(from prefix: ArraySlice<UInt8>, file: String) throws(ArticleFileProblem) -> Date {
        var bytes = prefix
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard !bytes.isEmpty else { throw ArticleFileProblem(file: file, reason: "the file is empty") }
        if bytes.contains(0) { throw ArticleFileProblem(file: file, reason: "the file is binary (it contains NUL bytes)") }
        let lineEnd = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        var line = bytes[bytes.startIndex..<lineEnd]
        if line.last == 0x0D { line = line.dropLast() }
        guard let text = String(validating: line, as: UTF8.self) else {
            throw ArticleFileProblem(file: file, line: 1, reason: "line 1 is not valid UTF-8")
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("<!--"), trimmed.hasSuffix("-->"), trimmed.count >= 7 else {
            throw ArticleFileProblem(file: file, line: 1, reason: "expected a timestamp line like <!--1706822102000-->, found '\(preview(trimmed))'")
        }
        let digits = trimmed.dropFirst(4).dropLast(3).trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw ArticleFileProblem(file: file, line: 1, reason: "the timestamp '\(preview(digits))' is not a whole number of milliseconds")
        }
        guard digits.count <= 15, let milliseconds = Int64(digits), milliseconds <= maxMilliseconds else {
            throw ArticleFileProblem(file: file, line: 1, reason: "the timestamp \(preview(digits)) is out of range (after the year 9999)")
        }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Parses a whole article file.
    ///
    /// - Throws: ``ArticleFileProblem`` naming the line and what is wrong with it.
    public static func parse(_ data: [UInt8], file: String) throws(ArticleFileProblem) -> Article {
        let published = try timestamp(from: data[...], file: file)
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let offset = firstInvalidUTF8Offset(bytes)
            throw ArticleFileProblem(file: file, reason: "the file is not valid UTF-8 (at byte \(offset))")
        }
        // "\r\n" is one Character in Swift, so line ends are normalised before splitting on "\n".
        var lines = LineEndings.normalized(text).split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false)
        while lines.count < 4 { lines.append("") }
        let linkLine = lines[1].trimmingCharacters(in: .whitespaces)
        guard !linkLine.isEmpty else {
            throw ArticleFileProblem(file: file, line: 2, reason: "expected a markdown link like [Title](https://…), found an empty line")
        }
        guard linkLine.hasPrefix("["), linkLine.hasSuffix(")"), let split = linkLine.range(of: "](", options: .backwards) else {
            throw ArticleFileProblem(file: file, line: 2, reason: "expected a markdown link like [Title](https://…), found '\(preview(linkLine))'")
        }
        let title = Sanitize.collapsedLine(String(linkLine[linkLine.index(after: linkLine.startIndex)..<split.lowerBound]))
        let url = String(linkLine[split.upperBound..<linkLine.index(before: linkLine.endIndex)]).trimmingCharacters(in: .whitespaces)
        guard !title.isEmpty else { throw ArticleFileProblem(file: file, line: 2, reason: "the link's title is empty") }
        let dashes = lines[2].trimmingCharacters(in: .whitespaces)
        guard dashes.count >= 3, dashes.allSatisfy({ $0 == "-" }) else {
            throw ArticleFileProblem(file: file, line: 3, reason: "expected a line of dashes (------), found '\(preview(dashes))'")
        }
        return Article(title: title, url: url, link: httpURL(url), published: published, file: file, html: String(lines[3]))
    }

    /// `text` as an absolute http or https URL, or nil: the digest links to nothing else.
    public static func httpURL(_ text: String) -> URL? {
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || Sanitize.isControl($0) }),
            let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return nil }
        return url
    }

    static func preview(_ text: String) -> String {
        let printable = Sanitize.printable(text)
        return printable.count > 60 ? String(printable.prefix(60)) + "…" : printable
    }

    /// The offset of the first octet that does not start a valid UTF-8 sequence.
    static func firstInvalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: return offset
            }
        }
    }
}
