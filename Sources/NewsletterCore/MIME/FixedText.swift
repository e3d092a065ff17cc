import Foundation

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
