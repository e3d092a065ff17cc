import Foundation
import Logging

/// The daily job: fixes an edition, renders one message per active subscriber and delivers each exactly once.
///
/// Every outcome is journalled durably as it happens; a killed or failed run resumes the unfinished edition
/// next time and sends only to those without an outcome. Two runs never overlap (`send.lock`).
public final class SendRun {
    public struct Options: Sendable {
        public var now: Date
        public var force = false
        /// Write messages here instead of sending; no server, no state change.
        public var dryRunDirectory: String?
        /// Only finish an unfinished edition; never start a new one (for a retry run later in the day).
        public var resumeOnly = false

        public init(now: Date, force: Bool = false, dryRunDirectory: String? = nil, resumeOnly: Bool = false) {
            self.now = now
            self.force = force
            self.dryRunDirectory = dryRunDirectory
            self.resumeOnly = resumeOnly
        }
    }

    let configuration: Configuration
    let options: Options
    let environment: [String: String]
    /// Called after each recorded batch, for progress display.
    public var onProgress: (SendProgress) -> Void = { _ in }
    /// Asked before each new message; true stops the run once the messages in flight are recorded.
    public var shouldStop: () -> Bool = { false }
    /// Called with warnings (skipped article files and subscriber entries) before delivery starts.
    public var onWarning: (String) -> Void = { _ in }
    /// Where the SMTP dialogue is logged at debug level (`--verbose`); nil for none.
    public var trace: Logger?
    /// Chooses Message-IDs and boundaries; injected by tests. By default ``EditionMessageIdentity``: each
    /// Message-ID derived from the edition and the recipient.
    public var identity: (any MessageIdentity)?
    /// Builds the transport; tests may inject another real transport (e.g. with a different server).
    public var makeTransport: ((SMTPSettings, EmailAddress, String?) -> any MailTransport)?

    public init(configuration: Configuration, options: Options, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.configuration = configuration
        self.options = options
        self.environment = environment
    }

    /// Runs the job.
    ///
    /// - Throws: configuration and input errors before anything is sent; ``FileLock/LockError`` when another run
    ///   holds the lock; ``DKIMError`` when a configured key cannot be used; ``DeliveryError`` when the server stops
    ///   the run (outcomes recorded so far stand).
    public func run() throws -> [SendReport] {
        var report = SendReport()
        report.dryRunDirectory = options.dryRunDirectory
        let file = configuration.file
        let isDryRun = options.dryRunDirectory != nil

        // Everything that can be checked is checked before a lock is taken or a message is sent.
        guard let secret = try UnsubscribeToken.loadSecret(variable: configuration.subscribers.secretEnv, file: configuration.subscribers.secretFile, environment: environment) else {
            throw SendSetupError.missing(file: file, what: "send needs the unsubscribe secret: set \(configuration.subscribers.secretEnv) or subscribers.secretFile")
        }
        let templates = try TemplateSet.load(configuration)
        // The DKIM keys are read once, here, before anything is locked or sent.
        let signer = try configuration.dkim.map(DKIMSigner.init(settings:))
        var transport: any MailTransport
        if let directory = options.dryRunDirectory {
            do {
                if directory != FileTransport.discard {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                }
            } catch {
                throw FileSystem.IOError(path: directory, reason: FileSystem.reason(error))
            }
            transport = FileTransport(directory: directory)
        } else {
            guard let smtp = configuration.smtp else { throw SendSetupError.missing(file: file, what: "send needs an `smtp` section (smtp.url)") }
            var passwords: [String?] = []
            for (index, relay) in smtp.allRelays.enumerated() {
                let password = try relay.password(environment: environment)
                if relay.username != nil && password == nil {
                    let key = smtp.relays.isEmpty ? "smtp" : "smtp.relays[\(index)]"
                    throw SendSetupError.missing(file: file, what: "\(key).username is set but no password: set the variable named by \(key).passwordEnv, or \(key).passwordFile")
                }
                passwords.append(password)
            }
            let password = passwords.first ?? nil
            let envelope = smtp.envelopeFrom ?? configuration.newsletter.from.address
            // `{{verp}}` in smtp.envelopeFrom: each message's envelope sender names its recipient (VERPAddress).
            let verp = VERPAddress(template: envelope.description, secret: secret)
            transport = makeTransport?(smtp, envelope, password)
                ?? SMTPTransport(settings: smtp, envelopeFrom: envelope, passwords: passwords, trace: trace, verp: verp)
        }
        guard let stateDirectory = configuration.stateDirectory else {
            if isDryRun { return [try deliverWithoutState(templates: templates, secret: secret, signer: signer, transport: transport, report: report)] }
            throw SendSetupError.missing(file: file, what: "send needs `state.directory` to remember what was sent")
        }

        let store = EditionStore(directory: stateDirectory)
        var lock: FileLock?
        if !isDryRun {
            try store.prepare()
            lock = try FileLock.acquire(store.lockPath, timeout: 0, holder: "newsletter send since \(Instant.iso(Date()))")
        }
        defer { lock?.release() }

        // The edition: the unfinished one, or a new one with the articles published since the last. A resumed
        // edition that completes is followed, in the same run, by the next one.
        var reports: [SendReport] = []
        while true {
            var report = SendReport()
            report.dryRunDirectory = options.dryRunDirectory
            var edition: Edition
            if let unfinished = try store.unfinishedEdition() {
                edition = unfinished
                report.isResumed = true
                // Idempotent: a crash between edition.json and the record of its feed items loses nothing.
                if !isDryRun { try SeenItems(stateDirectory: stateDirectory).record(edition) }
            } else if options.resumeOnly {
                if reports.isEmpty { report.nothingToResume = true; reports.append(report) }
                return reports
            } else {
                let seen = SeenItems(stateDirectory: stateDirectory).load()
                guard let articles = try newArticles(after: try store.lastCompletedDate(), excluding: seen) else {
                    report.nothingNew = true
                    reports.append(report)
                    return reports
                }
                if isDryRun {
                    edition = Edition(id: "dry-run", date: options.now, articles: articles, directory: "")
                } else {
                    edition = try store.create(date: options.now, articles: articles)
                    // After edition.json: the edition's feed items never come back in a later edition.
                    try SeenItems(stateDirectory: stateDirectory).record(edition)
                }
            }
            report.editionID = edition.id
            report.articleCount = edition.articles.count

            let journal = isDryRun ? nil : Journal(path: edition.journalPath)
            let done = try journal?.load() ?? [:]
            let delivered = try deliver(
                edition: edition, templates: templates, secret: secret, signer: signer, transport: transport, journal: journal, done: done,
                store: isDryRun ? nil : store, report: report)
            reports.append(delivered)
            // Permanent refusals feed the list: a 5.1.x unsubscribes at once, other 5xx count (issue 14).
            if !isDryRun, !delivered.failures.isEmpty {
                let lines = try SendFailureFeedback(configuration: configuration, stateDirectory: store.directory)
                    .apply(delivered.failures, edition: edition.id, at: options.now)
                lines.forEach(onWarning)
            }
            guard delivered.isResumed, delivered.isComplete, !isDryRun, !options.resumeOnly else { return reports }
        }
    }

    /// The articles of a new edition: those published after `after` within the window, or nil when there is
    /// none and `--force` was not given.
    private func newArticles(after: Date?, excluding seen: Set<String> = []) throws -> [Article]? {
        let collection = try Digest.collectArticles(configuration: configuration, now: options.now, after: after, excluding: seen)
        collection.problems.forEach { onWarning("\($0) (skipped)") }
        collection.warnings.forEach { onWarning($0.description) }
        return collection.articles.isEmpty && !options.force ? nil : collection.articles
    }

    private func deliverWithoutState(templates: TemplateSet, secret: [UInt8], signer: DKIMSigner?, transport: any MailTransport, report: SendReport) throws -> SendReport {
        var report = report
        guard let articles = try newArticles(after: nil) else {
            report.nothingNew = true
            return report
        }
        let edition = Edition(id: "dry-run", date: options.now, articles: articles, directory: "")
        report.editionID = edition.id
        report.articleCount = edition.articles.count
        return try deliver(
            edition: edition, templates: templates, secret: secret, signer: signer, transport: transport, journal: nil, done: [:], store: nil, report: report)
    }

    /// Delivers `edition` to every recipient without an outcome: plan, render ahead, deliver, journal, expire,
    /// complete.
    private func deliver(
        edition: Edition, templates: TemplateSet, secret: [UInt8], signer: DKIMSigner?, transport: any MailTransport, journal: Journal?,
        done: [String: Journal.Entry],
        store: EditionStore?, report initial: SendReport
    ) throws -> SendReport {
        var report = initial
        let plan = try RecipientPlan.make(configuration: configuration, done: done)
        plan.warnings.forEach(onWarning)
        report.alreadyDone = plan.alreadyDone
        report.resent = plan.resent
        report.suppressed = plan.suppressed
        report.skipped = plan.skipped

        // "View in browser": the edition's page in the archive that `newsletter serve` publishes, when it has a public URL.
        let archiveURL = store == nil ? nil : configuration.server?.publicURL.map { $0 + "/archive/" + edition.id + ".html" }
        let digest = Digest(
            configuration: configuration, templates: templates, articles: edition.articles, date: edition.date, tokens: UnsubscribeToken(secret: secret),
            archiveURL: archiveURL)
        if plan.recipientCount > 0 { try digest.renderer.validateUnsubscribeURL(for: try plan.recipient(0)) }

        let start = SMTPTransport.monotonicNow()
        var tally = DeliveryTally(total: plan.recipientCount)
        let feed = MessageFeed(
            count: plan.recipientCount, recipient: plan.recipient, renderer: digest.renderer,
            identity: identity ?? EditionMessageIdentity(secret: secret, edition: edition.id), signer: signer)
        let writer = journal.map { JournalWriter(journal: $0) }
        let recorder = RunRecorder(writer: writer) { results in
            tally.count(results)
            tally.progress.retried = transport.retriedCount
            tally.progress.elapsed = SMTPTransport.monotonicNow() - start
            self.onProgress(tally.progress)
        }
        var interrupted = false
        var runError: (any Error)?
        do {
            try transport.deliver(next: feed.next, recorder: recorder) {
                if self.shouldStop() { interrupted = true }
                return interrupted
            }
        } catch {
            runError = error
        }
        feed.cancel()
        // Every outcome on disk before the run goes on (or stops with the transport's error).
        do {
            try writer?.finish()
        } catch {
            runError = runError ?? error
        }
        tally.progress.retried = transport.retriedCount
        tally.progress.elapsed = SMTPTransport.monotonicNow() - start
        // Recipients never tried (a signal, or a stop) are as pending as those whose retries ran out.
        let untried = plan.recipientCount - feed.taken
        let expiry = PendingExpiry(expiry: configuration.pendingExpiry)
        if !interrupted, runError == nil, !tally.deferred.isEmpty, let journal, expiry.hasExpired(editionDate: edition.date, now: options.now) {
            try expiry.expire(&tally, journal: journal, at: Date())
        }
        journal?.close()  // Cuts off the zeros kept ahead of the lines.
        if interrupted || runError != nil { tally.progress.deferred += untried }
        report.progress = tally.progress
        report.failures = tally.failures
        report.deferred = tally.deferred
        report.unknown = tally.unknown
        report.relays = transport.relayReports
        report.wasInterrupted = interrupted
        if let runError { throw runError }

        // An unknown outcome keeps the edition open for its one resend by the next run; a resend that is unknown
        // again settles it.
        let resentKeys = Set(plan.resent.compactMap { try? EmailAddress($0).normalized })
        let awaitingResend = tally.unknown.contains { entry in
            guard let key = try? EmailAddress(entry.address).normalized else { return false }
            return !resentKeys.contains(key)
        }
        if !interrupted && tally.deferred.isEmpty && untried == 0 && !awaitingResend, let store {
            let sentBefore = done.values.filter { if case .sent = $0 { return true } else { return false } }.count
            try store.complete(edition, sent: tally.progress.sent + sentBefore, failed: tally.progress.failed, at: Date())
            report.isComplete = true
        }
        if store == nil && !interrupted { report.isComplete = true }
        return report
    }
}
