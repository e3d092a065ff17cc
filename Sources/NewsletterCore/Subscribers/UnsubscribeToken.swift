import CCrypto
import Foundation

/// Unsubscribe tokens: opaque, unforgeable, and readable by whoever holds the secret without a lookup.
///
/// A token is base64url (no padding) of the normalised (lowercased) address followed by the first 16 bytes of
/// HMAC-SHA256 of that address under the secret. It names its subscriber without carrying the literal address in
/// the link (a raw address in a URL is a phishing pattern to spam filters), and a web endpoint checks it with no
/// database. In Python:
/// `raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)); address, mac = raw[:-16], raw[-16:]`, then
/// `hmac.compare_digest(mac, hmac.new(secret, address, hashlib.sha256).digest()[:16])`.
public struct UnsubscribeToken: Sendable {
    let secret: [UInt8]

    /// How many bytes of the HMAC a token carries (128 bits).
    static let macLength = 16
    /// The longest token: a 254-octet address and the MAC, in base64url.
    public static let maximumLength = ((254 + macLength) * 4 + 2) / 3

    /// Creates a token maker; the secret must hold at least 16 bytes.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// The token for `address`: base64url of the normalised address and its MAC, at most ``maximumLength`` characters.
    public func token(for address: EmailAddress) -> String {
        let normalized = Array(address.normalized.utf8)
        return Base64URL.encode(normalized + mac(normalized))
    }

    /// The address `token` was made for, when it was made with this secret; nil for anything else.
    ///
    /// The MAC is compared in constant time, so a forged token learns nothing from how long it took to refuse.
    public func address(fromToken token: String) -> EmailAddress? {
        guard token.utf8.count <= Self.maximumLength, let raw = Base64URL.decode(token), raw.count > Self.macLength else { return nil }
        let normalized = Array(raw.dropLast(Self.macLength))
        let expected = mac(normalized)
        var difference: UInt8 = 0
        for (given, wanted) in zip(raw.suffix(Self.macLength), expected) { difference |= given ^ wanted }
        guard difference == 0, let text = String(validating: normalized, as: UTF8.self) else { return nil }
        guard let address = try? EmailAddress(text), address.normalized == text else { return nil }
        return address
    }

    private func mac(_ normalized: [UInt8]) -> [UInt8] {
        Array(UnsubscribeToken.hmacSHA256(key: secret, message: normalized).prefix(Self.macLength))
    }

    /// HMAC-SHA256 (RFC 2104) through OpenSSL's libcrypto.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                _ = HMAC(
                    EVP_sha256(), keyBuffer.baseAddress, Int32(key.count), messageBuffer.baseAddress, messageBuffer.count, &digest, &length)
            }
        }
        return Array(digest.prefix(Int(length)))
    }

    /// Reads the secret: the environment variable `variable` first, then `file`.
    ///
    /// - Returns: nil when neither is set.
    /// - Throws: ``SecretError`` when the file cannot be read or the secret is too short.
    public static func loadSecret(variable: String, file: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(SecretError) -> [UInt8]?
    {
        var secret: [UInt8]
        var source: String
        if let value = environment[variable], !value.isEmpty {
            secret = Array(value.utf8)
            source = "the environment variable \(variable)"
        } else if let file {
            do {
                secret = try FileSystem.readAll(file)
            } catch {
                throw .unreadable(file: file, reason: error.reason)
            }
            while let last = secret.last, last == 0x0A || last == 0x0D { secret.removeLast() }
            source = file
        } else {
            return nil
        }
        guard secret.count >= 16 else { throw .tooShort(source: source) }
        return secret
    }
}

/// The unsubscribe-token secret is unusable.
public enum SecretError: Error, Equatable, CustomStringConvertible, Sendable {
    case unreadable(file: String, reason: String)
    case tooShort(source: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read the unsubscribe secret: \(reason)"
        case .tooShort(let source): return "the unsubscribe secret in \(source) is shorter than 16 bytes; use e.g. `openssl rand -hex 32`"
        }
    }
}
