/// The "relaxed" canonicalisations of RFC 6376 §3.4.2 (header fields) and §3.4.4 (body): what is hashed, so that
/// the re-folding and white-space changes mail servers make do not break a signature.
public enum DKIMCanonicalization {
    private static let space: UInt8 = 0x20
    private static let tab: UInt8 = 0x09
    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A
    private static let colon: UInt8 = 0x3A

    /// One header field in relaxed form, appended to `output` with its CRLF (RFC 6376 §3.4.2): the name
    /// lowercased, continuation lines unfolded, runs of white space made one space, white space at the end of the
    /// value and around the colon removed.
    ///
    /// - Parameters:
    ///   - field: the field as it is in the message, from its name to the end of its last line, without the final
    ///     CRLF.
    ///   - withLineEnd: false for the DKIM-Signature field being signed, which is hashed without its CRLF (§3.7).
    public static func relaxedHeader(_ field: UnsafeBufferPointer<UInt8>, withLineEnd: Bool = true, into output: inout [UInt8]) {
        var index = 0
        let count = field.count
        // The name, lowercased, without the white space before the colon.
        while index < count && field[index] != colon {
            let byte = field[index]
            if byte != space && byte != tab && byte != cr && byte != lf {
                output.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            }
            index += 1
        }
        output.append(colon)
        index += 1
        // The value: CR and LF dropped (unfolding), white space runs made one space, leading and trailing runs dropped.
        var pendingSpace = false
        var hasContent = false
        while index < count {
            let byte = field[index]
            index += 1
            switch byte {
            case cr, lf:
                continue
            case space, tab:
                pendingSpace = hasContent
            default:
                if pendingSpace { output.append(space) }
                pendingSpace = false
                hasContent = true
                output.append(byte)
            }
        }
        if withLineEnd {
            output.append(cr)
            output.append(lf)
        }
    }

    /// The body in relaxed form (RFC 6376 §3.4.4), appended to `output`: white space at the ends of lines removed,
    /// other runs of white space made one space, empty lines at the end removed, and a final CRLF added to a
    /// body that does not end with one. An empty body stays empty.
    ///
    /// Lines end with CRLF; a lone CR or LF is part of a line (the tool writes CRLF only).
    public static func relaxedBody(_ body: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        relaxedBody(body) { output.append(contentsOf: $0) }
    }

    /// The body in relaxed form, given to `emit` in pieces: runs of lines that the canonicalisation leaves as they
    /// are (in a base64 or quoted-printable body, nearly all of them) straight from `body`, without a copy, and
    /// the few changed lines from a scratch buffer. The pieces joined are what ``relaxedBody(_:into:)`` appends.
    public static func relaxedBody(_ body: UnsafeBufferPointer<UInt8>, emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let base = body.baseAddress, !body.isEmpty else { return }
        let count = body.count
        let crlf: [UInt8] = [cr, lf]
        var scratch: [UInt8] = []
        // Lines kept as they are, not yet given: [runStart, runEnd); runEnd is -1 when there is none.
        var runStart = -1
        var runEnd = -1
        // Empty lines (or lines of white space only) held back: they are dropped if nothing follows them.
        var emptyLines = 0

        func flushRun() {
            if runEnd > runStart && runStart >= 0 { emit(UnsafeBufferPointer(start: base + runStart, count: runEnd - runStart)) }
            runStart = -1
            runEnd = -1
        }
        func flushEmptyLines() {
            guard emptyLines > 0 else { return }
            flushRun()
            crlf.withUnsafeBufferPointer { for _ in 0..<emptyLines { emit($0) } }
            emptyLines = 0
        }

        var index = 0
        while index < count {
            let lineStart = index
            var end = index
            var lineEnded = false
            // Whether the line changes: a tab, two white-space characters in a row, or white space at its end.
            var changes = false
            var previous: UInt8 = 0
            while end < count {
                // Eight octets at a time while none of them is a CR, a space or a tab (a base64 or quoted-printable
                // line is nearly all such octets): they change nothing and end no line.
                if end + 8 <= count {
                    let word = UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self)
                    if !hasOctet(word, 0x0D) && !hasOctet(word, 0x20) && !hasOctet(word, 0x09) {
                        previous = UInt8(truncatingIfNeeded: UInt64(littleEndian: word) >> 56)
                        end += 8
                        continue
                    }
                }
                let byte = base[end]
                if byte == cr && end + 1 < count && base[end + 1] == lf {
                    lineEnded = true
                    break
                }
                if byte == tab || (byte == space && (previous == space || previous == tab)) { changes = true }
                previous = byte
                end += 1
            }
            if previous == space || previous == tab { changes = true }
            let next = lineEnded ? end + 2 : end
            index = next
            if end == lineStart {
                if lineEnded { emptyLines += 1 }
                continue
            }
            if !changes {
                flushEmptyLines()
                if lineEnded {
                    if runEnd == lineStart {
                        runEnd = next
                    } else {
                        flushRun()
                        runStart = lineStart
                        runEnd = next
                    }
                } else {
                    // The last line, without its CRLF: given with one added.
                    if runEnd == lineStart {
                        runEnd = end
                    } else {
                        flushRun()
                        runStart = lineStart
                        runEnd = end
                    }
                    flushRun()
                    crlf.withUnsafeBufferPointer { emit($0) }
                }
                continue
            }
            scratch.removeAll(keepingCapacity: true)
            var pendingSpace = false
            for position in lineStart..<end {
                let byte = base[position]
                if byte == space || byte == tab {
                    pendingSpace = true
                    continue
                }
                if pendingSpace {
                    scratch.append(space)
                    pendingSpace = false
                }
                scratch.append(byte)
            }
            if scratch.isEmpty {
                // White space only: an empty line.
                if lineEnded { emptyLines += 1 }
                continue
            }
            flushEmptyLines()
            flushRun()
            scratch.append(cr)
            scratch.append(lf)
            scratch.withUnsafeBufferPointer { emit($0) }
        }
        flushRun()
    }

    /// Whether any of the eight octets of `word` is `octet` (the "has zero byte" test on `word` XOR `octet` repeated).
    @inline(__always)
    private static func hasOctet(_ word: UInt64, _ octet: UInt8) -> Bool {
        let value = word ^ (0x0101_0101_0101_0101 &* UInt64(octet))
        return (value &- 0x0101_0101_0101_0101) & ~value & 0x8080_8080_8080_8080 != 0
    }
}
