import Foundation

/// `mailbox.*`: the IMAP mailbox that receives bounces, complaints and unsubscribe mail, and what to do with it.
public struct MailboxSettings: Sendable, Equatable {
    /// `imap://host:port/INBOX` or `imaps://host:port/INBOX`: the server and the folder to read.
    public var url: String
    /// How the connection is protected (as for SMTP: `none` only on loopback).
    public var security: SMTPSettings.Security
    /// A PEM file of trusted CAs; the system store otherwise. Certificates are always verified.
    public var caFile: String?
    public var username: String?
    /// The environment variable holding the password.
    public var passwordEnv: String?
    /// A file holding the password, used when `passwordEnv` is not set.
    public var passwordFile: String?
    /// Where handled reports are moved; nil: they are flagged `\Seen` and stay.
    public var processedFolder: String?
    /// How many soft bounces (and permanent failures at send time) within ``softBounceWindow`` suppress an address.
    public var softBounceLimit: Int
    /// The window in which soft bounces are counted, in seconds.
    public var softBounceWindow: TimeInterval
    /// Messages larger than this are skipped with a warning, in bytes.
    public var maxMessageBytes: Int
    /// The most messages one run reads; the rest wait for the next run.
    public var maxMessagesPerRun: Int
    /// How long to wait for the server to answer, and to connect.
    public var timeoutSeconds: Int

    /// The host part of ``url``.
    public var host: String { URLComponents(string: url)?.host ?? "" }

    init(reading reader: inout ConfigurationReader, resolve: (String) -> String) throws(ConfigurationError) {
        let file = reader.file
        url = try reader.requiredString("url")
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["imap", "imaps"].contains(scheme),
            let host = components.host, !host.isEmpty
        else {
            throw .invalidValue(file: file, key: "mailbox.url", reason: "'\(url)' is not an imap:// or imaps:// URL with a host, such as imaps://mail.example.org/INBOX")
        }
        let folder = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !folder.isEmpty, !folder.contains(";"), !folder.contains("?") else {
            throw .invalidValue(file: file, key: "mailbox.url", reason: "'\(url)' must name one folder, e.g. imaps://mail.example.org/INBOX")
        }
        if components.user != nil || components.password != nil {
            throw .invalidValue(file: file, key: "mailbox.url", reason: "put the user in mailbox.username and the password in mailbox.passwordEnv or mailbox.passwordFile, not in the URL")
        }
        let securityText = try reader.string("security") ?? (scheme == "imaps" ? "tls" : "starttls")
        guard let security = SMTPSettings.Security(rawValue: securityText) else {
            throw .invalidValue(file: file, key: "mailbox.security", reason: "must be \"starttls\", \"tls\" or \"none\", found \"\(securityText)\"")
        }
        if security == .tls && scheme != "imaps" {
            throw .invalidValue(file: file, key: "mailbox.security", reason: "\"tls\" (implicit TLS) needs an imaps:// URL")
        }
        if security != .tls && scheme == "imaps" {
            throw .invalidValue(file: file, key: "mailbox.security", reason: "an imaps:// URL is implicit TLS: use \"tls\"")
        }
        if security == .none && !SMTPSettings.isLoopback(host) {
            throw .invalidValue(file: file, key: "mailbox.security", reason: "\"none\" sends the password in clear text and is allowed only for a loopback host, not \(host)")
        }
        self.security = security
        caFile = try reader.string("caFile").map(resolve)
        username = try reader.string("username")
        passwordEnv = try reader.string("passwordEnv")
        passwordFile = try reader.string("passwordFile").map(resolve)
        processedFolder = try reader.string("processedFolder")
        if let name = processedFolder {
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" && $0 != "%" && $0 != "*" }) else {
                throw .invalidValue(file: file, key: "mailbox.processedFolder", reason: "'\(Sanitize.printable(name))' must be a folder name of printable ASCII without spaces, quotes, backslashes, % or *")
            }
        }
        softBounceLimit = try reader.integer("softBounceLimit", in: 1...1000) ?? 3
        let windowText = try reader.string("softBounceWindow") ?? "30d"
        guard let window = Configuration.parseDuration(windowText) else {
            throw .invalidValue(file: file, key: "mailbox.softBounceWindow", reason: "'\(windowText)' is not a duration such as \"7d\" or \"30d\"")
        }
        softBounceWindow = window
        maxMessageBytes = try reader.integer("maxMessageBytes", in: 1024...(256 * 1024 * 1024)) ?? 10 * 1024 * 1024
        maxMessagesPerRun = try reader.integer("maxMessagesPerRun", in: 1...1_000_000) ?? 1000
        timeoutSeconds = try reader.integer("timeoutSeconds", in: 1...3600) ?? 60
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
                throw .invalidValue(file: passwordFile, key: "mailbox.passwordFile", reason: "cannot read: \(error.reason)")
            }
        }
        return nil
    }
}
