import Foundation

/// Appends to a ``Journal`` on its own thread, so that the delivery loop never waits for the disk.
///
/// Batches handed to ``submit(_:)`` queue up while the previous write is being flushed, and are then written and
/// flushed together (group commit): one `fdatasync` covers the results of every connection that finished in the
/// meantime. Each batch gets a ticket; ``durableTicket()`` says how far the journal is on disk, and the transport
/// does not let a connection send its next message's content until that connection's last result is durable.
public final class JournalWriter: @unchecked Sendable {
    private let journal: Journal
    private let condition = NSCondition()
    private var queue: [DeliveryResult] = []
    private var submitted = 0
    private var durable = 0
    private var failure: FileSystem.IOError?
    private var isClosed = false
    private var isRunning = false
    /// The wake-up function has a lock of its own, so that calling it never holds up `durableTicket()`.
    private let wakeupLock = NSLock()
    private var wakeup: (@Sendable () -> Void)?
    /// How many flushes were made, for tests and the verbose summary.
    private(set) var flushCount = 0

    public init(journal: Journal) {
        self.journal = journal
    }

    /// Queues `results` for the journal and returns their ticket.
    ///
    /// - Throws: the error of an earlier write that failed; nothing more is written after one.
    public func submit(_ results: [DeliveryResult]) throws(FileSystem.IOError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        if !isRunning {
            isRunning = true
            let thread = Thread { [self] in run() }
            thread.name = "journal"
            thread.start()
        }
        queue.append(contentsOf: results)
        submitted += 1
        condition.broadcast()
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

    /// Sets what to call, on the writer's thread, each time more of the journal is on disk; nil to stop.
    /// After this returns with nil, the old function is not running and will not be called again.
    public func setWakeup(_ wakeup: (@Sendable () -> Void)?) {
        wakeupLock.lock()
        self.wakeup = wakeup
        wakeupLock.unlock()
    }

    /// Waits until everything submitted is on disk, then ends the writer's thread.
    ///
    /// - Throws: the error of a write that failed.
    public func finish() throws(FileSystem.IOError) {
        condition.lock()
        defer { condition.unlock() }
        while durable < submitted && failure == nil { condition.wait() }
        isClosed = true
        condition.broadcast()
        while isRunning { condition.wait() }
        if let failure { throw failure }
    }

    private func run() {
        condition.lock()
        while true {
            while queue.isEmpty && !isClosed && durable == submitted { condition.wait() }
            if failure != nil || (isClosed && queue.isEmpty && durable == submitted) { break }
            let batch = queue
            let ticket = submitted
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            var error: FileSystem.IOError?
            do {
                try journal.append(batch, at: Date())
            } catch let failed {
                error = failed
            }
            condition.lock()
            flushCount += 1
            if let error {
                failure = error
            } else {
                durable = ticket
            }
            condition.broadcast()
            condition.unlock()
            // Called under its lock, so that `setWakeup(nil)` cannot return while it runs.
            wakeupLock.lock()
            wakeup?()
            wakeupLock.unlock()
            condition.lock()
        }
        isRunning = false
        condition.broadcast()
        condition.unlock()
    }
}
