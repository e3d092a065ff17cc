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
        guard let base = body.baseAddress else { return }
        let count = body.count
        var emptyLines = 0
        var index = 0
        while index < count {
            var pendingSpace = false
            var hasContent = false
            var lineEnded = false
            while index < count {
                let byte = base[index]
                if byte == cr && index + 1 < count && base[index + 1] == lf {
                    index += 2
                    lineEnded = true
                    break
                }
                index += 1
                if byte == space || byte == tab {
                    pendingSpace = true
                    continue
                }
                if !hasContent {
                    // The line has something: the empty lines held back were not the body's last.
                    for _ in 0..<emptyLines {
                        output.append(cr)
                        output.append(lf)
                    }
                    emptyLines = 0
                    hasContent = true
                }
                if pendingSpace {
                    output.append(space)
                    pendingSpace = false
                }
                output.append(byte)
            }
            if hasContent {
                output.append(cr)
                output.append(lf)
            } else if lineEnded {
                emptyLines += 1
            }
        }
    }
}
