import Foundation

/// Variable envelope return paths: an envelope sender such as `bounces+{{verp}}@example.org` whose `{{verp}}` becomes
/// a token naming the recipient, so that a bounce, whatever its body says, comes back to an address that tells whom
/// it is about.
///
/// The token is the first 80 bits of HMAC-SHA256 of `verp:` and the normalised address under the unsubscribe secret,
/// in lowercase base32: 16 characters of `a-z2-7`, safe in any local part, short enough for the 64-octet limit,
/// and unforgeable, so a bounce can only be attributed to an address the tool really sent to. The address is not
/// in the token (the envelope sender shows in every received message's Return-Path); the reader finds it among the
/// list's subscribers (``RecipientIndex``).
public struct VERPAddress: Sendable {
    /// The placeholder in `smtp.envelopeFrom`.
    public static let placeholder = "{{verp}}"
    /// The length of a token.
    public static let tokenLength = 16

    /// The envelope sender text before the placeholder, e.g. `bounces+`.
    public let prefix: String
    /// The text after it, e.g. `@example.org`.
    public let suffix: String
    let secret: [UInt8]

    /// - Returns: nil when `template` has no placeholder.
    public init?(template: String, secret: [UInt8]) {
        guard let range = template.range(of: VERPAddress.placeholder) else { return nil }
        prefix = String(template[..<range.lowerBound])
        suffix = String(template[range.upperBound...])
        self.secret = secret
    }

    /// The token for `address`.
    public func token(for address: EmailAddress) -> String {
        let digest = UnsubscribeToken.hmacSHA256(key: secret, message: Array(("verp:" + address.normalized).utf8))
        return VERPAddress.base32(Array(digest.prefix(10)))
    }

    /// The envelope sender for mail to `address`.
    public func envelopeSender(for address: EmailAddress) -> String {
        prefix + token(for: address) + suffix
    }

    /// The token in `address` when it has this template's shape (the domain compared case-insensitively).
    public func token(in address: String) -> String? {
        let text = address.trimmingCharacters(in: CharacterSet(charactersIn: " <>"))
        guard text.count == prefix.count + VERPAddress.tokenLength + suffix.count,
            text.lowercased().hasPrefix(prefix.lowercased()), text.lowercased().hasSuffix(suffix.lowercased())
        else { return nil }
        let token = text.dropFirst(prefix.count).prefix(VERPAddress.tokenLength).lowercased()
        guard token.allSatisfy({ ("a"..."z").contains($0) || ("2"..."7").contains($0) }) else { return nil }
        return token
    }

    /// RFC 4648 base32, lowercase, without padding.
    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var output = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return output
    }
}
