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
        let octets = text.utf8.count
        let base64Length = (octets + 2) / 3 * 4
        return QuotedPrintable.estimatedLength(text) <= base64Length ? .quotedPrintable : .base64
    }

    /// Encodes `text` (LF or CRLF line breaks) with CRLF line endings and lines of at most 76 characters.
    public func encode(_ text: String) -> String {
        String(decoding: encodedBytes(text), as: UTF8.self)
    }

    /// `encode` as bytes, the form the message is assembled in.
    public func encodedBytes(_ text: String) -> [UInt8] {
        switch self {
        case .quotedPrintable:
            return Array(QuotedPrintable.encode(text).utf8)
        case .base64:
            return BodyEncoding.base64Lines(BodyEncoding.crlfBytes(text))
        }
    }

    /// `text` with every line break as CRLF and a final CRLF: the canonical form a text part is encoded from.
    static func crlfText(_ text: String) -> String {
        String(decoding: crlfBytes(text), as: UTF8.self)
    }

    /// `crlfText` as bytes, made in one pass over the UTF-8 (splitting a `String` on "\n" costs far more).
    static func crlfBytes(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { input in
            let capacity = input.count * 2 + 2
            return [UInt8](unsafeUninitializedCapacity: capacity) { output, count in
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
                if written > 0 && output[written - 1] != 0x0A {
                    output[written] = 0x0D
                    output[written + 1] = 0x0A
                    written += 2
                }
                count = written
            }
        }
    }

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Base64 (RFC 2045 §6.8) in lines of 76 characters, each ended by CRLF.
    static func base64Lines(_ bytes: [UInt8]) -> [UInt8] {
        let encodedLength = (bytes.count + 2) / 3 * 4
        let capacity = encodedLength + (encodedLength / 76 + 1) * 2
        return alphabet.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { input in
                [UInt8](unsafeUninitializedCapacity: capacity) { output, count in
                    var written = 0
                    var column = 0
                    var index = 0
                    @inline(__always) func emit(_ byte: UInt8) {
                        output[written] = byte
                        written += 1
                        column += 1
                        if column == 76 {
                            output[written] = 0x0D
                            output[written + 1] = 0x0A
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
                        output[written] = 0x0D
                        output[written + 1] = 0x0A
                        written += 2
                    }
                    count = written
                }
            }
        }
    }
}
