import Foundation
import Logging

/// Sends one message on its own (a sign-up confirmation) through the configured SMTP server, with the same MIME
/// writer and the same libcurl transport as `send`.
public struct SingleMessageSender: Sendable {
    public let configuration: Configuration
    let password: String?
    /// Signs each message when `dkim` is configured, as `send` signs the digest.
    let signer: DKIMSigner?

    /// - Throws: ``SendSetupError`` when there is no `smtp` section, or a username without a password;
    ///   ``DKIMError`` when a configured key cannot be used.
    public init(configuration: Configuration, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let smtp = configuration.smtp else {
            throw SendSetupError.missing(file: configuration.file, what: "sign-up confirmations need an `smtp` section (smtp.url)")
        }
        password = try smtp.password(environment: environment)
        if smtp.username != nil && password == nil {
            throw SendSetupError.missing(
                file: configuration.file, what: "smtp.username is set but no password: set the variable named by smtp.passwordEnv, or smtp.passwordFile")
        }
        self.configuration = configuration
        signer = try configuration.dkim.map(DKIMSigner.init(settings:))
    }

    /// The message to `to` from the newsletter's From, with the given subject and bodies; no List-Unsubscribe (it
    /// is not list mail: the person asked for it a moment ago).
    public func message(to: Mailbox, subject: String, text: String, html: String, date: Date, identity: inout some MessageIdentity) -> MailMessage {
        let from = configuration.newsletter.from
        return MailMessage(
            from: from, to: to, subject: Sanitize.collapsedLine(subject), date: date, timeZone: configuration.newsletter.timeZone,
            messageID: identity.messageID(domain: from.address.domain, date: date), listID: configuration.newsletter.listID,
            unsubscribeURIs: [], textBody: LineEndings.normalized(text), htmlBody: LineEndings.normalized(html), boundary: identity.boundary())
    }

    /// Sends `message` over one connection, blocking until the server answered.
    ///
    /// - Returns: the delivery result (sent, refused, or deferred after the configured retries).
    /// - Throws: ``DeliveryError`` when the server cannot be reached or refuses the session.
    public func send(_ message: MailMessage) throws -> DeliveryResult {
        guard var smtp = configuration.smtp else { throw SendSetupError.missing(file: configuration.file, what: "no `smtp` section") }
        smtp.connections = 1
        smtp.messagesPerSecond = nil
        // A confirmation's bounce goes to the newsletter's own address: there is no subscriber to attribute it to.
        let envelope = configuration.newsletter.from.address
        let transport = SMTPTransport(settings: smtp, envelopeFrom: envelope, password: password)
        let recorder = SingleResultRecorder()
        var bytes = message.serialized()
        if let signer { bytes = try signer.sign(bytes, timestamp: Int(message.date.timeIntervalSince1970)) }
        var job: DeliveryJob? = DeliveryJob(recipient: message.to.address, messageID: message.messageID, bytes: bytes)
        try transport.deliver(next: { defer { job = nil }; return job }, recorder: recorder, shouldStop: { false })
        guard let result = recorder.results.last else {
            return .deferred(DeliveryJob(recipient: message.to.address, messageID: message.messageID, bytes: []), reply: "no result")
        }
        return result
    }
}

/// Keeps the results of a one-message delivery in memory: nothing to make durable.
final class SingleResultRecorder: ResultRecorder, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [DeliveryResult] = []
    private var ticket = 0

    var results: [DeliveryResult] { lock.withLock { stored } }

    func record(_ results: [DeliveryResult]) throws -> Int {
        lock.withLock {
            stored += results
            ticket += 1
            return ticket
        }
    }

    func durableTicket() throws -> Int { lock.withLock { ticket } }
}
