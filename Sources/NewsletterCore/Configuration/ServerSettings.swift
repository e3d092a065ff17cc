import Foundation

/// `server.*`: the web service of `newsletter serve` (one-click unsubscribe, double opt-in sign-up, the archive).
public struct ServerSettings: Sendable, Equatable {
    /// The host the service binds to (`listen`'s host part); a reverse proxy in front of it terminates TLS.
    public var host: String
    /// The port the service binds to.
    public var port: Int
    /// The origin people see, `https://news.example.org`, without a trailing slash; plain `http://` only for a
    /// loopback host (tests). Links in messages and in pages are made from it.
    public var publicURL: String?
    /// The folder of the pages' Mustache templates; `templates.directory` + `/web` by default.
    public var templatesDirectory: String?
    /// How long a sign-up confirmation link stays valid, in seconds (48 h by default).
    public var confirmationExpiry: TimeInterval
    /// How many sign-ups one client (IP address) may post per hour.
    public var signupsPerClientPerHour: Int

    /// `127.0.0.1:8080`.
    public static let defaultListen = "127.0.0.1:8080"

    init(reading reader: inout ConfigurationReader, resolve: (String) -> String) throws(ConfigurationError) {
        let file = reader.file
        let listen = try reader.string("listen") ?? ServerSettings.defaultListen
        guard let (host, port) = ServerSettings.parseListen(listen) else {
            throw .invalidValue(file: file, key: "server.listen", reason: "'\(Sanitize.printable(listen))' is not HOST:PORT such as 127.0.0.1:8080 or [::1]:8080")
        }
        self.host = host
        self.port = port
        if let text = try reader.string("publicURL") {
            publicURL = try ServerSettings.checkPublicURL(text, file: file)
        }
        templatesDirectory = try reader.string("pages").map(resolve)
        let expiryText = try reader.string("confirmationExpiry") ?? "48h"
        guard let expiry = Configuration.parseDuration(expiryText), expiry >= 60, expiry <= 30 * 86_400 else {
            throw .invalidValue(file: file, key: "server.confirmationExpiry", reason: "'\(expiryText)' is not a duration between 1m and 30d such as \"48h\"")
        }
        confirmationExpiry = expiry
        signupsPerClientPerHour = try reader.integer("signupsPerClientPerHour", in: 1...100_000) ?? 20
    }

    /// Settings with every default (`newsletter serve` without a `server` section).
    public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil) {
        self.host = host
        self.port = port
        self.publicURL = publicURL
        confirmationExpiry = 48 * 3600
        signupsPerClientPerHour = 20
    }

    /// `HOST:PORT`, `[IPv6]:PORT`: the host and the port, or nil.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, host.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".:-".unicodeScalars.contains($0)) })
        else { return nil }
        return (host, port)
    }

    /// Checks an origin: https, or http for a loopback host; no path, query or credentials. Returns it without a
    /// trailing slash.
    static func checkPublicURL(_ text: String, file: String) throws(ConfigurationError) -> String {
        var origin = text.trimmingCharacters(in: .whitespaces)
        while origin.hasSuffix("/") { origin.removeLast() }
        guard let components = URLComponents(string: origin), let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty,
            components.path.isEmpty, components.query == nil, components.fragment == nil, components.user == nil, components.password == nil,
            !origin.unicodeScalars.contains(where: { Sanitize.isControl($0) || $0 == " " || $0 == "\"" || $0 == "<" || $0 == ">" })
        else {
            throw .invalidValue(file: file, key: "server.publicURL", reason: "'\(Sanitize.printable(text))' is not an origin such as https://news.example.org (no path)")
        }
        guard scheme == "https" || (scheme == "http" && SMTPSettings.isLoopback(host)) else {
            throw .invalidValue(file: file, key: "server.publicURL", reason: "must be https:// (plain http:// only for a loopback host, for tests), found '\(Sanitize.printable(text))'")
        }
        return origin
    }

    /// Whether `url` is a plain-http URL on a loopback host: accepted for links only so that tests can follow them.
    public static func isLoopbackHTTP(_ url: String) -> Bool {
        guard url.lowercased().hasPrefix("http://") else { return false }
        // By hand: the URL may still be a template (`{{token}}`), which URLComponents refuses.
        let authority = url.dropFirst(7).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { return false }
        var host = Substring(authority)
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        return SMTPSettings.isLoopback(String(host))
    }
}
