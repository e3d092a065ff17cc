/// Quoted-printable content transfer encoding (RFC 2045 §6.7).
public enum QuotedPrintable {
    /// The longest encoded line, soft break included, that RFC 2045 allows.
    public static let maxLineLength = 76

    /// Encodes text whose lines are separated by LF, CRLF or CR; the result uses CRLF and ends with one.
    ///
    /// Printable ASCII stays as it is except `=`; space and tab stay except at the end of a line; everything
    /// else becomes `=XX`. Soft line breaks (`=` CRLF) keep every line at 76 characters or fewer and never
    /// split an `=XX` triplet. A line starting with `From ` gets its `F` encoded so that no mbox tool mangles it,
    /// and a lone `.` line gets its dot encoded so that no SMTP relay treats it as the end of data.
    public static func encode(_ text: String) -> String {
        String(decoding: BodyEncoding.quotedPrintable.encodedBytes(text), as: UTF8.self)
    }

    /// Appends the encoding of one line (no line break in it) and its CRLF to `output`.
    static func encodeLine(_ line: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        let count = line.count
        // At most three characters per octet, plus a soft break for every 25 octets and the final CRLF.
        output.reserveCapacity(output.count + count * 3 + (count / 24 + 1) * 3 + 2)
        var column = 0
        var index = 0
        while index < count {
            let byte = line[index]
            let isLast = index == count - 1
            var literal = (byte >= 33 && byte <= 126 && byte != 0x3D) || ((byte == 0x20 || byte == 0x09) && !isLast)
            // Room must remain for a soft break '=' unless this is the last octet of the line.
            let width = literal ? 1 : 3
            if column + width > (isLast ? maxLineLength : maxLineLength - 1) {
                output.append(0x3D)
                output.append(0x0D)
                output.append(0x0A)
                column = 0
            }
            // Rules that depend on standing at the start of an output line (where a triplet always fits).
            if column == 0 && literal && (byte == 0x2E || (byte == 0x46 && startsWithFrom(line, at: index))) { literal = false }
            if literal {
                output.append(byte)
                column += 1
            } else {
                output.append(0x3D)
                Hex.append(byte, uppercase: true, to: &output)
                column += 3
            }
            index += 1
        }
        output.append(0x0D)
        output.append(0x0A)
    }

    private static func startsWithFrom(_ line: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        index + 5 <= line.count && line[index + 1] == 0x72 && line[index + 2] == 0x6F && line[index + 3] == 0x6D && line[index + 4] == 0x20
    }

    /// How many characters the encoding of `bytes` (CRLF line breaks) about takes; used to choose an encoding.
    static func estimatedLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var escaped = 0
        for byte in bytes where byte > 126 || byte == 0x3D || (byte < 32 && byte != 0x0A && byte != 0x0D && byte != 0x09) {
            escaped += 1
        }
        let length = bytes.count + 2 * escaped
        return length + length / 75 * 3
    }

}
