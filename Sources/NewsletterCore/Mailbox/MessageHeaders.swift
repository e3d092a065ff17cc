import Foundation

/// The header fields of one message or MIME part (RFC 5322 section 2.2), unfolded, in their order.
///
/// Read from untrusted mail: the header section is bounded (``maxBytes``, ``maxFields``), bytes that are not UTF-8
/// become U+FFFD, and values keep any control characters, so a caller that prints one passes it through
/// ``Sanitize`` first. Names compare case-insensitively.
public struct MessageHeaders: Sendable, Equatable {
    /// One field: its name as written and its unfolded value, leading white space removed.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// The header section read beyond this many bytes is ignored.
    public static let maxBytes = 256 * 1024
    /// Fields beyond this many are ignored.
    public static let maxFields = 2000

    public private(set) var fields: [Field] = []

    public init(fields: [Field] = []) {
        self.fields = fields
    }

    /// Splits `bytes` into a header section and a body, and parses the header section.
    ///
    /// The header section ends at the first empty line (CRLF CRLF, or LF LF from a Maildir file); a message with no
    /// empty line is all header. A line that is neither a field nor a continuation (an mbox `From ` line) is skipped.
    /// - Returns: the headers and the offset where the body starts.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> (headers: MessageHeaders, bodyStart: Int) {
        var headers = MessageHeaders()
        var index = bytes.startIndex
        let end = bytes.endIndex
        var current: (name: String, value: [UInt8])?
        func flush() {
            guard let field = current else { return }
            current = nil
            guard headers.fields.count < maxFields else { return }
            var value = field.value
            while let first = value.first, first == 0x20 || first == 0x09 { value.removeFirst() }
            while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
            headers.fields.append(Field(name: field.name, value: String(decoding: value, as: UTF8.self)))
        }
        while index < end {
            var lineEnd = index
            while lineEnd < end && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd < end ? lineEnd + 1 : end
            var contentEnd = lineEnd
            if contentEnd > index && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            if contentEnd == index {
                flush()
                return (headers, next)
            }
            if index - bytes.startIndex < maxBytes {
                let line = bytes[index..<contentEnd]
                if let first = line.first, first == 0x20 || first == 0x09 {
                    // A continuation line: unfolding removes the line break, keeping the white space (RFC 5322 2.2.3).
                    if current != nil { current?.value.append(contentsOf: line) }
                } else if let colon = line.firstIndex(of: 0x3A), colon > line.startIndex,
                    line[line.startIndex..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
                {
                    flush()
                    current = (String(decoding: line[line.startIndex..<colon], as: UTF8.self), Array(line[(colon + 1)...]))
                } else {
                    flush()
                }
            }
            index = next
        }
        flush()
        return (headers, end)
    }

    /// The first value of the field `name`, if present.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Every value of the field `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// The value of `name` decoded for display (RFC 2047) and reduced to one safe line.
    public func display(_ name: String) -> String? {
        self[name].map { Sanitize.collapsedLine(EncodedWords.decode($0)) }
    }

    /// The addresses found in the fields `names` (e.g. To, Cc): every `local@domain` that validates, in order.
    ///
    /// Enough for attribution, not a full RFC 5322 address-list parser: display names and comments are skipped by
    /// taking what is inside angle brackets when there are any.
    public func addresses(_ names: [String]) -> [EmailAddress] {
        names.flatMap { values($0) }.flatMap(MessageHeaders.addresses(in:))
    }

    /// Every address in a header value such as `"Bob" <bob@example.org>, carol@example.net`.
    public static func addresses(in value: String) -> [EmailAddress] {
        var found: [EmailAddress] = []
        var rest = Substring(value)
        var bracketed: [Substring] = []
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            bracketed.append(rest[rest.index(after: open)..<close])
            rest = rest[rest.index(after: close)...]
        }
        let candidates: [Substring] =
            bracketed.isEmpty
            ? value.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "\t" || $0 == "(" || $0 == ")" || $0 == "\"" })
            : bracketed
        for candidate in candidates {
            let text = candidate.trimmingCharacters(in: .whitespaces)
            guard text.contains("@"), let address = try? EmailAddress(text.hasPrefix("mailto:") ? String(text.dropFirst(7)) : text) else {
                continue
            }
            found.append(address)
        }
        return found
    }
}
