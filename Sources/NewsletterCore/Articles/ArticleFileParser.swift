import Foundation

/// Reads the article file format of `shared/samples`.
///
/// ```
/// <!--1706822102000-->          line 1: Unix time in milliseconds
/// [Title](https://example.org)  line 2: a markdown link, split on the last "]("
/// ------                        line 3: dashes
/// <div>…</div>                  the rest: the article's HTML
/// ```
/// A UTF-8 byte order mark is skipped; LF and CRLF end a line.
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

    /// The longest title kept, in characters; a longer one is cut (with "…") and reported.
    public static let maxTitleCharacters = 500

    /// Parses a whole article file.
    ///
    /// - Throws: ``ArticleFileProblem`` naming the line and what is wrong with it.
    public static func parse(_ data: [UInt8], file: String) throws(ArticleFileProblem) -> Article {
        var warnings: [ArticleFileProblem] = []
        return try parse(data[...], file: file, warnings: &warnings)
    }

    /// Parses a whole article file, adding to `warnings` what is wrong with it but does not stop it from being
    /// used: a title cut to ``maxTitleCharacters``, a URL that is not http(s), credentials in the URL.
    ///
    /// Only LF and CRLF end a line (as in the HTML the file carries): a bare CR inside the title line is a
    /// character of the title, and becomes a space like every control character.
    ///
    /// - Throws: ``ArticleFileProblem`` naming the line and what is wrong with it.
    public static func parse(
        _ data: ArraySlice<UInt8>, file: String, warnings: inout [ArticleFileProblem]
    ) throws(ArticleFileProblem) -> Article {
        let published = try timestamp(from: data, file: file)
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            let offset = firstInvalidUTF8Offset(bytes)
            throw ArticleFileProblem(file: file, reason: "the file is not valid UTF-8 (at byte \(offset))")
        }
        // Lines 1 to 3 end at LF (a CR before it belongs to the line end); the rest is the HTML.
        var rest = bytes
        var lines: [ArraySlice<UInt8>] = []
        while lines.count < 3 {
            let end = rest.firstIndex(of: 0x0A) ?? rest.endIndex
            var line = rest[rest.startIndex..<end]
            if line.last == 0x0D { line = line.dropLast() }
            lines.append(line)
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
        }
        let linkLine = trimmedSpaces(lines[1])
        guard !linkLine.isEmpty else {
            throw ArticleFileProblem(file: file, line: 2, reason: "expected a markdown link like [Title](https://…), found an empty line")
        }
        guard linkLine.first == UInt8(ascii: "["), linkLine.last == UInt8(ascii: ")"), let split = lastLinkSplit(linkLine) else {
            throw ArticleFileProblem(file: file, line: 2, reason: "expected a markdown link like [Title](https://…), found '\(preview(text(linkLine)))'")
        }
        var title = Sanitize.collapsedLine(text(linkLine[(linkLine.startIndex + 1)..<split]))
        let url = text(trimmedSpaces(linkLine[(split + 2)..<(linkLine.endIndex - 1)]))
        guard !title.isEmpty else { throw ArticleFileProblem(file: file, line: 2, reason: "the link's title is empty") }
        if title.count > maxTitleCharacters {
            let length = title.count
            title = String(title.prefix(maxTitleCharacters - 1)).trimmingCharacters(in: .whitespaces) + "…"
            warnings.append(ArticleFileProblem(
                file: file, line: 2, reason: "the title is \(length) characters long; cut to \(maxTitleCharacters)"))
        }
        let dashes = trimmedSpaces(lines[2])
        guard dashes.count >= 3, dashes.allSatisfy({ $0 == UInt8(ascii: "-") }) else {
            throw ArticleFileProblem(file: file, line: 3, reason: "expected a line of dashes (------), found '\(preview(text(dashes)))'")
        }
        let link = httpURL(url)
        if link == nil {
            warnings.append(ArticleFileProblem(
                file: file, line: 2, reason: "the URL '\(preview(withoutUserinfo(url)))' is not an http(s) URL; the article is shown without a link"))
        } else if hasUserinfo(url) {
            warnings.append(ArticleFileProblem(
                file: file, line: 2, reason: "the URL carries a user name or password; links are made without them"))
        }
        // HTML reads CRLF and a lone CR as LF (WHATWG HTML, "preprocessing the input stream").
        return Article(title: title, url: url, link: link, published: published, file: file, html: LineEndings.normalized(text(rest)))
    }

    /// The index of the last `](` in `line`, found from the end.
    private static func lastLinkSplit(_ line: ArraySlice<UInt8>) -> Int? {
        var index = line.endIndex - 2
        while index >= line.startIndex {
            if line[index] == UInt8(ascii: "]"), line[index + 1] == UInt8(ascii: "(") { return index }
            index -= 1
        }
        return nil
    }

    private static func trimmedSpaces(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var line = line
        while let first = line.first, first == 0x20 || first == 0x09 { line = line.dropFirst() }
        while let last = line.last, last == 0x20 || last == 0x09 { line = line.dropLast() }
        return line
    }

    /// Bytes already checked to be UTF-8, as text.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// `text` as an absolute http or https URL without user name or password, or nil: the digest links to
    /// nothing else, and credentials in an article's URL must not spread into its links and images.
    public static func httpURL(_ text: String) -> URL? {
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || Sanitize.isControl($0) }),
            let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return nil }
        return withoutUserinfo(url)
    }

    /// `url` without its user name and password (RFC 3986 userinfo).
    public static func withoutUserinfo(_ url: URL) -> URL? {
        guard url.user != nil || url.password != nil || hasUserinfo(url.absoluteString) else { return url }
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return nil }
        components.user = nil
        components.password = nil
        guard let stripped = components.url, let host = stripped.host, !host.isEmpty else { return nil }
        return stripped
    }

    /// Whether the authority of `text` (after `scheme://`, before the next `/`, `?` or `#`) holds an `@`.
    static func hasUserinfo(_ text: String) -> Bool {
        guard let start = text.range(of: "://") else { return false }
        let authority = text[start.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" && $0 != "\\" }
        return authority.contains("@")
    }

    /// `text` with the userinfo of its authority replaced by `…`, fit to print.
    public static func withoutUserinfo(_ text: String) -> String {
        guard hasUserinfo(text), let start = text.range(of: "://") else { return text }
        let authority = text[start.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" && $0 != "\\" }
        guard let at = authority.lastIndex(of: "@") else { return text }
        return String(text[..<start.upperBound]) + "…" + String(text[at...])
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
