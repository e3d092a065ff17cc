/// Quoted-printable content transfer encoding (RFC 2045 §6.7).
public enum QuotedPrintable {
    /// The longest encoded line, soft break included, that RFC 2045 allows.
    public static let maxLineLength = 76

    /// Encodes text whose lines are separated by LF or CRLF; the result uses CRLF and ends with one.
    ///
    /// Printable ASCII stays as it is except `=`; space and tab stay except at the end of a line; everything
    /// else becomes `=XX`. Soft line breaks (`=` CRLF) keep every line at 76 characters or fewer and never
    /// split an `=XX` triplet. A line starting with `From ` gets its `F` encoded so that no mbox tool mangles it,
    /// and a lone `.` line gets its dot encoded so that no SMTP relay treats it as the end of data.
    public static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        var lineStart = true
        var lineLength = 0
        var pendingLine: [UInt8] = []

        func emitLine(_ line: ArraySlice<UInt8>) {
            lineLength = 0
            lineStart = true
            var index = line.startIndex
            while index < line.endIndex {
                let byte = line[index]
                let isLast = index == line.index(before: line.endIndex)
                var literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 0x20 || byte == 0x09) && !isLast)
                if lineStart && byte == UInt8(ascii: "F") && line[index...].starts(with: Array("From ".utf8)) { literal = false }
                if lineStart && byte == UInt8(ascii: ".") { literal = false }
                let width = literal ? 1 : 3
                // Room must remain for a soft break '=' unless this is the last byte of the line.
                let limit = isLast ? maxLineLength : maxLineLength - 1
                if lineLength + width > limit {
                    output.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
                    lineLength = 0
                    lineStart = true
                    // Re-check rules that depend on standing at the start of a line.
                    if byte == UInt8(ascii: ".") { literal = false }
                    if byte == UInt8(ascii: "F") && line[index...].starts(with: Array("From ".utf8)) { literal = false }
                }
                if literal {
                    output.append(byte)
                    lineLength += 1
                } else {
                    output.append(UInt8(ascii: "="))
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 0x0F)])
                    lineLength += 3
                }
                lineStart = false
                index = line.index(after: index)
            }
            output.append(contentsOf: [0x0D, 0x0A])
        }

        for byte in text.utf8 {
            if byte == 0x0A {
                if pendingLine.last == 0x0D { pendingLine.removeLast() }
                emitLine(pendingLine[...])
                pendingLine.removeAll(keepingCapacity: true)
            } else {
                pendingLine.append(byte)
            }
        }
        if !pendingLine.isEmpty {
            if pendingLine.last == 0x0D { pendingLine.removeLast() }
            emitLine(pendingLine[...])
        }
        _ = lineStart
        return String(decoding: output, as: UTF8.self)
    }

    /// How many characters `encode` would write for `text`, without building it; used to choose an encoding.
    static func estimatedLength(_ text: String) -> Int {
        var text = text
        let length = text.withUTF8 { bytes -> Int in
            var escaped = 0
            for byte in bytes where byte > 126 || byte == UInt8(ascii: "=") || (byte < 32 && byte != 0x0A && byte != 0x09) {
                escaped += 1
            }
            return bytes.count + 2 * escaped
        }
        return length + length / 75 * 3
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
