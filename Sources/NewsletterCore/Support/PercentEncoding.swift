/// Percent-encoding of URL components (RFC 3986).
public enum PercentEncoding {
    /// `text` percent-encoded for a URL query value: every octet but ASCII letters, digits and `-._~`
    /// (RFC 3986 unreserved) as `%XX`.
    public static func queryValue(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
                output.append(byte)
            default:
                output.append(0x25)
                Hex.append(byte, uppercase: true, to: &output)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
