import CCurl
import CCurlShims
import Foundation

/// One message to one recipient, as handed to the transport.
public struct DeliveryJob: Sendable {
    public var recipient: EmailAddress
    public var messageID: String
    public var bytes: [UInt8]
    /// Failed attempts so far in this run.
    public var attempts = 0
    /// Not to be tried again before this instant (a monotonic time in seconds).
    var notBefore: Double = 0

    public init(recipient: EmailAddress, messageID: String, bytes: [UInt8]) {
        self.recipient = recipient
        self.messageID = messageID
        self.bytes = bytes
    }
}

/// What became of one job.
public enum DeliveryResult: Sendable {
    /// The server accepted the message (250 after DATA).
    case sent(DeliveryJob)
    /// The server refused the recipient or the message for good (5xx): not retried in this edition.
    case failed(DeliveryJob, reply: String)
    /// Temporary failures used up this run's retries: the recipient stays pending for the next run.
    case deferred(DeliveryJob, reply: String)
}

/// Where messages go: an SMTP server, or a folder of `.eml` files for a dry run.
public protocol MailTransport {
    /// Delivers every job `next` gives, handing each batch of results to `recorder`, until `next` returns nil or
    /// `shouldStop` says so. A connection does not send a message's content (so the server cannot take it) before
    /// its last result is durable.
    ///
    /// - Throws: ``DeliveryError`` when the run must stop (connection, TLS, authentication); results already
    ///   passed to `recorder` stand.
    func deliver(next: () throws -> DeliveryJob?, recorder: any ResultRecorder, shouldStop: () -> Bool) throws

    /// How many temporary failures were retried.
    var retriedCount: Int { get }
}

/// Sends through libcurl's SMTP client: several connections driven by one multi handle, each reused for up to
/// `messagesPerConnection` messages, one `MAIL FROM` and one `RCPT TO` per message.
public final class SMTPTransport: MailTransport {
    let settings: SMTPSettings
    let envelopeFrom: EmailAddress
    let password: String?
    let verbose: Bool
    public private(set) var retriedCount = 0
    /// Consecutive permanent failures after which the run stops: a sign that every message is being refused.
    let failureBudget = 20

    public init(settings: SMTPSettings, envelopeFrom: EmailAddress, password: String?, verbose: Bool = false) {
        self.settings = settings
        self.envelopeFrom = envelopeFrom
        self.password = password
        self.verbose = verbose
    }

    final class Slot {
        let easy: CurlEasyHandle
        var job: DeliveryJob?
        var sentOnConnection = 0
        var needsFreshConnection = false
        /// The ticket of this connection's last result: its next message's content waits until that is durable.
        var waitTicket = 0

        init(easy: CurlEasyHandle) {
            self.easy = easy
        }
    }

    static func monotonicNow() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    public func deliver(next: () throws -> DeliveryJob?, recorder: any ResultRecorder, shouldStop: () -> Bool) throws {
        _ = Curl.initialised
        guard let multi = curl_multi_init() else { throw DeliveryError.setup("curl_multi_init failed") }
        var slots: [Slot] = []
        // The journal's writer wakes the loop below from its poll when results become durable.
        let wakeTarget = MultiHandle(multi)
        recorder.setWakeup { _ = curl_multi_wakeup(wakeTarget.handle) }
        defer {
            recorder.setWakeup(nil)
            for slot in slots where slot.job != nil {
                // Removing a transfer in the middle of its message would end the message; its connection goes first.
                slot.easy.shutDownConnection()
                curl_multi_remove_handle(multi, slot.easy.handle)
            }
            slots.removeAll()
            curl_multi_cleanup(multi)
        }
        for _ in 0..<settings.connections {
            let easy = try CurlEasyHandle()
            try easy.configure(settings, password: password, verbose: verbose)
            slots.append(Slot(easy: easy))
        }

        var retryQueue: [DeliveryJob] = []
        var sourceExhausted = false
        var started = 0
        let startTime = SMTPTransport.monotonicNow()
        var consecutiveFailures = 0
        // A run-stopping error waits here until the messages in flight have finished and been recorded, so that
        // none of them is sent again by the next run.
        var pendingFatal: (any Error)?
        // Set once recording has failed: no held message may go out after that.
        var journalFailed = false

        while true {
            let now = SMTPTransport.monotonicNow()
            // A connection may start its next message before its last result is on disk, but the server gets the
            // new message's content (after DATA) only once it is: a crash repeats at most one message per
            // connection, and the disk's flush overlaps the next message's MAIL, RCPT and DATA round trips.
            var durable = 0
            if !journalFailed {
                do {
                    durable = try recorder.durableTicket()
                } catch {
                    pendingFatal = pendingFatal ?? error
                    journalFailed = true
                }
            }
            if journalFailed {
                // The journal cannot be written: a message held back now must never be sent, or it would be sent
                // again by the next run. Its transfer fails at its next read and drops its connection; the
                // recipient stays pending.
                for slot in slots where slot.job != nil && slot.easy.upload?.holdsBody == true { slot.easy.abortUpload() }
            } else {
                for slot in slots where slot.job != nil && slot.waitTicket <= durable { slot.easy.releaseBody() }
            }
            let stopping = pendingFatal != nil || shouldStop()
            // Start a message on every idle connection, retries first once their delay has passed.
            for slot in slots where slot.job == nil && !stopping {
                if let rate = settings.messagesPerSecond, Double(started) >= (now - startTime) * rate + 1 { break }
                var job: DeliveryJob?
                if let index = retryQueue.firstIndex(where: { $0.notBefore <= now }) {
                    job = retryQueue.remove(at: index)
                } else if !sourceExhausted {
                    do {
                        job = try next()
                    } catch {
                        pendingFatal = error
                        break
                    }
                    if job == nil { sourceExhausted = true }
                }
                guard let job else { break }
                if pendingFatal != nil { break }
                let closeAfter = slot.sentOnConnection + 1 >= settings.messagesPerConnection
                try slot.easy.prepare(
                    from: envelopeFrom.description, to: job.recipient.description, message: job.bytes,
                    freshConnection: slot.needsFreshConnection, closeAfter: closeAfter, holdBody: slot.waitTicket > durable)
                slot.needsFreshConnection = false
                slot.job = job
                started += 1
                curl_multi_add_handle(multi, slot.easy.handle)
            }

            let active = slots.contains { $0.job != nil }
            if !active {
                if let pendingFatal { throw pendingFatal }
                if stopping || (sourceExhausted && retryQueue.isEmpty) { return }
                // Waiting for a retry's delay or for the rate limit.
                let wake = retryQueue.map(\.notBefore).min() ?? now + 0.01
                usleep(UInt32(max(1_000, min(200_000, (wake - now) * 1e6))))
                continue
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)

            var batch: [DeliveryResult] = []
            var finished: [Slot] = []
            var fatal: DeliveryError?
            var freedSlot = false
            var remainingMessages: Int32 = 0
            while let message = curl_multi_info_read(multi, &remainingMessages) {
                guard message.pointee.msg == CURLMSG_DONE,
                    let slot = slots.first(where: { $0.easy.handle == message.pointee.easy_handle }), var job = slot.job
                else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, slot.easy.handle)
                slot.job = nil
                freedSlot = true
                finished.append(slot)
                let reply = slot.easy.responseCode
                let detail = SMTPTransport.detail(code: code, reply: reply, errorText: slot.easy.errorText)
                switch SMTPTransport.classify(code: code, reply: reply, errorText: slot.easy.errorText, uploadedEverything: slot.easy.uploadedEverything) {
                case .sent:
                    slot.sentOnConnection += 1
                    if slot.sentOnConnection >= settings.messagesPerConnection {
                        slot.sentOnConnection = 0
                        slot.needsFreshConnection = true
                    }
                    consecutiveFailures = 0
                    batch.append(.sent(job))
                case .permanent:
                    slot.needsFreshConnection = true
                    slot.sentOnConnection = 0
                    consecutiveFailures += 1
                    batch.append(.failed(job, reply: detail))
                    if consecutiveFailures >= failureBudget { fatal = .tooManyFailures(count: consecutiveFailures, lastReply: detail) }
                case .temporary:
                    slot.needsFreshConnection = true
                    slot.sentOnConnection = 0
                    job.attempts += 1
                    if job.attempts > settings.retries {
                        batch.append(.deferred(job, reply: detail))
                    } else {
                        retriedCount += 1
                        job.notBefore = SMTPTransport.monotonicNow() + settings.retryDelaySeconds * pow(2, Double(job.attempts - 1))
                        retryQueue.append(job)
                    }
                case .fatal(let error):
                    fatal = fatal ?? error(settings.url, detail)
                }
            }
            // Durable before the connections that finished start anything new.
            if !batch.isEmpty {
                do {
                    let ticket = try recorder.record(batch)
                    for slot in finished { slot.waitTicket = ticket }
                } catch {
                    pendingFatal = pendingFatal ?? error
                    journalFailed = true
                }
            }
            if let fatal { pendingFatal = pendingFatal ?? fatal }
            // A connection that just finished takes its next message at once; wait for the network only when
            // every connection is busy.
            if freedSlot { continue }
            var numfds: Int32 = 0
            curl_multi_poll(multi, nil, 0, 100, &numfds)
        }
    }

    /// The multi handle, for the journal writer's thread to wake (`curl_multi_wakeup` is thread-safe).
    final class MultiHandle: @unchecked Sendable {
        let handle: UnsafeMutableRawPointer

        init(_ handle: UnsafeMutableRawPointer) {
            self.handle = handle
        }
    }

    enum Classification {
        case sent
        case permanent
        case temporary
        case fatal((String, String) -> DeliveryError)
    }

    /// Classifies a finished transfer: the `CURLcode` first (a reply code can be stale after a dropped
    /// connection), then the SMTP reply.
    static func classify(code: CURLcode, reply: Int, errorText: String, uploadedEverything: Bool = false) -> Classification {
        switch code {
        case CURLE_OK:
            return .sent
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .fatal { .connection(server: $0, detail: $1) }
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_USE_SSL_FAILED, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CIPHER, CURLE_SSL_CRL_BADFILE:
            return .fatal { .tls(server: $0, detail: $1) }
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR:
            return .fatal { .authentication(server: $0, detail: $1) }
        case CURLE_OPERATION_TIMEDOUT where errorText.hasPrefix("Failed to connect") || errorText.hasPrefix("Connection timed out"):
            // The connection was never made: the server is unreachable, not slow with one message.
            return .fatal { .connection(server: $0, detail: $1) }
        default:
            break
        }
        if [530, 534, 535, 538].contains(reply) { return .fatal { .authentication(server: $0, detail: $1) } }
        if (500...599).contains(reply) {
            if errorText.hasPrefix("MAIL failed") { return .fatal { .senderRejected(server: $0, detail: $1) } }
            // Only a refusal of this recipient (RCPT) or of this message (DATA, or the reply to its end) is about
            // the recipient; a 5xx to the greeting or EHLO refuses the whole session.
            if errorText.hasPrefix("RCPT failed") || errorText.hasPrefix("DATA failed") || uploadedEverything {
                return .permanent
            }
            return .fatal { .connection(server: $0, detail: $1) }
        }
        return .temporary
    }

    static func detail(code: CURLcode, reply: Int, errorText: String) -> String {
        let text = errorText.isEmpty ? Curl.describe(code) : errorText
        return Sanitize.collapsedLine("\(text) (curl \(code.rawValue)\(reply > 0 ? ", reply \(reply)" : ""))")
    }
}
