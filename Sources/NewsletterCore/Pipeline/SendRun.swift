import Foundation

/// A `send` problem found before anything was sent: a missing section, secret or password.
public enum SendSetupError: Error, Equatable, CustomStringConvertible, Sendable {
    case missing(file: String, what: String)

    public var description: String {
        switch self {
        case .missing(let file, let what): return "\(file): \(what)"
        }
    }
}

/// The counts of a delivery run, updated as it goes.
public struct SendProgress: Sendable {
    /// Recipients this run will try.
    public var total = 0
    public var sent = 0
    public var failed = 0
    public var deferred = 0
    public var retried = 0
    /// Seconds since delivery started.
    public var elapsed: Double = 0

    /// Recipients with an outcome.
    public var done: Int { sent + failed + deferred }
    /// Messages per second so far.
    public var rate: Double { elapsed > 0 ? Double(sent + failed) / elapsed : 0 }
}

/// What a `send` run did.
public struct SendReport: Sendable {
    /// The edition sent (nil when there was nothing new to send).
    public var editionID: String?
    /// Whether an unfinished edition was resumed.
    public var isResumed = false
    public var articleCount = 0
    /// Recipients already served by an earlier run of the same edition.
    public var alreadyDone = 0
    /// Active recipients skipped with a warning (an address this sender cannot deliver to).
    public var skipped: [String] = []
    /// Addresses active in the list but opted out in the suppression journal, not sent to.
    public var suppressed = 0
    /// Permanent failures: address and reply.
    public var failures: [(address: String, reply: String)] = []
    /// Recipients left pending for the next run, with the last reply.
    public var deferred: [(address: String, reply: String)] = []
    public var progress = SendProgress()
    /// Whether the run was stopped by SIGTERM or SIGINT before it finished.
    public var wasInterrupted = false
    /// Whether the edition is now complete.
    public var isComplete = false
    /// Set when there was no new article and nothing was sent.
    public var nothingNew = false
    /// Set when `resumeOnly` found no unfinished edition.
    public var nothingToResume = false
    /// The dry-run folder, if this was one.
    public var dryRunDirectory: String?

    /// Whether some recipients remain for the next run.
    public var hasPending: Bool { !isComplete && !nothingNew && !nothingToResume && dryRunDirectory == nil }
}

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
        public var verbose = false
        /// Only finish an unfinished edition; never start a new one (for a retry run later in the day).
        public var resumeOnly = false

        public init(now: Date, force: Bool = false, dryRunDirectory: String? = nil, verbose: Bool = false, resumeOnly: Bool = false) {
            self.now = now
            self.force = force
            self.dryRunDirectory = dryRunDirectory
            self.verbose = verbose
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
    /// Chooses Message-IDs and boundaries; injected by tests.
    public var identity: any MessageIdentity = RandomMessageIdentity()
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
    ///   holds the lock; ``DeliveryError`` when the server stops the run (outcomes recorded so far stand).
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
            let password = try smtp.password(environment: environment)
            if smtp.username != nil && password == nil {
                throw SendSetupError.missing(file: file, what: "smtp.username is set but no password: set the variable named by smtp.passwordEnv, or smtp.passwordFile")
            }
            let envelope = smtp.envelopeFrom ?? configuration.newsletter.from.address
            // `{{verp}}` in smtp.envelopeFrom: each message's envelope sender names its recipient (VERPAddress).
            let verp = VERPAddress(template: envelope.description, secret: secret)
            transport = makeTransport?(smtp, envelope, password)
                ?? SMTPTransport(settings: smtp, envelopeFrom: envelope, password: password, verbose: options.verbose, verp: verp)
        }
        guard let stateDirectory = configuration.stateDirectory else {
            if isDryRun { return [try deliverWithoutState(templates: templates, secret: secret, transport: transport, report: report)] }
            throw SendSetupError.missing(file: file, what: "send needs `state.directory` to remember what was sent")
        }

        let store = EditionStore(directory: stateDirectory)
        var lock: FileLock?
        if !isDryRun {
            try store.prepare()
            lock = try FileLock.acquire(store.lockPath, timeout: 0, holder: "newsletter send since \(ISO8601DateFormatter().string(from: Date()))")
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
            } else if options.resumeOnly {
                if reports.isEmpty { report.nothingToResume = true; reports.append(report) }
                return reports
            } else {
                guard let articles = try newArticles(after: try store.lastCompletedDate()) else {
                    report.nothingNew = true
                    reports.append(report)
                    return reports
                }
                if isDryRun {
                    edition = Edition(id: "dry-run", date: options.now, articles: articles, directory: "")
                } else {
                    edition = try store.create(date: options.now, articles: articles)
                }
            }
            report.editionID = edition.id
            report.articleCount = edition.articles.count

            let journal = isDryRun ? nil : Journal(path: edition.journalPath)
            let done = try journal?.load() ?? [:]
            let delivered = try deliver(
                edition: edition, templates: templates, secret: secret, transport: transport, journal: journal, done: done,
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
    private func newArticles(after: Date?) throws -> [Article]? {
        let collection = try DirectoryArticleSource(directory: configuration.articles.directory).collect(
            ArticleSelection(now: options.now, window: configuration.articles.window, after: after, maxArticles: configuration.articles.maxArticles))
        collection.problems.forEach { onWarning("\($0) (skipped)") }
        return collection.articles.isEmpty && !options.force ? nil : collection.articles
    }

    private func deliverWithoutState(templates: TemplateSet, secret: [UInt8], transport: any MailTransport, report: SendReport) throws -> SendReport {
        var report = report
        guard let articles = try newArticles(after: nil) else {
            report.nothingNew = true
            return report
        }
        let edition = Edition(id: "dry-run", date: options.now, articles: articles, directory: "")
        report.editionID = edition.id
        report.articleCount = edition.articles.count
        return try deliver(edition: edition, templates: templates, secret: secret, transport: transport, journal: nil, done: [:], store: nil, report: report)
    }

    private func deliver(
        edition: Edition, templates: TemplateSet, secret: [UInt8], transport: any MailTransport, journal: Journal?, done: [String: Journal.Entry],
        store: EditionStore?, report initial: SendReport
    ) throws -> SendReport {
        var report = initial
        // The list is read now, under its lock, so an unsubscribe made before this run is honoured even when
        // resuming an edition started earlier.
        let listLock = try? FileLock.acquire(configuration.subscribers.file + ".lock", exclusive: false, timeout: 10)
        let list = try SubscriberList.load(from: configuration.subscribers.file)
        listLock?.release()
        list.warnings.forEach { onWarning($0.description) }
        // Opt-outs in the suppression journal win over the list: a hand edit cannot resubscribe anyone.
        let suppressed = try configuration.stateDirectory.map { try SuppressionList(stateDirectory: $0).load() } ?? [:]

        var recipients: [Subscriber] = []
        for subscriber in list.subscribers() {
            if done[subscriber.address.normalized] != nil {
                report.alreadyDone += 1
            } else if suppressed[subscriber.address.normalized] != nil {
                report.suppressed += 1
            } else if subscriber.address.requiresSMTPUTF8 {
                report.skipped.append(subscriber.address.description)
                onWarning("\(subscriber.address): skipped: its local part is not ASCII and needs SMTPUTF8, which this sender does not negotiate")
            } else {
                recipients.append(subscriber)
            }
        }
        report.progress.total = recipients.count

        let sanitizer = HTMLSanitizer(rules: configuration.articles.boilerplate)
        let prepared = edition.articles.map { PreparedArticle($0, sanitizer: sanitizer, excerptLength: configuration.articles.excerptLength) }
        let renderer = DigestRenderer(
            configuration: configuration, templates: templates, articles: prepared, date: edition.date, tokens: UnsubscribeToken(secret: secret))

        if let first = recipients.first { try renderer.validateUnsubscribeURL(for: first) }

        var index = 0
        var identity = self.identity
        let start = SMTPTransport.monotonicNow()
        var progress = report.progress
        var failures: [(String, String)] = []
        var deferred: [(String, String)] = []
        var renderError: (any Error)?

        let produce: () throws -> DeliveryJob? = {
            guard index < recipients.count else { return nil }
            let subscriber = recipients[index]
            index += 1
            let message = try renderer.wireMessage(for: subscriber, identity: &identity)
            return DeliveryJob(recipient: subscriber.address, messageID: message.messageID, bytes: message.bytes)
        }
        // Rendering runs on its own thread a few messages ahead; `taken` counts what the transport consumed.
        let ahead = RenderAhead(capacity: 32, produce: produce)
        ahead.start()
        var taken = 0
        let next: () throws -> DeliveryJob? = {
            let job = try ahead.next()
            if job != nil { taken += 1 }
            return job
        }
        let writer = journal.map { JournalWriter(journal: $0) }
        let recorder = RunRecorder(writer: writer) { results in
            for result in results {
                switch result {
                case .sent: progress.sent += 1
                case .failed(let job, let reply):
                    progress.failed += 1
                    failures.append((job.recipient.description, reply))
                case .deferred(let job, let reply):
                    progress.deferred += 1
                    deferred.append((job.recipient.description, reply))
                }
            }
            progress.retried = transport.retriedCount
            progress.elapsed = SMTPTransport.monotonicNow() - start
            self.onProgress(progress)
        }
        var interrupted = false
        let stop: () -> Bool = {
            if self.shouldStop() { interrupted = true }
            return interrupted
        }
        do {
            try transport.deliver(next: next, recorder: recorder, shouldStop: stop)
        } catch {
            renderError = error
        }
        ahead.cancel()
        // Every outcome on disk before the run goes on (or stops with the transport's error).
        do {
            try writer?.finish()
        } catch {
            renderError = renderError ?? error
        }
        progress.retried = transport.retriedCount
        progress.elapsed = SMTPTransport.monotonicNow() - start
        // Past the expiry, what is still pending after this last try is recorded as failed.
        if !interrupted, renderError == nil, !deferred.isEmpty, let journal, options.now.timeIntervalSince(edition.date) >= configuration.pendingExpiry {
            let expired = deferred
            deferred = []
            let hours = Int(configuration.pendingExpiry / 3600)
            var results: [DeliveryResult] = []
            for (address, reply) in expired {
                let message = "expired: still failing \(hours) h after the edition started; last reply: \(reply)"
                failures.append((address, message))
                if let recipient = try? EmailAddress(address) {
                    results.append(.failed(DeliveryJob(recipient: recipient, messageID: "", bytes: []), reply: message))
                }
            }
            try journal.append(results, at: Date())
            progress.failed += expired.count
            progress.deferred = 0
        }
        report.progress = progress
        report.failures = failures
        report.deferred = deferred
        report.wasInterrupted = interrupted
        if let renderError { throw renderError }

        if !interrupted && deferred.isEmpty && taken >= recipients.count, let store {
            try store.complete(edition, sent: progress.sent + done.values.filter { if case .sent = $0 { return true } else { return false } }.count,
                failed: progress.failed, at: Date())
            report.isComplete = true
        }
        if store == nil && !interrupted { report.isComplete = true }
        return report
    }
}

/// The run's ``ResultRecorder``: counts each batch at once, and journals it on the writer's thread.
final class RunRecorder: ResultRecorder {
    let writer: JournalWriter?
    let count: ([DeliveryResult]) -> Void

    init(writer: JournalWriter?, count: @escaping ([DeliveryResult]) -> Void) {
        self.writer = writer
        self.count = count
    }

    func record(_ results: [DeliveryResult]) throws -> Int {
        let ticket = try writer?.submit(results) ?? 0
        count(results)
        return ticket
    }

    func durableTicket() throws -> Int { try writer?.durableTicket() ?? Int.max }
    func setWakeup(_ wakeup: (@Sendable () -> Void)?) { writer?.setWakeup(wakeup) }
}
