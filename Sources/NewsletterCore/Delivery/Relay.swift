/// One relay of a run (`smtp.relays`, or the single `smtp` server): its settings and password, its pace, whether
/// it is set aside, and its counts. Read and written only under the run's lock (``SMTPTransport``).
final class Relay {
    let settings: SMTPSettings
    let password: String?
    /// How summaries, logs and the journal name it: host and port (made once: every message's result names it).
    let name: String
    /// When the rate limit's even spacing lets this relay's next message start.
    var nextSlot: Double
    /// Its messages started and not yet finished.
    var inFlight = 0
    /// When its messages finished (the client's clock), within the rate limit's window.
    private var finishes: [Double] = []
    private var firstFinish = 0
    /// Not used before this instant (monotonic seconds): set aside after it refused a connection, timed out or
    /// answered 421.
    var asideUntil: Double = 0
    /// Set-asides since its last accepted message: the backoff doubles with each.
    var failuresInRow = 0
    var sent = 0
    var failed = 0
    var unknown = 0
    var setAsideCount = 0
    /// Why it was last set aside.
    var lastProblem: String?
    var firstStart: Double?
    var lastFinish: Double = 0
    /// When it last accepted a message: its rate is measured up to then, not to a later refused connection.
    var lastAccepted: Double?

    init(settings: SMTPSettings, password: String?, now: Double) {
        self.settings = settings
        self.password = password
        name = settings.relayName
        nextSlot = now
    }

    /// Sets the relay aside for a backoff that starts at one second (or the retry delay, if longer) and doubles
    /// with each set-aside in a row, up to five minutes.
    /// A failure on another of its connections while it is already aside is part of the same set-aside.
    func setAside(at now: Double, because problem: String) {
        lastProblem = problem
        if asideUntil > now { return }
        failuresInRow += 1
        setAsideCount += 1
        let delay = min(SMTPTransport.retryDelay(after: failuresInRow, first: max(1, settings.retryDelaySeconds)), 300)
        asideUntil = now + delay
    }

    /// The rate limit's hard cap: at most this many messages in any window of this many seconds
    /// (`floor(messagesPerSecond)` in one second; one in `1 / messagesPerSecond` seconds below one a second).
    var cap: (count: Int, window: Double)? {
        guard let rate = settings.messagesPerSecond else { return nil }
        return rate >= 1 ? (Int(rate.rounded(.down)), 1) : (1, 1 / rate)
    }

    /// Whether a message may start at `now` without breaking the cap as the relay counts, or else when to look
    /// again. A message the relay receives in a given second finished on this side in that second or later, and
    /// started earlier: so counting, at each start, the messages finished within the last window plus those in
    /// flight bounds what the relay can see in any window, however its replies bunch up after a stall.
    func nextStart(at now: Double) -> Double? {
        if now < nextSlot { return nextSlot }
        guard let (count, window) = cap else { return nil }
        while firstFinish < finishes.count && finishes[firstFinish] <= now - window { firstFinish += 1 }
        if firstFinish > 1024 {
            finishes.removeFirst(firstFinish)
            firstFinish = 0
        }
        let recent = finishes.count - firstFinish
        guard recent + inFlight >= count else { return nil }
        // Full: the oldest finish leaving the window frees a place; a finish in flight wakes the waiters anyway.
        return recent > 0 ? finishes[firstFinish] + window : now + 0.05
    }

    /// Counts a message as started.
    func start(at now: Double) {
        if let rate = settings.messagesPerSecond { nextSlot = max(nextSlot, now) + 1 / rate }
        if firstStart == nil { firstStart = now }
        inFlight += 1
    }

    /// Takes back a start for which there was no message after all (the feed had ended, or failed).
    func unstart() {
        inFlight -= 1
    }

    /// Counts a message as finished, whatever its outcome.
    func finish(at now: Double) {
        inFlight -= 1
        lastFinish = now
        if cap != nil { finishes.append(now) }
    }

    var report: RelayReport {
        RelayReport(
            name: name, connections: settings.connections, messagesPerSecond: settings.messagesPerSecond, sent: sent, failed: failed, unknown: unknown,
            setAside: setAsideCount, lastProblem: lastProblem, seconds: firstStart.flatMap { start in lastAccepted.map { max(0, $0 - start) } } ?? 0)
    }
}

/// What one relay did in a run, for the summary and `send --json`.
public struct RelayReport: Sendable, Equatable {
    /// Host and port.
    public var name: String
    public var connections: Int
    /// Its rate limit, if any.
    public var messagesPerSecond: Double?
    /// Messages it accepted.
    public var sent: Int
    /// Recipients or messages it refused for good.
    public var failed: Int
    /// Messages sent whole to it without a reply to their end of data.
    public var unknown: Int
    /// How many times it was set aside (refused connections, timed out, answered 421).
    public var setAside: Int
    /// Why it was last set aside.
    public var lastProblem: String?
    /// Seconds from its first message's start to the last message it accepted.
    public var seconds: Double

    /// Messages it accepted per second of its active time.
    public var rate: Double { seconds > 0 ? Double(sent) / seconds : 0 }
}
