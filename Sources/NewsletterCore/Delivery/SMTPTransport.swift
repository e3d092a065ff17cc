import CCurl
import CCurlShims
import Foundation
import Logging

/// Sends through libcurl's SMTP client: several connections, each on a thread of its own and reused for up to
/// `messagesPerConnection` messages, one `MAIL FROM` and one `RCPT TO` per message.
///
/// With several relays (`smtp.relays`) every relay has its own connections and its own rate limit, and all of
/// them take messages from one queue: each relay gets messages as fast as its connections take them, so in
/// proportion to its connections when the relays are alike. A relay that refuses connections, times out or
/// answers 421 is set aside with a growing backoff and tried again later in the run; meanwhile its messages go to
/// the others. The run stops only when every relay is set aside after three failures in a row.
public final class SMTPTransport: MailTransport {
    /// The settings shared by every relay (envelope sender, timeouts, retries), and the first relay's own.
    let settings: SMTPSettings
    let envelopeFrom: EmailAddress
    /// Each relay's settings and password, in configuration order.
    let relaySettings: [(settings: SMTPSettings, password: String?)]
    /// The relays of the last (or current) run.
    private var lastRelays: [Relay] = []
    private let reportLock = NSLock()
    /// Where the SMTP dialogue is logged (at debug level), if anywhere.
    let trace: Logger?
    public private(set) var retriedCount = 0
    /// Consecutive permanent failures after which the run stops: a sign that every message is being refused.
    let failureBudget = 20

    /// Set when `envelopeFrom` holds `{{verp}}`: each message's envelope sender is then its recipient's.
    let verp: VERPAddress?

    /// A transport for the relays of `settings` (``SMTPSettings/allRelays``), with one password for all.
    public convenience init(settings: SMTPSettings, envelopeFrom: EmailAddress, password: String?, trace: Logger? = nil, verp: VERPAddress? = nil) {
        self.init(settings: settings, envelopeFrom: envelopeFrom, passwords: settings.allRelays.map { _ in password }, trace: trace, verp: verp)
    }

    /// A transport for the relays of `settings`, `passwords[i]` being the password of relay i.
    public init(settings: SMTPSettings, envelopeFrom: EmailAddress, passwords: [String?], trace: Logger? = nil, verp: VERPAddress? = nil) {
        self.settings = settings
        self.envelopeFrom = envelopeFrom
        self.verp = verp
        self.relaySettings = settings.allRelays.enumerated().map { ($0.element, $0.offset < passwords.count ? passwords[$0.offset] : nil) }
        self.trace = trace
    }

    /// Whether messages are spread over several relays (and a failing relay is set aside rather than stopping
    /// the run).
    var hasSeveralRelays: Bool { relaySettings.count > 1 }

    public var relayReports: [RelayReport] {
        reportLock.withLock { lastRelays.map(\.report) }
    }

    static func monotonicNow() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Gives each connection a thread of its own that runs its transfers with `curl_easy_perform`.
    ///
    /// One thread per connection, rather than one multi handle for all of them, because libcurl 7.88 waits for
    /// the reply to a message's end of data inside the transfer's done phase, blocking: in a multi loop every
    /// connection would stand still while one of them waits for its reply.
    public func deliver(next: () throws -> DeliveryJob?, recorder: any ResultRecorder, shouldStop: () -> Bool) throws {
        _ = Curl.initialised
        // Each connection's thread owns its handle from here on, and cleans it up (QUIT) before it ends.
        var connections: [DeliveryRun.Connection] = []
        let now = SMTPTransport.monotonicNow()
        let relays = relaySettings.map { Relay(settings: $0.settings, password: $0.password, now: now) }
        reportLock.withLock { lastRelays = relays }
        var number = 0
        for relay in relays {
            for _ in 0..<relay.settings.connections {
                number += 1
                let easy = try CurlEasyHandle()
                try easy.configure(
                    relay.settings, password: relay.password, trace: trace, connection: number, relay: hasSeveralRelays ? relay.name : nil)
                connections.append(DeliveryRun.Connection(easy: easy, relay: relay))
            }
        }
        try withoutActuallyEscaping(next) { next in
            try withoutActuallyEscaping(shouldStop) { shouldStop in
                let run = DeliveryRun(transport: self, relays: relays, next: next, recorder: recorder, shouldStop: shouldStop)
                run.run(connections)
                if let fatal = run.pendingFatal { throw fatal }
            }
        }
    }

    /// The state the connections' threads share, behind one lock: the jobs waiting for a retry, the counts that
    /// decide when to stop, and the error that stops the run. `shouldStop` and the recorder's `record` are only
    /// called under that lock, so they need not be thread-safe. `next` is called under a lock of its own
    /// (``sourceLock``), so that a connection waiting for the next rendered message holds up no other
    /// connection; the recorder's `waitUntilDurable` is called from the connections' threads outside both.
    final class DeliveryRun: @unchecked Sendable {
        private let transport: SMTPTransport
        /// `next` and `shouldStop` are the caller's non-escaping closures: dropped by ``run(_:)`` before it returns.
        private var next: (() throws -> DeliveryJob?)?
        private let recorder: any ResultRecorder
        private var shouldStop: (() -> Bool)?
        /// Serialises the calls of `next`, which may wait for the render thread, outside the run's lock.
        private let sourceLock = NSLock()
        /// Set (under the run's lock) when `record` failed: no held message may be sent after that.
        private var journalFailed = false
        /// Every relay of the run; each connection belongs to one.
        private let relays: [Relay]
        private let condition = NSCondition()
        private var retryQueue: [DeliveryJob] = []
        private var sourceExhausted = false
        private var inFlight = 0
        /// Connections waiting in ``take()`` for a job: a finished job wakes them only when there are some.
        private var waiting = 0
        private var consecutiveFailures = 0
        /// A run-stopping error waits here until the messages in flight have finished and been recorded, so that
        /// none of them is sent again by the next run.
        private(set) var pendingFatal: (any Error)?

        init(transport: SMTPTransport, relays: [Relay], next: @escaping () throws -> DeliveryJob?, recorder: any ResultRecorder,
            shouldStop: @escaping () -> Bool)
        {
            self.transport = transport
            self.relays = relays
            self.next = next
            self.recorder = recorder
            self.shouldStop = shouldStop
        }

        /// Runs one thread per connection and returns when every thread has ended.
        func run(_ connections: [Connection]) {
            // Each thread signals once, as it ends: the caller is not woken by every message.
            let ended = DispatchSemaphore(value: 0)
            for connection in connections {
                let thread = Thread { [self] in
                    if let easy = connection.handOver() { work(easy, relay: connection.relay) }  // The handle is cleaned up (QUIT) as this returns.
                    ended.signal()
                }
                thread.name = "smtp"
                thread.start()
            }
            for _ in connections { ended.wait() }
            sourceLock.withLock {
                condition.withLock {
                    next = nil
                    shouldStop = nil
                }
            }
        }

        /// One connection's handle, handed over to its thread, which then holds the only reference.
        final class Connection: @unchecked Sendable {
            private var easy: CurlEasyHandle?
            /// The relay it connects to; its state is read and written under the run's lock only.
            let relay: Relay
            init(easy: CurlEasyHandle, relay: Relay) {
                self.easy = easy
                self.relay = relay
            }

            func handOver() -> CurlEasyHandle? {
                defer { easy = nil }
                return easy
            }
        }

        /// One connection's loop: take a job, send it, record its outcome.
        private func work(_ easy: CurlEasyHandle, relay: Relay) {
            let settings = relay.settings
            let several = transport.hasSeveralRelays
            var sentOnConnection = 0
            var needsFreshConnection = false
            // The ticket of this connection's last result. A connection starts its next message before that result
            // is on disk, but the server gets the new message's last byte, and so its end of data, only once it is:
            // a crash repeats at most one message per connection (a message cut off before its end of data is not
            // taken), and the disk's flush overlaps the next message's MAIL, RCPT, DATA and content.
            var waitTicket = 0
            while var job = take(for: relay) {
                let ticket = waitTicket
                let closeAfter = sentOnConnection + 1 >= settings.messagesPerConnection
                do {
                    try easy.prepare(
                        from: transport.verp?.envelopeSender(for: job.recipient) ?? transport.envelopeFrom.description,
                        to: job.recipient.description, message: job.bytes,
                        freshConnection: needsFreshConnection, closeAfter: closeAfter,
                        announce: ticket == 0 ? nil : { [self] in recorder.requestDurable(ticket) },
                        hold: { [self] in waitUntilDurable(ticket) })
                } catch {
                    // A handle that cannot be set up ends the run; the job stays pending.
                    _ = finish(job, relay: relay, result: nil, fatal: error, retry: false)
                    return
                }
                needsFreshConnection = false
                let code = easy.perform()
                if easy.upload?.wasHeldBack == true {
                    // The journal failed while this message waited for it: it was not sent, the run stops with the
                    // journal's error, and the recipient stays pending. The connection was dropped.
                    _ = finish(job, relay: relay, result: nil, fatal: nil, retry: false)
                    return
                }
                let reply = easy.responseCode
                // The error text and its detail only for a failure: a sent message needs neither.
                let errorText = code == CURLE_OK ? "" : easy.errorText
                let detail = code == CURLE_OK ? "" : SMTPTransport.detail(code: code, reply: reply, errorText: errorText)
                let uploadedEverything = easy.uploadedEverything
                var result: DeliveryResult?
                var fatal: (any Error)?
                var setAside: String?
                job.relay = relay.name
                switch SMTPTransport.classify(code: code, reply: reply, errorText: errorText, uploadedEverything: uploadedEverything) {
                case .sent:
                    sentOnConnection += 1
                    if sentOnConnection >= settings.messagesPerConnection {
                        sentOnConnection = 0
                        needsFreshConnection = true
                    }
                    result = .sent(job)
                case .permanent:
                    needsFreshConnection = true
                    sentOnConnection = 0
                    result = .failed(job, reply: detail)
                case .temporary:
                    needsFreshConnection = true
                    sentOnConnection = 0
                    if several && (reply == 421 || code == CURLE_OPERATION_TIMEDOUT) {
                        // The relay is unwell, not the message: set it aside; the message goes to another relay
                        // without counting as one of its retries.
                        setAside = detail
                        job.notBefore = 0
                    } else {
                        job.attempts += 1
                        if job.attempts > transport.settings.retries {
                            result = .deferred(job, reply: detail)
                        } else {
                            job.notBefore = SMTPTransport.monotonicNow() + SMTPTransport.retryDelay(after: job.attempts, first: transport.settings.retryDelaySeconds)
                        }
                    }
                case .unknown(let error):
                    // Never retried blind: recorded as unknown, resent at most once by a later run.
                    needsFreshConnection = true
                    sentOnConnection = 0
                    result = .unknown(job, reply: detail)
                    if several && (error != nil || code == CURLE_OPERATION_TIMEDOUT) {
                        setAside = detail
                    } else {
                        fatal = error?(settings.url, detail)
                    }
                case .fatal(let error):
                    needsFreshConnection = true
                    sentOnConnection = 0
                    if several {
                        // This relay cannot take mail now (refused connection, TLS, login, sender): the others can.
                        setAside = error(relay.name, detail).description
                        job.notBefore = 0
                    } else {
                        fatal = error(settings.url, detail)
                    }
                }
                waitTicket = finish(job, relay: relay, result: result, fatal: fatal, retry: fatal == nil, setAside: setAside) ?? waitTicket
            }
        }

        /// The next job for a connection of `relay`, retries first once their delay has passed; waits while a
        /// retry's delay, the relay's rate limit or its set-aside runs, or while other connections' messages may
        /// still need a retry. Nil when the connection is to end.
        private func take(for relay: Relay) -> DeliveryJob? {
            condition.lock()
            defer { condition.unlock() }
            while true {
                if pendingFatal != nil || shouldStop?() != false { return nil }
                let now = SMTPTransport.monotonicNow()
                let due = retryQueue.firstIndex { $0.notBefore <= now }
                if due == nil && sourceExhausted && retryQueue.isEmpty && inFlight == 0 {
                    condition.broadcast()  // The other connections waiting for a retry have nothing more to wait for.
                    return nil
                }
                var wake = now + 0.2
                if relay.asideUntil > now {
                    wake = min(wake, relay.asideUntil)
                } else if due != nil || !sourceExhausted {
                    if let later = relay.nextStart(at: now) {
                        wake = min(wake, later)
                    } else if let due {
                        return begin(retryQueue.remove(at: due), relay: relay, at: now)
                    } else {
                        // The message is counted as started before it is taken (so that the relay's rate limit and
                        // the end of the run see it), and taken outside the run's lock: waiting for the render
                        // thread must not stall the other connections' outcomes.
                        relay.start(at: now)
                        inFlight += 1
                        let next = self.next
                        condition.unlock()
                        let taken: Result<DeliveryJob?, any Error>
                        sourceLock.lock()
                        do { taken = .success(try next?()) } catch { taken = .failure(error) }
                        sourceLock.unlock()
                        condition.lock()
                        switch taken {
                        case .success(let job?):
                            return job
                        case .success(nil):
                            sourceExhausted = true
                        case .failure(let error):
                            pendingFatal = pendingFatal ?? error
                        }
                        relay.unstart()
                        inFlight -= 1
                        condition.broadcast()
                        if pendingFatal != nil { return nil }
                        continue
                    }
                }
                if let soonest = retryQueue.lazy.map(\.notBefore).filter({ $0 > now }).min() { wake = min(wake, soonest) }
                waiting += 1
                _ = condition.wait(until: Date(timeIntervalSinceNow: max(0.001, wake - now)))
                waiting -= 1
            }
        }

        /// Counts a job as started, on the run and on its relay (whose rate limit it moves); under the lock.
        ///
        /// A relay's starts are spaced evenly, `1 / messagesPerSecond` apart from the later of the last slot and
        /// now (a slow stretch earns no burst), and capped so that the relay never counts more than the limit in
        /// any second (``Relay/nextStart(at:)``).
        private func begin(_ job: DeliveryJob, relay: Relay, at now: Double) -> DeliveryJob {
            relay.start(at: now)
            inFlight += 1
            return job
        }

        /// Takes a finished job's outcome: records it (returning its ticket), queues it for a retry, or stops the
        /// run. Nothing is recorded for a retry: the recipient stays pending until it has an outcome. With
        /// `setAside`, the relay is set aside for its backoff; when every relay is aside after three failures in a
        /// row each, the run stops.
        private func finish(_ job: DeliveryJob, relay: Relay, result: DeliveryResult?, fatal: (any Error)?, retry: Bool, setAside: String? = nil) -> Int? {
            condition.lock()
            defer {
                inFlight -= 1
                if waiting > 0 { condition.broadcast() }
                condition.unlock()
            }
            let now = SMTPTransport.monotonicNow()
            relay.finish(at: now)
            if let fatal { pendingFatal = pendingFatal ?? fatal }
            if let setAside {
                relay.setAside(at: now, because: setAside)
                if relays.allSatisfy({ $0.asideUntil > now && $0.failuresInRow >= 3 }) {
                    pendingFatal = pendingFatal ?? DeliveryError.allRelaysFailed(detail: relays.map { "\($0.name): \($0.lastProblem ?? "")" }.joined(separator: "; "))
                }
            }
            guard let result else {
                if retry {
                    if setAside == nil { transport.retriedCount += 1 }
                    retryQueue.append(job)
                }
                return nil
            }
            switch result {
            case .sent:
                consecutiveFailures = 0
                relay.sent += 1
                relay.failuresInRow = 0
                relay.lastAccepted = now
            case .failed(_, let reply):
                relay.failed += 1
                consecutiveFailures += 1
                if consecutiveFailures >= transport.failureBudget {
                    pendingFatal = pendingFatal ?? DeliveryError.tooManyFailures(count: consecutiveFailures, lastReply: reply)
                }
            case .unknown:
                relay.unknown += 1
            case .deferred: break
            }
            do {
                return try recorder.record([result])
            } catch {
                // The journal cannot be written: no held message may be sent after that, or the next run would
                // send it again.
                pendingFatal = pendingFatal ?? error
                journalFailed = true
                return nil
            }
        }

        /// Waits, on a connection's thread and inside libcurl's read callback, until the ticket is durable (asking
        /// the recorder to flush: one flush covers every connection's results queued by then). False when the
        /// journal has failed: the message is then not sent, and its recipient stays pending. Ticket 0 (nothing
        /// recorded yet on this connection) waits for nothing, but still fails once the journal has.
        private func waitUntilDurable(_ ticket: Int) -> Bool {
            if condition.withLock({ journalFailed }) { return false }
            do {
                try recorder.waitUntilDurable(ticket)
                return true
            } catch {
                condition.withLock {
                    pendingFatal = pendingFatal ?? error
                    journalFailed = true
                }
                return false
            }
        }
    }

    /// The delay before retry number `attempt` (1 for the first): `first`, doubled for each further retry, and
    /// never more than an hour unless `first` is.
    static func retryDelay(after attempt: Int, first: Double) -> Double {
        min(first * pow(2, Double(max(0, attempt - 1))), max(first, 3600))
    }

    enum Classification {
        case sent
        case permanent
        case temporary
        /// The whole message went out and no reply to its end of data came; with an error when the run must also
        /// stop.
        case unknown(fatal: ((String, String) -> DeliveryError)?)
        case fatal((String, String) -> DeliveryError)
    }

    /// Classifies a finished transfer: the `CURLcode` first, through the one table (``CurlOutcome``), since a
    /// reply code can be stale after a dropped connection; then, for the codes of a refused command, the SMTP
    /// reply. A failure after the whole message was handed to curl, without a reply to its end of data, leaves
    /// the outcome unknown.
    static func classify(code: CURLcode, reply: Int, errorText: String, uploadedEverything: Bool = false) -> Classification {
        if code == CURLE_OK { return .sent }
        func stop(_ error: @escaping (String, String) -> DeliveryError) -> Classification {
            uploadedEverything ? .unknown(fatal: error) : .fatal(error)
        }
        switch CurlOutcome.of(code) {
        case .configuration:
            return stop { .configuration(server: $0, detail: $1) }
        case .stop(.connection):
            return stop { .connection(server: $0, detail: $1) }
        case .stop(.tls):
            return stop { .tls(server: $0, detail: $1) }
        case .stop(.authentication):
            return stop { .authentication(server: $0, detail: $1) }
        case .stop(.other):
            return stop { .stopped(server: $0, detail: $1) }
        case .temporary:
            if code == CURLE_OPERATION_TIMEDOUT && (errorText.hasPrefix("Failed to connect") || errorText.hasPrefix("Connection timed out")) {
                // The connection was never made: the server is unreachable, not slow with one message.
                return .fatal { .connection(server: $0, detail: $1) }
            }
            return uploadedEverything ? .unknown(fatal: nil) : .temporary
        case .reply:
            break
        }
        if [530, 534, 535, 538].contains(reply) { return stop { .authentication(server: $0, detail: $1) } }
        if (500...599).contains(reply) {
            if errorText.hasPrefix("MAIL failed") { return .fatal { .senderRejected(server: $0, detail: $1) } }
            // Only a refusal of this recipient (RCPT) or of this message (DATA, or the reply to its end) is about
            // the recipient; a 5xx to the greeting or EHLO refuses the whole session.
            if errorText.hasPrefix("RCPT failed") || errorText.hasPrefix("DATA failed") || uploadedEverything {
                return .permanent
            }
            return .fatal { .connection(server: $0, detail: $1) }
        }
        // A 4xx after the whole message is the reply to its end of data: a definite "not now".
        if (400...499).contains(reply) { return .temporary }
        // No reply code of a refusal: the connection failed. After the whole message, nobody knows.
        return uploadedEverything ? .unknown(fatal: nil) : .temporary
    }

    static func detail(code: CURLcode, reply: Int, errorText: String) -> String {
        let text = errorText.isEmpty ? Curl.describe(code) : errorText
        return Sanitize.collapsedLine("\(text) (curl \(code.rawValue)\(reply > 0 ? ", reply \(reply)" : ""))")
    }
}
