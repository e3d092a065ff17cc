import Foundation

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
