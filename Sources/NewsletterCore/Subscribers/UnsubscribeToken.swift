import CCrypto
import Foundation

/// Stable, unguessable unsubscribe tokens: HMAC-SHA256 of the normalised (lowercased) address under a secret.
///
/// A web endpoint verifies a token without a database by computing the same HMAC, e.g. in Python:
/// `hmac.compare_digest(token, hmac.new(secret, email.lower().encode(), hashlib.sha256).hexdigest())`.
public struct UnsubscribeToken: Sendable {
    let secret: [UInt8]

    /// Creates a token maker; the secret must hold at least 16 bytes.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// The token for `address`: 64 lowercase hex digits.
    public func token(for address: EmailAddress) -> String {
        UnsubscribeToken.hmacSHA256(key: secret, message: Array(address.normalized.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
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
