import Foundation

/// Appends to a ``Journal`` on demand, with group commit.
///
/// ``submit(_:)`` only queues a batch and gives it a ticket; nothing is written until a connection needs one of
/// its results durable (``waitUntilDurable(_:)``, called just before it sends its next message's content). The
/// caller that finds no flush under way writes every batch queued by then, from every connection, and flushes
/// them with one `fdatasync` on its own thread; callers that arrive meanwhile wait on a condition, and one of
/// those whose batch the flush did not cover then flushes the rest. No thread of its own: no wake-up to hand a
/// flush over, and no flush that nobody waits for.
public final class JournalWriter: @unchecked Sendable {
    private let journal: Journal
    private let condition = NSCondition()
    private var queue: [DeliveryResult] = []
    private var submitted = 0
    private var durable = 0
    private var failure: FileSystem.IOError?
    /// A caller is writing and flushing the queue it took.
    private var isFlushing = false
    /// How many flushes were made, for tests and the benchmark.
    public private(set) var flushCount = 0

    public init(journal: Journal) {
        self.journal = journal
    }

    /// Queues `results` for the journal and returns their ticket. Nothing is written yet.
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

    /// The ticket up to which every batch is on disk.
    ///
    /// - Throws: the error of a write that failed.
    public func durableTicket() throws(FileSystem.IOError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        return durable
    }

    /// Returns once every batch up to `ticket` is on disk: flushes the queue on the calling thread, or waits
    /// for the flush under way and flushes what it did not cover. Ticket 0 returns at once (unless a write
    /// has failed).
    ///
    /// - Throws: the error of a write that failed (this caller's or an earlier one's).
    public func waitUntilDurable(_ ticket: Int) throws(FileSystem.IOError) {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let failure { throw failure }
            if durable >= ticket { return }
            if isFlushing {
                condition.wait()
                continue
            }
            isFlushing = true
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
            isFlushing = false
            flushCount += 1
            if let error { failure = error } else { durable = covered }
            condition.broadcast()
        }
    }

    /// Waits until everything submitted is on disk.
    ///
    /// - Throws: the error of a write that failed.
    public func finish() throws(FileSystem.IOError) {
        let last = condition.withLock { submitted }
        try waitUntilDurable(last)
    }
}
