/// One relay of a run (`smtp.relays`, or the single `smtp` server): its settings and password, its pace, whether
/// it is set aside, and its counts. Read and written only under the run's lock (``SMTPTransport``).
final class Relay {
    let settings: SMTPSettings
    let password: String?
    /// How summaries, logs and the journal name it: host and port.
    var name: String { settings.relayName }
    /// When the rate limit lets this relay's next message start.
    var nextSlot: Double
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
        nextSlot = now
    }

    /// Sets the relay aside for a backoff that starts at one second (or the retry delay, if longer) and doubles
    /// with each set-aside in a row, up to five minutes.
    func setAside(at now: Double, because problem: String) {
        failuresInRow += 1
        setAsideCount += 1
        lastProblem = problem
        let delay = min(SMTPTransport.retryDelay(after: failuresInRow, first: max(1, settings.retryDelaySeconds)), 300)
        asideUntil = now + delay
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
