import Foundation

/// `smtp.*`: the server, its security, credentials, and how hard to push it.
public struct SMTPSettings: Sendable, Equatable {
    /// How the connection is protected.
    public enum Security: String, Sendable {
        /// Plain connection upgraded with STARTTLS, which is required: a server that does not offer it is an error.
        case starttls
        /// TLS from the first byte (`smtps://`, port 465).
        case tls
        /// No TLS at all; allowed only for a server on this machine (loopback).
        case none
    }

    /// `smtp://host:port` or `smtps://host:port`.
    public var url: String
    public var security: Security
    /// A PEM file of trusted CAs; the system store otherwise. Certificates are always verified.
    public var caFile: String?
    public var username: String?
    /// The environment variable holding the password.
    public var passwordEnv: String?
    /// A file holding the password, used when `passwordEnv` is not set.
    public var passwordFile: String?
    /// The envelope sender (MAIL FROM), where bounces go; `newsletter.from` by default. It may hold `{{verp}}`
    /// once in its local part (``VERPAddress``): each message's envelope sender then names its recipient.
    public var envelopeFrom: EmailAddress?
    /// Parallel connections.
    public var connections: Int
    /// Messages sent over one connection before it is closed and a new one opened.
    public var messagesPerConnection: Int
    /// A global rate limit, if any.
    public var messagesPerSecond: Double?
    /// How long to wait for the server to answer one command (and to connect).
    public var timeoutSeconds: Int
    /// How long to wait for the reply to a message's end of data: RFC 5321 §4.5.3.2.6 asks a client for at least
    /// 10 minutes, since the server may be delivering it meanwhile. A reply that does not come within it leaves the
    /// message's outcome unknown.
    public var dataTimeoutSeconds: Int
    /// How many times one recipient is retried after a temporary failure, within one run.
    public var retries: Int
    /// The first retry's delay; each further retry waits twice as long.
    public var retryDelaySeconds: Double

    /// The host part of ``url``.
    public var host: String { URLComponents(string: url)?.host ?? "" }

    /// The relays of `smtp.relays`, each with its own connection settings and the shared ones (envelope sender,
    /// timeouts, retries); empty for the single-relay form, whose settings are this value's own.
    public var relays: [SMTPSettings] = []

    /// Every relay to send through: ``relays``, or this value alone.
    public var allRelays: [SMTPSettings] { relays.isEmpty ? [self] : relays }

    /// The relay's name in summaries, logs and the journal: its URL without the scheme.
    public var relayName: String {
        url.range(of: "://").map { String(url[$0.upperBound...]) } ?? url
    }

    /// The keys each relay of `smtp.relays` has of its own; in the single-relay form they sit in `smtp` itself.
    static let connectionKeys = [
        "url", "security", "caFile", "username", "passwordEnv", "passwordFile", "connections", "messagesPerConnection", "messagesPerSecond",
    ]

    init(reading reader: inout ConfigurationReader, resolve: (String) -> String) throws(ConfigurationError) {
        let file = reader.file
        url = ""
        security = .starttls
        connections = 4
        messagesPerConnection = 100
        timeoutSeconds = 60
        dataTimeoutSeconds = 600
        retries = 3
        retryDelaySeconds = 5
        var relayReaders: [ConfigurationReader] = []
        if let value = reader.value("relays") {
            guard case .array(let elements) = value, !elements.isEmpty, elements.count <= 32 else {
                throw .wrongType(file: file, key: reader.keyPath("relays"), expected: "an array of 1 to 32 relays", found: value.typeDescription)
            }
            if let key = SMTPSettings.connectionKeys.first(where: { key in reader.members.contains { $0.key == key } }) {
                throw .invalidValue(
                    file: file, key: reader.keyPath(key), reason: "with smtp.relays, each relay has its own `\(key)`: move it into the relays")
            }
            for (index, element) in elements.enumerated() {
                relayReaders.append(try ConfigurationReader(file: file, path: reader.keyPath("relays") + "[\(index)]", value: element))
            }
        } else {
            try readConnection(&reader, resolve: resolve)
        }
        try readShared(&reader)
        var parsed: [SMTPSettings] = []
        for var relayReader in relayReaders {
            var relay = self
            try relay.readConnection(&relayReader, resolve: resolve)
            try relayReader.finish()
            parsed.append(relay)
        }
        if var first = parsed.first {
            // The top-level connection fields describe the first relay, for what reads them (logs, the host).
            first.relays = parsed
            self = first
        }
        let names = allRelays.map { $0.relayName.lowercased() }
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw .invalidValue(file: file, key: reader.keyPath("relays"), reason: "\(duplicate) is listed twice")
        }
    }

    /// Reads the keys of one relay (``connectionKeys``) from `reader`: `smtp` itself, or one of `smtp.relays`.
    private mutating func readConnection(_ reader: inout ConfigurationReader, resolve: (String) -> String) throws(ConfigurationError) {
        let file = reader.file
        url = try reader.requiredString("url")
        let checked = try SMTPURL(url, key: reader.keyPath("url"), file: file)
        let scheme = checked.scheme
        let host = checked.host
        let securityText = try reader.string("security") ?? (scheme == "smtps" ? "tls" : "starttls")
        let securityKey = reader.keyPath("security")
        guard let security = Security(rawValue: securityText) else {
            throw .invalidValue(file: file, key: securityKey, reason: "must be \"starttls\", \"tls\" or \"none\", found \"\(Sanitize.printable(securityText))\"")
        }
        self.security = security
        if security == .tls && scheme != "smtps" {
            throw .invalidValue(file: file, key: securityKey, reason: "\"tls\" (implicit TLS) needs an smtps:// URL")
        }
        if security != .tls && scheme == "smtps" {
            throw .invalidValue(file: file, key: securityKey, reason: "an smtps:// URL is implicit TLS: use \"tls\"")
        }
        if security == .none && !SMTPSettings.isLoopback(host) {
            throw .invalidValue(file: file, key: securityKey, reason: "\"none\" sends mail and passwords in clear text and is allowed only for a loopback host, not \(host)")
        }
        caFile = try reader.string("caFile").map(resolve)
        username = try reader.string("username")
        passwordEnv = try reader.string("passwordEnv")
        passwordFile = try reader.string("passwordFile").map(resolve)
        connections = try reader.integer("connections", in: 1...64) ?? 4
        messagesPerConnection = try reader.integer("messagesPerConnection", in: 1...1_000_000) ?? 100
        messagesPerSecond = try reader.number("messagesPerSecond", in: 0.01...1_000_000)
    }

    /// Reads the keys every relay shares: the envelope sender, timeouts and retries.
    private mutating func readShared(_ reader: inout ConfigurationReader) throws(ConfigurationError) {
        let file = reader.file
        if let text = try reader.string("envelopeFrom") {
            do {
                envelopeFrom = try EmailAddress(text)
            } catch {
                throw .invalidValue(file: file, key: "smtp.envelopeFrom", reason: error.description)
            }
            // VERP (see VERPAddress): one placeholder, in the local part, which must still fit 64 octets.
            if text.contains(VERPAddress.placeholder), let address = envelopeFrom {
                let placeholders = text.components(separatedBy: VERPAddress.placeholder).count - 1
                guard placeholders == 1, address.localPart.contains(VERPAddress.placeholder),
                    address.localPart.utf8.count - VERPAddress.placeholder.utf8.count + VERPAddress.tokenLength <= 64
                else {
                    throw .invalidValue(
                        file: file, key: "smtp.envelopeFrom",
                        reason: "'\(text)': {{verp}} must appear once, in the part before '@', which must stay within 64 octets with a \(VERPAddress.tokenLength)-character token")
                }
            }
        }
        timeoutSeconds = try reader.integer("timeoutSeconds", in: 1...3600) ?? 60
        dataTimeoutSeconds = try reader.integer("dataTimeoutSeconds", in: 1...3600) ?? 600
        retries = try reader.integer("retries", in: 0...20) ?? 3
        retryDelaySeconds = try reader.number("retryDelaySeconds", in: 0...3600) ?? 5
    }

    /// Whether `host` names this machine: localhost, 127.0.0.0/8 or ::1.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The password from `passwordEnv` or `passwordFile`, if configured.
    public func password(environment: [String: String]) throws(ConfigurationError) -> String? {
        if let variable = passwordEnv, let value = environment[variable], !value.isEmpty { return value }
        if let passwordFile {
            do {
                var bytes = try FileSystem.readAll(passwordFile)
                while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
                return String(decoding: bytes, as: UTF8.self)
            } catch {
                throw .invalidValue(file: passwordFile, key: "smtp.passwordFile", reason: "cannot read: \(error.reason)")
            }
        }
        return nil
    }
}
