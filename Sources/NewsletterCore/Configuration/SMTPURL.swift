import Foundation

/// A checked `smtp.url`: `smtp://host[:port][/ehlo-domain]` or `smtps://…`, and nothing else.
///
/// libcurl takes the URL as it is: a path becomes the EHLO domain (percent-decoded, so `%0d%0a` would end the
/// command line early), a user name and password in it would be printed wherever the URL is, and a URL curl
/// cannot parse fails every message with a code that looks temporary. So the URL is checked when the
/// configuration loads, and refused with the key at fault (exit 65) before anything is sent.
public struct SMTPURL: Sendable, Equatable {
    /// `smtp` or `smtps`, lower case.
    public var scheme: String
    public var host: String
    public var port: Int?
    /// The optional EHLO domain (the URL's path without its `/`).
    public var ehloDomain: String?

    /// Checks `text` as the value of `key` in `file`.
    ///
    /// - Throws: ``ConfigurationError/invalidValue(file:key:reason:)`` naming `key`; the message never repeats
    ///   credentials found in the URL.
    public init(_ text: String, key: String, file: String) throws(ConfigurationError) {
        func refuse(_ reason: String) -> ConfigurationError {
            .invalidValue(file: file, key: key, reason: reason)
        }
        let shown = "'" + Sanitize.printable(Sanitize.withoutCredentials(text)) + "'"
        if text.unicodeScalars.contains(where: { Sanitize.isControl($0) || $0 == " " }) {
            throw refuse("\(shown) holds a space or a control character")
        }
        if SMTPURL.hasEncodedControl(text) {
            throw refuse("\(shown) holds a percent-encoded control character (such as %0d%0a), which would end an SMTP command early")
        }
        guard let separator = text.range(of: "://") else {
            throw refuse("\(shown) is not an smtp:// or smtps:// URL with a host, such as smtp://mail.example.org:587")
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "smtp" || scheme == "smtps" else {
            throw refuse("\(shown): the scheme must be smtp:// (STARTTLS or none) or smtps:// (implicit TLS), found \(Sanitize.printable(scheme))://")
        }
        var rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if authority.contains("@") {
            throw refuse("credentials in the URL are refused: put the user name in `username` and the password in the variable named by `passwordEnv` (or in `passwordFile`)")
        }
        if rest.contains("?") || rest.contains("#") {
            throw refuse("\(shown): a query or fragment has no meaning for SMTP; the URL is smtp://host:port with an optional /ehlo-domain")
        }
        // Host: a name, an IPv4 address or a bracketed IPv6 literal; then an optional port.
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw refuse("\(shown): an IPv6 address needs its closing ']'") }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw refuse("\(shown): unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
            let inner = host.dropFirst().dropLast()
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw refuse("\(shown): '\(Sanitize.printable(String(host)))' is not an IPv6 address")
            }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            if parts.count == 2 { portText = parts[1] }
            guard SMTPURL.isHostName(host) else {
                throw refuse("\(shown): '\(Sanitize.printable(String(host)))' is not a host name or address")
            }
        }
        if host.isEmpty { throw refuse("\(shown) has no host") }
        var port: Int?
        if let portText {
            guard let number = Int(portText), portText.allSatisfy(\.isASCII), (1...65535).contains(number) else {
                throw refuse("\(shown): the port must be a number from 1 to 65535")
            }
            port = number
        }
        var domain: String?
        if !rest.isEmpty {
            let path = rest.dropFirst()
            if !path.isEmpty {
                guard SMTPURL.isHostName(path) || (path.hasPrefix("[") && path.hasSuffix("]") && path.count > 2) else {
                    throw refuse("\(shown): only an EHLO domain may follow the host (smtp://host:port/client.example.org), found '/\(Sanitize.printable(String(path)))'")
                }
                domain = String(path)
            }
        }
        self.scheme = scheme
        self.host = String(host)
        self.port = port
        self.ehloDomain = domain
    }

    /// Letters, digits, hyphens and dots: a DNS name or a dotted IPv4 address, at most 253 characters.
    static func isHostName(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 253 && !text.hasPrefix(".") && !text.hasPrefix("-")
            && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x2E }
    }

    /// Whether `text` holds `%XX` that decodes to a C0 control or DEL.
    static func hasEncodedControl(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                let value = high << 4 | low
                if value < 0x20 || value == 0x7F { return true }
            }
            index += 1
        }
        return false
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
