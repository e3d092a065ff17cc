import Foundation

/// The content transfer encoding of one text part, chosen by content.
public enum BodyEncoding: String, Sendable {
    case quotedPrintable = "quoted-printable"
    case base64 = "base64"

    /// The shorter of quoted-printable and base64 for `text`; quoted-printable on a tie, since people can read it.
    ///
    /// English text stays quoted-printable (nearly every octet is literal); Chinese text, where every character
    /// costs nine quoted-printable characters against four base64 ones, goes base64.
    public static func choose(for text: String) -> BodyEncoding {
        var text = text
        return text.withUTF8 { choose(for: $0) }
    }

    /// `choose` for text given as UTF-8.
    static func choose(for bytes: UnsafeBufferPointer<UInt8>) -> BodyEncoding {
        let base64Length = (bytes.count + 2) / 3 * 4
        return QuotedPrintable.estimatedLength(bytes) <= base64Length ? .quotedPrintable : .base64
    }

    /// Encodes `text` (LF, CRLF or CR line breaks) with CRLF line endings and lines of at most 76 characters.
    public func encode(_ text: String) -> String {
        String(decoding: encodedBytes(text), as: UTF8.self)
    }

    /// `encode` as bytes, the form the message is assembled in.
    public func encodedBytes(_ text: String) -> [UInt8] {
        var stream = BodyStream(encoding: self)
        stream.append(text)
        stream.finish()
        return stream.output
    }

    /// `text` with every line break as CRLF and a final CRLF: the canonical form a text part is encoded from.
    static func crlfText(_ text: String) -> String {
        var text = text
        var bytes = text.withUTF8 { normalizedLineBreaks($0) }
        if let last = bytes.last, last != 0x0A { bytes += [0x0D, 0x0A] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `input` with LF, CR and CRLF all made CRLF (no final line break added), in one pass over the octets.
    static func normalizedLineBreaks(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: input.count * 2 + 2) { output, count in
            var written = 0
            var previous: UInt8 = 0
            for byte in input {
                if byte == 0x0A {
                    if previous != 0x0D {
                        output[written] = 0x0D
                        output[written + 1] = 0x0A
                        written += 2
                    }
                } else if byte == 0x0D {
                    output[written] = 0x0D
                    output[written + 1] = 0x0A
                    written += 2
                } else {
                    output[written] = byte
                    written += 1
                }
                previous = byte
            }
            count = written
        }
    }

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Octets per base64 line: 57 octets make exactly 76 characters.
    static let base64LineOctets = 57

    /// Appends `input` in base64 (RFC 2045 §6.8) to `output`, 76 characters and CRLF for every 57 octets; the last, shorter line
    /// is padded and ended by CRLF too.
    static func appendBase64Lines(_ input: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        guard !input.isEmpty else { return }
        let encodedLength = (input.count + 2) / 3 * 4
        let added = encodedLength + (encodedLength / 76 + 1) * 2
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: added))
        let written = alphabet.withUnsafeBufferPointer { table in
            output.withUnsafeMutableBufferPointer { buffer -> Int in
                var written = start
                var column = 0
                var index = 0
                @inline(__always) func emit(_ byte: UInt8) {
                    buffer[written] = byte
                    written += 1
                    column += 1
                    if column == 76 {
                        buffer[written] = 0x0D
                        buffer[written + 1] = 0x0A
                        written += 2
                        column = 0
                    }
                }
                while index + 3 <= input.count {
                    let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                    emit(table[Int(value >> 18 & 63)])
                    emit(table[Int(value >> 12 & 63)])
                    emit(table[Int(value >> 6 & 63)])
                    emit(table[Int(value & 63)])
                    index += 3
                }
                let rest = input.count - index
                if rest > 0 {
                    let value = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
                    emit(table[Int(value >> 18 & 63)])
                    emit(table[Int(value >> 12 & 63)])
                    emit(rest == 2 ? table[Int(value >> 6 & 63)] : UInt8(ascii: "="))
                    emit(UInt8(ascii: "="))
                }
                if column > 0 {
                    buffer[written] = 0x0D
                    buffer[written + 1] = 0x0A
                    written += 2
                }
                return written
            }
        }
        output.removeLast(output.count - written)
    }
}

/// One text part being encoded from pieces given in order: line breaks are made CRLF across the pieces, and the
/// result is exactly what ``BodyEncoding/encodedBytes(_:)`` gives for the pieces joined.
///
/// A ``FixedText`` piece (text that is the same in every message of a run) is mostly copied from an encoding
/// made once: for quoted-printable, its whole lines; for base64, its whole 57-octet lines at the offset where
/// it falls, which can be one of only 57.
struct BodyStream {
    let encoding: BodyEncoding
    var output: [UInt8]
    /// Quoted-printable: the current line so far. Base64: the octets of the current line, fewer than 57.
    private var pending: [UInt8] = []
    /// The last octet given, before line breaks were made CRLF (a CR followed by LF is one break).
    private var previous: UInt8 = 0
    /// The last octet of the normalised text, and whether there was any.
    private var last: UInt8 = 0
    private var isEmpty = true

    init(encoding: BodyEncoding, output: [UInt8] = []) {
        self.encoding = encoding
        self.output = output
        pending.reserveCapacity(256)
    }

    /// Adds text as it is, making its line breaks CRLF.
    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(raw: $0) }
    }

    /// Adds UTF-8 text as it is, making its line breaks CRLF.
    mutating func append(raw input: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var index = 0
        let crlf: [UInt8] = [0x0D, 0x0A]
        while index < input.count {
            let byte = input[index]
            if byte == 0x0A || byte == 0x0D {
                if runStart < index { feed(UnsafeBufferPointer(rebasing: input[runStart..<index])) }
                if byte == 0x0D || previous != 0x0D { crlf.withUnsafeBufferPointer { feed($0) } }
                runStart = index + 1
            }
            previous = byte
            index += 1
        }
        if runStart < input.count { feed(UnsafeBufferPointer(rebasing: input[runStart...])) }
    }

    /// Adds fixed text, copying what it can from encodings made before.
    mutating func append(_ fixed: FixedText) {
        let count = fixed.normalized.count
        guard count > 0 else { return }
        fixed.normalized.withUnsafeBufferPointer { bytes in
            if previous == 0x0D && fixed.startsWithLineFeed {
                // The text's first LF ends the CR given before it: one break, already written.
                feed(UnsafeBufferPointer(rebasing: bytes[2...]))
                return
            }
            switch encoding {
            case .quotedPrintable:
                guard let lines = fixed.wholeLines else { return feed(bytes) }
                feed(UnsafeBufferPointer(rebasing: bytes[..<lines.lowerBound]))
                output.append(contentsOf: fixed.quotedPrintableLines())
                last = 0x0A
                feed(UnsafeBufferPointer(rebasing: bytes[lines.upperBound...]))
            case .base64:
                let lineOctets = BodyEncoding.base64LineOctets
                let head = (lineOctets - pending.count) % lineOctets
                let lineCount = (count - head) / lineOctets
                guard lineCount > 0 else { return feed(bytes) }
                feed(UnsafeBufferPointer(rebasing: bytes[..<head]))
                output.append(contentsOf: fixed.base64Lines(from: head, lineCount: lineCount))
                let end = head + lineCount * lineOctets
                last = bytes[end - 1]
                isEmpty = false
                feed(UnsafeBufferPointer(rebasing: bytes[end...]))
            }
        }
        previous = fixed.lastRawByte
    }

    /// Ends the part: a final CRLF if the text lacks one, and base64's last line.
    mutating func finish() {
        if !isEmpty && last != 0x0A {
            let crlf: [UInt8] = [0x0D, 0x0A]
            crlf.withUnsafeBufferPointer { feed($0) }
        }
        switch encoding {
        case .quotedPrintable:
            if !pending.isEmpty {
                pending.withUnsafeBufferPointer { QuotedPrintable.encodeLine($0, into: &output) }
                pending.removeAll()
            }
        case .base64:
            pending.withUnsafeBufferPointer { BodyEncoding.appendBase64Lines($0, to: &output) }
            pending.removeAll()
        }
    }

    /// Encodes normalised text (CRLF breaks only).
    private mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let final = bytes.last else { return }
        last = final
        isEmpty = false
        switch encoding {
        case .quotedPrintable:
            var lineStart = 0
            for index in 0..<bytes.count where bytes[index] == 0x0A {
                if pending.isEmpty {
                    let end = index > lineStart && bytes[index - 1] == 0x0D ? index - 1 : index
                    QuotedPrintable.encodeLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<end]), into: &output)
                } else {
                    pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineStart..<index]))
                    if pending.last == 0x0D { pending.removeLast() }
                    pending.withUnsafeBufferPointer { QuotedPrintable.encodeLine($0, into: &output) }
                    pending.removeAll(keepingCapacity: true)
                }
                lineStart = index + 1
            }
            if lineStart < bytes.count { pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineStart...])) }
        case .base64:
            let lineOctets = BodyEncoding.base64LineOctets
            var index = 0
            if !pending.isEmpty {
                let take = min(lineOctets - pending.count, bytes.count)
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<take]))
                index = take
                guard pending.count == lineOctets else { return }
                pending.withUnsafeBufferPointer { BodyEncoding.appendBase64Lines($0, to: &output) }
                pending.removeAll(keepingCapacity: true)
            }
            let whole = (bytes.count - index) / lineOctets * lineOctets
            if whole > 0 {
                BodyEncoding.appendBase64Lines(UnsafeBufferPointer(rebasing: bytes[index..<(index + whole)]), to: &output)
                index += whole
            }
            if index < bytes.count { pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index...])) }
        }
    }
}

/// Text that is the same in every message of a run (the parts of a body between the subscriber's values), with
/// its encodings made once and kept. Used from one thread.
final class FixedText {
    /// The text with CRLF line breaks.
    let normalized: [UInt8]
    /// Whether the text began with LF (which, after a CR, is not a break of its own).
    let startsWithLineFeed: Bool
    let lastRawByte: UInt8
    /// The range from just after the first LF to just after the last: whole lines whatever comes before.
    let wholeLines: Range<Int>?
    private var quotedPrintable: [UInt8]?
    private var base64: [Int: [UInt8]] = [:]

    init(_ text: String) {
        var text = text
        normalized = text.withUTF8 { BodyEncoding.normalizedLineBreaks($0) }
        startsWithLineFeed = text.utf8.first == 0x0A
        lastRawByte = text.utf8.last ?? 0
        if let first = normalized.firstIndex(of: 0x0A), let last = normalized.lastIndex(of: 0x0A), first < last {
            wholeLines = (first + 1)..<(last + 1)
        } else {
            wholeLines = nil
        }
    }

    /// The quoted-printable encoding of ``wholeLines``.
    func quotedPrintableLines() -> [UInt8] {
        if let quotedPrintable { return quotedPrintable }
        var stream = BodyStream(encoding: .quotedPrintable)
        if let wholeLines {
            normalized.withUnsafeBufferPointer { stream.append(raw: UnsafeBufferPointer(rebasing: $0[wholeLines])) }
        }
        quotedPrintable = stream.output
        return stream.output
    }

    /// The base64 lines of `lineCount` × 57 octets from `start`.
    func base64Lines(from start: Int, lineCount: Int) -> [UInt8] {
        if let made = base64[start] { return made }
        var output: [UInt8] = []
        normalized.withUnsafeBufferPointer {
            BodyEncoding.appendBase64Lines(UnsafeBufferPointer(rebasing: $0[start..<(start + lineCount * BodyEncoding.base64LineOctets)]), to: &output)
        }
        base64[start] = output
        return output
    }
}
