import Foundation
import Logging
import NewsletterCore

/// Applies the service's list edits in batches: requests that arrive while a transaction runs (or within
/// ``gatherWindow`` of the first) wait together and go into one ``SubscriberStore`` transaction, so that a wave of
/// unsubscribes after a big send costs one rewrite of the list for many requests instead of one each.
///
/// Each caller is answered once its batch is durable (journal flushed, list renamed into place). The transaction
/// runs on a thread of its own: file I/O and the lock wait never block the server's event loops.
final class ListWriter: @unchecked Sendable {
    typealias Outcome = Result<SubscriberStore.Result, any Error>

    private struct Pending {
        var edit: SubscriberFileEditor.Edit
        var answer: @Sendable (Outcome) -> Void
    }

    let store: SubscriberStore
    let logger: Logger
    /// How long the first request of a batch waits for company, in seconds.
    let gatherWindow: Double
    /// The most edits in one transaction.
    let maximumBatch: Int
    private let condition = NSCondition()
    private var pending: [Pending] = []
    private var isStopped = false
    private var thread: Thread?

    init(store: SubscriberStore, logger: Logger, gatherWindow: Double = 0.005, maximumBatch: Int = 5000) {
        self.store = store
        self.logger = logger
        self.gatherWindow = gatherWindow
        self.maximumBatch = maximumBatch
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "newsletter list writer"
        self.thread = thread
        thread.start()
    }

    /// Asks the thread to finish the edits it has and stop.
    func stop() {
        condition.lock()
        isStopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Applies `edit` in the next batch and returns its result once the batch is on disk.
    func apply(_ edit: SubscriberFileEditor.Edit) async throws -> SubscriberStore.Result {
        let outcome: Outcome = await withCheckedContinuation { continuation in
            condition.lock()
            if isStopped {
                condition.unlock()
                continuation.resume(returning: .failure(ListWriterError.stopped))
                return
            }
            pending.append(Pending(edit: edit, answer: { continuation.resume(returning: $0) }))
            condition.signal()
            condition.unlock()
        }
        return try outcome.get()
    }

    private func loop() {
        // The list parsed before the first request needs it (a 100,000-entry list takes a good part of a second).
        do {
            let start = Date()
            let count = try store.prepareCache()
            logger.info("subscriber list ready: \(count) entries, parsed in \(Int(Date().timeIntervalSince(start) * 1000)) ms")
        } catch {
            logger.warning("subscriber list not parsed ahead: \(error); each request will report it")
        }
        while true {
            condition.lock()
            while pending.isEmpty && !isStopped { condition.wait() }
            if pending.isEmpty && isStopped {
                condition.unlock()
                return
            }
            condition.unlock()
            // Gather: the first request waits a few milliseconds for others of the same wave.
            if !isStopped { Thread.sleep(forTimeInterval: gatherWindow) }
            condition.lock()
            let batch = Array(pending.prefix(maximumBatch))
            pending.removeFirst(batch.count)
            condition.unlock()

            let outcomes: [Outcome]
            do {
                let results = try store.apply(batch.map(\.edit), source: "web")
                outcomes = results.map { .success($0) }
            } catch {
                outcomes = Array(repeating: .failure(error), count: batch.count)
            }
            for (item, outcome) in zip(batch, outcomes) { item.answer(outcome) }
        }
    }
}

/// The list writer no longer takes edits (the service is shutting down).
enum ListWriterError: Error, CustomStringConvertible {
    case stopped

    var description: String { "the service is shutting down" }
}
