import Foundation
import Logging

/// `newsletter mailbox`: reads the bounce mailbox over IMAP, classifies each message not handled yet, applies what it
/// means to the list, then marks it handled.
///
/// Act, then mark: a run killed between the two handles the same messages again next time, and that changes
/// nothing, because an unsubscribe of an unsubscribed address is a no-op, the suppression journal records an address
/// once, and a soft bounce is recorded once per (message, address). Messages are handled in batches: one list
/// transaction per batch.
public struct MailboxRun {
    /// How the run behaves.
    public struct Options: Sendable {
        /// Print what would be done; change nothing on the list, in the state folder or on the server (but the
        /// `\Seen` flags the fetch sets are put back).
        public var isDryRun: Bool
        /// Show the IMAP dialogue on stderr, credentials redacted.
        /// The run's clock.
        public var now: Date
        public var environment: [String: String]

        public init(isDryRun: Bool = false, now: Date = Date(), environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.isDryRun = isDryRun
            self.now = now
            self.environment = environment
        }
    }

    /// What a run did, for the summary line.
    public struct Summary: Sendable, Equatable {
        /// Messages read (fetched and classified).
        public var read = 0
        public var bounces = 0
        public var complaints = 0
        public var unsubscribes = 0
        public var ignored = 0
        /// Addresses newly unsubscribed by this run (hard bounces, complaints, requests, too many soft bounces).
        public var suppressed = 0
        /// Messages over the size limit, left unread.
        public var skipped = 0

        /// `read 5, bounces 2, complaints 1, unsubscribes 1, ignored 1, suppressed 3`.
        public var line: String {
            "read \(read), bounces \(bounces), complaints \(complaints), unsubscribes \(unsubscribes), ignored \(ignored), suppressed \(suppressed)"
                + (skipped > 0 ? ", skipped \(skipped) (too large)" : "")
        }
    }

    /// Progress, for the caller to print.
    public enum Event: Sendable {
        /// One message classified: its UID, a display form of its From and Subject, and what it means.
        case message(uid: UInt32, from: String, subject: String, classification: MailClassification)
        /// A change to the list (or, in a dry run, one that would be made).
        case action(String)
        case warning(String)
    }

    /// How many messages share one list transaction.
    static let batchSize = 50

    public let configuration: Configuration
    public let options: Options

    /// Where the IMAP dialogue is logged at debug level (`--verbose`); nil for none.
    public var trace: Logger?

    public init(configuration: Configuration, options: Options) {
        self.configuration = configuration
        self.options = options
    }

    /// Runs the reader.
    ///
    /// - Throws: ``MailboxError`` for a missing configuration, a connection, TLS or login failure (nothing is
    ///   changed before the login); ``SubscriberListError``, ``SecretError``, ``ConfigurationError`` for bad
    ///   input; ``FileLock/LockError`` when another writer holds the list.
    public func run(report: (Event) -> Void) throws -> Summary {
        guard let settings = configuration.mailbox else { throw MailboxError.notConfigured(file: configuration.file) }
        guard let stateDirectory = configuration.stateDirectory else { throw MailboxError.noStateDirectory(file: configuration.file) }
        let password = try settings.password(environment: options.environment)
        if settings.username != nil && password == nil { throw MailboxError.noPassword(file: configuration.file) }
        let secret = try UnsubscribeToken.loadSecret(
            variable: configuration.subscribers.secretEnv, file: configuration.subscribers.secretFile, environment: options.environment)
        if secret == nil {
            report(.warning("no unsubscribe secret (\(configuration.subscribers.secretEnv)): tokens and VERP addresses cannot be checked"))
        }
        let verp = secret.flatMap { secret in configuration.smtp?.envelopeFrom.flatMap { VERPAddress(template: $0.description, secret: secret) } }
        let list = try SubscriberList.load(from: configuration.subscribers.file)
        for warning in list.warnings { report(.warning(warning.description)) }
        let classifier = MailClassifier(
            index: RecipientIndex(subscribers: list.subscribers(), secret: secret, verp: verp),
            unsubscribeAddress: configuration.newsletter.unsubscribeMailto)

        if !options.isDryRun { try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true) }

        let connection = try IMAPConnection(settings: settings, password: password, trace: trace)
        let uids = try connection.unhandledUIDs()
        let todo = Array(uids.prefix(settings.maxMessagesPerRun))
        let status = try connection.status(of: todo)
        if let folder = settings.processedFolder, !options.isDryRun, !uids.isEmpty { try connection.ensureFolder(folder) }

        var summary = Summary()
        let store = SubscriberStore(configuration: configuration)
        let bounces = BounceJournal(stateDirectory: stateDirectory)
        if uids.count > todo.count {
            report(.warning("\(uids.count) messages wait; this run reads \(todo.count) (mailbox.maxMessagesPerRun), the next run the rest"))
        }
        for start in stride(from: 0, to: todo.count, by: MailboxRun.batchSize) {
            let batch = todo[start..<min(start + MailboxRun.batchSize, todo.count)]
            var handled: [(uid: UInt32, classification: MailClassification?, wasSeen: Bool)] = []
            var findings: [(finding: MailClassification.Finding, key: String)] = []
            for uid in batch {
                guard let (size, wasSeen) = status[uid] else { continue }
                guard size <= settings.maxMessageBytes,
                    let bytes = try connection.fetch(uid, limit: settings.maxMessageBytes)
                else {
                    report(.warning("message \(uid) is larger than mailbox.maxMessageBytes (\(settings.maxMessageBytes) bytes): skipped, left unread"))
                    summary.skipped += 1
                    handled.append((uid, nil, wasSeen))
                    continue
                }
                summary.read += 1
                let message = MIMEPart(bytes: bytes)
                let classification = classifier.classify(message)
                report(
                    .message(
                        uid: uid, from: message.headers.display("From") ?? "(no From)", subject: message.headers.display("Subject") ?? "(no Subject)",
                        classification: classification))
                switch classification.kind {
                case .bounce: summary.bounces += 1
                case .complaint: summary.complaints += 1
                case .unsubscribe: summary.unsubscribes += 1
                case .ignored: summary.ignored += 1
                }
                let key = MailboxRun.digest(bytes)
                findings += classification.findings.map { ($0, key) }
                handled.append((uid, classification, wasSeen))
            }
            summary.suppressed += try act(on: findings, store: store, bounces: bounces, settings: settings, report: report)
            try mark(handled, connection: connection, settings: settings)
        }
        return summary
    }

    /// Applies the findings of one batch: soft bounces into the journal, then one list transaction per reason.
    /// - Returns: how many addresses were newly unsubscribed.
    func act(
        on findings: [(finding: MailClassification.Finding, key: String)], store: SubscriberStore, bounces: BounceJournal, settings: MailboxSettings,
        report: (Event) -> Void
    ) throws -> Int {
        var byReason: [(reason: String, addresses: [EmailAddress])] = [("bounced", []), ("complained", []), ("unsubscribed", [])]
        func add(_ address: EmailAddress, _ reason: String) {
            guard let index = byReason.firstIndex(where: { $0.reason == reason }) else { return }
            if !byReason.contains(where: { $0.addresses.contains { $0.normalized == address.normalized } }) {
                byReason[index].addresses.append(address)
            }
        }
        // Complaints and requests first: an address that both complained and bounced is recorded as complained.
        for (finding, _) in findings where finding.effect == .complaint { add(finding.address, "complained") }
        for (finding, _) in findings where finding.effect == .unsubscribe { add(finding.address, "unsubscribed") }
        for (finding, _) in findings where finding.effect == .hardBounce { add(finding.address, "bounced") }

        let soft = findings.filter { $0.finding.effect == .softBounce }.map {
            BounceJournal.Entry(address: $0.finding.address.normalized, date: options.now, key: $0.key, detail: $0.finding.detail)
        }
        if !soft.isEmpty {
            var counts = try bounces.counts(within: settings.softBounceWindow, now: options.now)
            if options.isDryRun {
                let known = Set(try bounces.load().map { $0.address + "\t" + $0.key })
                for entry in soft where !known.contains(entry.address + "\t" + entry.key) { counts[entry.address, default: 0] += 1 }
            } else {
                try bounces.record(soft)
                counts = try bounces.counts(within: settings.softBounceWindow, now: options.now)
            }
            for (finding, _) in findings where finding.effect == .softBounce {
                let count = counts[finding.address.normalized] ?? 0
                if count >= settings.softBounceLimit {
                    add(finding.address, "bounced")
                } else {
                    report(.action("\(finding.address): soft bounce \(count) of \(settings.softBounceLimit) within the window"))
                }
            }
        }

        var suppressed = 0
        for (reason, addresses) in byReason where !addresses.isEmpty {
            if options.isDryRun {
                for address in addresses { report(.action("\(address): would unsubscribe (\(reason))")) }
                suppressed += addresses.count
                continue
            }
            let edits = addresses.map { address in
                SubscriberFileEditor.Edit.unsubscribe(
                    address, fields: [("reason", .string(reason)), ("unsubscribedAt", .string(Instant.iso(options.now)))])
            }
            let results = try store.apply(edits, source: "mailbox", reason: reason, at: options.now)
            for (address, result) in zip(addresses, results) {
                if case .done(.changed) = result {
                    suppressed += 1
                    report(.action("\(address): unsubscribed (\(reason))"))
                }
            }
        }
        return suppressed
    }

    /// Marks a batch handled: reports are moved to the processed folder or flagged `\Seen`; other mail is flagged
    /// handled and given back its unread state, for a person to read. In a dry run only the `\Seen` flags the fetch
    /// set are put back.
    func mark(_ handled: [(uid: UInt32, classification: MailClassification?, wasSeen: Bool)], connection: IMAPConnection, settings: MailboxSettings)
        throws
    {
        for (uid, classification, wasSeen) in handled {
            let isReport = classification.map { $0.kind != .ignored } ?? false
            if options.isDryRun || !isReport {
                if !options.isDryRun { try connection.addFlags(uid, IMAPConnection.handledKeyword) }
                if !wasSeen { try connection.removeFlags(uid, "\\Seen") }
                continue
            }
            try connection.addFlags(uid, "\\Seen " + IMAPConnection.handledKeyword)
            if let folder = settings.processedFolder { try connection.move(uid, to: folder) }
        }
    }

    /// A short name for a message's bytes: the key of its soft bounces in the journal.
    static func digest(_ bytes: [UInt8]) -> String {
        UnsubscribeToken.hmacSHA256(key: Array("newsletter mailbox message".utf8), message: bytes).prefix(12).map { byte in
            (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}
