import Foundation

/// Appends to a ``Journal`` from a thread of its own, on request, with group commit.
///
/// ``submit(_:)`` only queues a batch and gives it a ticket. A connection that will soon need its last batch on
/// disk asks for it with ``requestDurable(_:)`` (just after its next message's `DATA`) and waits with
/// ``waitUntilDurable(_:)`` (just before that message's last byte, see ``SMTPTransport``): the flusher writes
/// every batch queued by then, from every connection, with one `fdatasync`, while the message's content goes out,
/// so the disk's latency overlaps it instead of delaying it. Requests made during a flush are served by the
/// next one, which takes everything queued meanwhile. The flusher ends after a second without requests and starts
/// again with the next one.
public final class JournalWriter: @unchecked Sendable {
    private let journal: Journal
    private let condition = NSCondition()
    private var queue: [DeliveryResult] = []
    private var submitted = 0
    private var durable = 0
    private var failure: FileSystem.IOError?
    /// The flusher thread exists (it may be idle).
    private var flusherRunning = false
    /// The flusher waits for a request: a request must wake it.
    private var flusherIdle = false
    /// The highest ticket asked for.
    private var requested = 0
    /// Callers waiting in ``waitUntilDurable(_:)``: a flush wakes them only when there are some.
    private var waiters = 0
    private var flushes = 0

    public init(journal: Journal) {
        self.journal = journal
    }

    /// How many flushes were made, for tests and the benchmark.
    public var flushCount: Int { condition.withLock { flushes } }

    /// Queues `results` for the journal and returns their ticket. Nothing is written before someone asks for it.
    ///
    /// - Throws: the error of an earlier write that failed; nothing more is written after one.
    public func submit(_ results: [DeliveryResult]) throws(FileSystem.IOError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        queue.append(contentsOf: results)
        submitted += 1
        return submitted
    }

    /// Asks for every batch up to `ticket` to be written and flushed, without waiting for it.
    public func requestDurable(_ ticket: Int) {
        condition.lock()
        defer { condition.unlock() }
        request(ticket)
    }

    /// Under the lock: makes sure a flush covering `ticket` is under way or will start.
    private func request(_ ticket: Int) {
        guard failure == nil, ticket > durable, ticket > requested else { return }
        requested = ticket
        if !flusherRunning {
            flusherRunning = true
            let thread = Thread { [self] in flushWhileRequested() }
            thread.name = "journal"
            thread.start()
        } else if flusherIdle {
            // Only the flusher can be waiting now: while it is idle no ticket is asked for, so nobody waits for one.
            // Once signalled it counts as busy, so that a second request before it wakes signals nobody else.
            flusherIdle = false
            condition.signal()
        }
    }

    /// The ticket up to which every batch is on disk.
    ///
    /// - Throws: the error of a write that failed.
    public func durableTicket() throws(FileSystem.IOError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        return durable
    }

    /// Returns once every batch up to `ticket` is on disk, asking for it if nobody has. Ticket 0 returns at once
    /// (unless a write has failed).
    ///
    /// - Throws: the error of a write that failed (this batch's or an earlier one's).
    public func waitUntilDurable(_ ticket: Int) throws(FileSystem.IOError) {
        condition.lock()
        defer { condition.unlock() }
        request(ticket)
        while true {
            if let failure { throw failure }
            if durable >= ticket { return }
            waiters += 1
            condition.wait()
            waiters -= 1
        }
    }

    /// Waits until everything submitted is on disk.
    ///
    /// - Throws: the error of a write that failed.
    public func finish() throws(FileSystem.IOError) {
        let last = condition.withLock { submitted }
        try waitUntilDurable(last)
    }

    /// The flusher's loop: writes and flushes whatever is queued while a ticket is asked for, until a write fails
    /// or nothing has been asked for a second.
    private func flushWhileRequested() {
        condition.lock()
        defer {
            flusherRunning = false
            condition.unlock()
        }
        while failure == nil {
            if requested <= durable {
                flusherIdle = true
                let woken = condition.wait(until: Date(timeIntervalSinceNow: 1))
                flusherIdle = false
                if !woken && requested <= durable { return }
                continue
            }
            let batch = queue
            let covered = submitted
            queue = []
            condition.unlock()
            var error: FileSystem.IOError?
            do {
                try journal.append(batch, at: Date())
            } catch let failed {
                error = failed
            }
            condition.lock()
            flushes += 1
            if let error { failure = error } else { durable = covered }
            if waiters > 0 { condition.broadcast() }
        }
    }
}
