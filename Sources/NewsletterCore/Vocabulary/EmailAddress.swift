import Foundation

/// A validated mailbox address (`local@domain`), safe to place in an SMTP command or a header.
///
/// Validation follows what the subscriber issue asks, a practical subset of RFC 5321/5322: one `@`, a dot-atom
/// local part of at most 64 octets, a hostname domain with at least one dot, at most 254 octets in all. A domain
/// with non-ASCII labels is converted to its punycode (RFC 3492) form; a non-ASCII local part is accepted but
/// marked as needing SMTPUTF8 (RFC 6531). No control character, space, CR or LF can survive validation.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    /// The local part as written.
    public let localPart: String
    /// The domain in ASCII (punycode for IDN labels), lowercased.
    public let domain: String

    /// `local@domain` with the ASCII domain: the form used in headers and SMTP commands.
    public var description: String { "\(localPart)@\(domain)" }

    /// The address with ASCII letters lowercased, used to compare and deduplicate (addresses compare
    /// case-insensitively). Only ASCII is folded: Unicode case mapping would merge different people, e.g. the
    /// Kelvin sign U+212A with `k`. The domain is already lowercase.
    public var normalized: String {
        var bytes = Array(localPart.utf8)
        for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] += 32 }
        return String(decoding: bytes, as: UTF8.self) + "@" + domain
    }

    /// True when the local part is not ASCII, so only a server offering SMTPUTF8 may receive it.
    public var requiresSMTPUTF8: Bool { !localPart.utf8.allSatisfy { $0 < 0x80 } }

    /// Validates `text` as an address.
    ///
    /// - Throws: ``EmailAddressError`` saying which rule the text breaks.
    public init(_ text: String) throws(EmailAddressError) {
        if let (local, domain) = EmailAddress.fastASCII(text) {
            self.localPart = local
            self.domain = domain
            return
        }
        if text.unicodeScalars.contains(where: { Sanitize.isControl($0) || $0.properties.generalCategory == .format }) {
            throw .invalid(text, "it contains a control character")
        }
        guard text.utf8.count <= 254 else { throw .invalid(text, "it is longer than 254 octets") }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalid(text, parts.count == 1 ? "it has no '@'" : "it has more than one '@'")
        }
        let local = String(parts[0])
        let rawDomain = String(parts[1])
        guard !local.isEmpty else { throw .invalid(text, "the part before '@' is empty") }
        guard local.utf8.count <= 64 else { throw .invalid(text, "the part before '@' is longer than 64 octets") }
        guard EmailAddress.isDotAtom(local) else {
            throw .invalid(text, "the part before '@' is not a dot-atom (letters, digits and !#$%&'*+-/=?^_`{|}~ separated by single dots)")
        }
        guard !rawDomain.isEmpty else { throw .invalid(text, "the domain is empty") }
        let domain = try EmailAddress.asciiDomain(rawDomain, address: text)
        guard local.utf8.count + 1 + domain.utf8.count <= 254 else { throw .invalid(text, "it is longer than 254 octets") }
        self.localPart = local
        self.domain = domain
    }

    /// The common case, checked over bytes: a printable-ASCII address that passes every rule. Anything else
    /// (non-ASCII, or any rule broken) returns nil and takes the full path, which also words the error.
    static func fastASCII(_ text: String) -> (String, String)? {
        var text = text
        return text.withUTF8 { bytes -> (String, String)? in
            guard bytes.count <= 254, let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, at <= 64 else { return nil }
            let domainStart = at + 1
            guard domainStart < bytes.count else { return nil }
            var previous: UInt8 = UInt8(ascii: ".")
            for index in 0..<at {
                let byte = bytes[index]
                guard byte < 0x80, atextTable[Int(byte)] || byte == UInt8(ascii: ".") else { return nil }
                if byte == UInt8(ascii: ".") && previous == UInt8(ascii: ".") { return nil }
                previous = byte
            }
            if previous == UInt8(ascii: ".") { return nil }
            var dots = 0
            var labelLength = 0
            var lowered = [UInt8]()
            lowered.reserveCapacity(bytes.count - domainStart)
            previous = UInt8(ascii: ".")
            for index in domainStart..<bytes.count {
                var byte = bytes[index]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
                if byte == UInt8(ascii: ".") {
                    guard labelLength > 0, previous != UInt8(ascii: "-") else { return nil }
                    dots += 1
                    labelLength = 0
                } else if (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-")
                {
                    if byte == UInt8(ascii: "-") && labelLength == 0 { return nil }
                    labelLength += 1
                    if labelLength > 63 { return nil }
                } else {
                    return nil
                }
                previous = byte
                lowered.append(byte)
            }
            guard dots >= 1, labelLength > 0, previous != UInt8(ascii: "-") else { return nil }
            return (String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<at]), as: UTF8.self), String(decoding: lowered, as: UTF8.self))
        }
    }

    /// RFC 5322 atext for ASCII, by byte.
    static let atextTable: [Bool] = (0..<128).map { byte in
        let scalar = Unicode.Scalar(UInt8(byte))
        return (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
            || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
    }

    static func isDotAtom(_ local: String) -> Bool {
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") { return false }
        let specials = Set("!#$%&'*+-/=?^_`{|}~.".unicodeScalars)
        return local.unicodeScalars.allSatisfy { scalar in
            if scalar.value >= 0x80 { return !scalar.properties.isWhitespace }  // RFC 6532 UTF8-non-ascii, but no spaces
            return (scalar.properties.isASCIIHexDigit || CharacterSet.alphanumerics.contains(scalar)) || specials.contains(scalar)
        }
    }

    static func asciiDomain(_ raw: String, address: String) throws(EmailAddressError) -> String {
        var domain = raw.precomposedStringWithCanonicalMapping.lowercased()
        if domain.hasSuffix(".") { domain.removeLast() }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw .invalid(address, "the domain '\(raw)' has no dot") }
        var asciiLabels: [String] = []
        for label in labels {
            var ascii = String(label)
            if !label.utf8.allSatisfy({ $0 < 0x80 }) {
                guard let encoded = Punycode.encode(String(label)) else { throw .invalid(address, "the domain label '\(label)' cannot be encoded") }
                ascii = "xn--" + encoded
            }
            guard !ascii.isEmpty else { throw .invalid(address, "the domain '\(raw)' has an empty label") }
            guard ascii.utf8.count <= 63 else { throw .invalid(address, "the domain label '\(label)' is longer than 63 characters") }
            guard ascii.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
                throw .invalid(address, "the domain '\(raw)' may hold only letters, digits, hyphens and dots")
            }
            guard !ascii.hasPrefix("-"), !ascii.hasSuffix("-") else {
                throw .invalid(address, "the domain label '\(label)' starts or ends with a hyphen")
            }
            asciiLabels.append(ascii)
        }
        return asciiLabels.joined(separator: ".")
    }
}
