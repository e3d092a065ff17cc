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
