/// Line-ending normalisation. In Swift "\r\n" is a single `Character`, so text is brought to LF before any split
/// on "\n", and the MIME writer turns LF into CRLF at the end.
public enum LineEndings {
    /// `text` with CRLF and lone CR turned into LF.
    public static func normalized(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == 0x0D {
                bytes.append(0x0A)
                previousWasCR = true
                continue
            }
            if byte == 0x0A && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
