import Foundation

/// Content-Transfer-Encoding decoders (RFC 2045 section 6) and charset conversion for reading reports.
public enum TransferDecoding {
    /// Decodes `bytes` by the Content-Transfer-Encoding `encoding` (`base64`, `quoted-printable`; anything else is
    /// identity). Invalid input decodes leniently: a report is read, not validated.
    public static func decode(_ bytes: ArraySlice<UInt8>, encoding: String?) -> [UInt8] {
        switch encoding?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "base64": return base64(bytes)
        case "quoted-printable": return quotedPrintable(bytes)
        default: return Array(bytes)
        }
    }

    /// Base64 (RFC 2045 6.8), skipping white space and any character outside the alphabet.
    public static func base64(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            let value: UInt8
            switch byte {
            case 0x41...0x5A: value = byte - 0x41
            case 0x61...0x7A: value = byte - 0x61 + 26
            case 0x30...0x39: value = byte - 0x30 + 52
            case 0x2B: value = 62
            case 0x2F: value = 63
            case 0x3D: return output  // padding: the end
            default: continue
            }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return output
    }

    /// Quoted-printable (RFC 2045 6.7): `=XX` escapes and soft line breaks; a malformed escape is kept as is.
    public static func quotedPrintable<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: return byte - 0x30
            case 0x41...0x46: return byte - 0x41 + 10
            case 0x61...0x66: return byte - 0x61 + 10
            default: return nil
            }
        }
        while index < input.count {
            let byte = input[index]
            if byte == 0x3D {
                if index + 2 < input.count, input[index + 1] == 0x0D, input[index + 2] == 0x0A {
                    index += 3
                    continue
                }
                if index + 1 < input.count, input[index + 1] == 0x0A {
                    index += 2
                    continue
                }
                if index + 2 < input.count, let high = hex(input[index + 1]), let low = hex(input[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// `bytes` as text in `charset`: UTF-8 and US-ASCII (invalid sequences become U+FFFD), ISO-8859-1 and
    /// Windows-1252 byte for byte; any other charset is read as UTF-8.
    public static func text(_ bytes: [UInt8], charset: String?) -> String {
        switch charset?.lowercased() {
        case "iso-8859-1", "latin1", "iso8859-1", "windows-1252", "cp1252":
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
