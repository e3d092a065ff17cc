import Foundation

/// Signed, expiring tokens for the web service: sign-up confirmation links and the anti-forgery tokens of its
/// forms.
///
/// A token is `base64url(payload).base64url(mac)`, where the payload is the fields and the expiry (Unix seconds)
/// joined by line feeds, and the MAC is the first 16 bytes of HMAC-SHA256 over the purpose, a NUL and the
/// payload, under a key derived from the unsubscribe secret. A token made for one purpose never opens for
/// another, and none opens as an ``UnsubscribeToken`` (that MAC covers a bare address, which holds no NUL).
public struct SignedToken: Sendable {
    /// What opening a token found.
    public enum Opened: Sendable, Equatable {
        /// Signed by us for this purpose and not expired: its fields.
        case valid([String])
        /// Signed by us for this purpose, but past its expiry.
        case expired
        /// Anything else: malformed, forged, made for another purpose or with another secret.
        case invalid
    }

    let key: [UInt8]

    /// The longest token accepted.
    public static let maximumLength = 2048
    static let macLength = 16

    /// A token maker keyed from `secret` (the unsubscribe secret).
    public init(secret: [UInt8]) {
        key = UnsubscribeToken.hmacSHA256(key: secret, message: Array("newsletter signed token v1".utf8))
    }

    /// Seals `fields` for `purpose` until `expires`. Line feeds in a field are replaced by spaces.
    public func seal(purpose: String, fields: [String], expires: Date) -> String {
        let clean = fields.map { $0.replacingOccurrences(of: "\n", with: " ") }
        let payload = Array((clean + [String(Int64(expires.timeIntervalSince1970.rounded(.up)))]).joined(separator: "\n").utf8)
        return Base64URL.encode(payload) + "." + Base64URL.encode(mac(purpose: purpose, payload: payload))
    }

    /// Opens `token` for `purpose` at `now`; the MAC is compared in constant time.
    public func open(_ token: String, purpose: String, now: Date) -> Opened {
        guard token.utf8.count <= Self.maximumLength else { return .invalid }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(String(parts[0])), let given = Base64URL.decode(String(parts[1])),
            given.count == Self.macLength
        else { return .invalid }
        var difference: UInt8 = 0
        for (a, b) in zip(given, mac(purpose: purpose, payload: payload)) { difference |= a ^ b }
        guard difference == 0, let text = String(validating: payload, as: UTF8.self) else { return .invalid }
        var fields = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let expiryText = fields.popLast(), let expiry = Int64(expiryText) else { return .invalid }
        guard Double(expiry) >= now.timeIntervalSince1970 else { return .expired }
        return .valid(fields)
    }

    private func mac(purpose: String, payload: [UInt8]) -> [UInt8] {
        Array(UnsubscribeToken.hmacSHA256(key: key, message: Array(purpose.utf8) + [0] + payload).prefix(Self.macLength))
    }
}
