/// Hexadecimal text of octets: the one encoder for tokens, identities, percent- and quoted-printable escapes.
public enum Hex {
    static let lowerDigits: [UInt8] = Array("0123456789abcdef".utf8)
    static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// `bytes` as lowercase hex, two digits an octet.
    public static func lower<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes { append(byte, uppercase: false, to: &text) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the two hex digits of `byte` to `output`.
    @inline(__always)
    public static func append(_ byte: UInt8, uppercase: Bool, to output: inout [UInt8]) {
        let digits = uppercase ? upperDigits : lowerDigits
        output.append(digits[Int(byte >> 4)])
        output.append(digits[Int(byte & 0x0F)])
    }
}
