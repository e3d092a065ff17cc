import Foundation

/// Renders and encodes messages on a second thread, a few ahead of the SMTP connections, so that the CPU work of
/// one message overlaps the network wait of others.
///
/// The producer is the only user of the renderer and its identity generator; the consumer (the transport's
/// loop) only takes finished jobs. A bounded buffer keeps memory flat whatever the list size.
final class RenderAhead: @unchecked Sendable {
    private let condition = NSCondition()
    private var buffer: [Result<DeliveryJob, any Error>] = []
    private var head = 0
    private var isFinished = false
    private var isCancelled = false
    /// Whether a side is asleep on the condition: the other side signals only then, since waking a thread is
    /// a system call that would otherwise be paid for every message.
    private var producerWaiting = false
    private var consumerWaiting = false
    private let capacity: Int
    private let produce: () throws -> DeliveryJob?
    private var thread: Thread?

    init(capacity: Int, produce: @escaping () throws -> DeliveryJob?) {
        self.capacity = capacity
        self.produce = produce
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "render"
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    private func run() {
        while true {
            condition.lock()
            while buffer.count - head >= capacity && !isCancelled {
                producerWaiting = true
                condition.wait()
                producerWaiting = false
            }
            let cancelled = isCancelled
            condition.unlock()
            if cancelled { break }
            let result: Result<DeliveryJob, any Error>?
            do {
                result = try produce().map { .success($0) }
            } catch {
                result = .failure(error)
            }
            condition.lock()
            if let result { buffer.append(result) }
            let done = result == nil || { if case .failure = result { return true } else { return false } }()
            if done { isFinished = true }
            if consumerWaiting || done { condition.broadcast() }
            condition.unlock()
            if done { break }
        }
        condition.lock()
        isFinished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next rendered job, waiting for it if need be; nil when every recipient has been rendered.
    func next() throws -> DeliveryJob? {
        condition.lock()
        defer { condition.unlock() }
        while head == buffer.count && !isFinished {
            consumerWaiting = true
            condition.wait()
            consumerWaiting = false
        }
        guard head < buffer.count else { return nil }
        let result = buffer[head]
        head += 1
        if head > 256 && head * 2 > buffer.count {
            buffer.removeFirst(head)
            head = 0
        }
        // The producer, once the buffer is full, sleeps until it is half empty and then fills it again in one go:
        // one wake-up per half buffer instead of one per message.
        if producerWaiting && buffer.count - head <= capacity / 2 { condition.broadcast() }
        return try result.get()
    }

    /// Stops the producer (after the message it is rendering) and waits for it to end.
    func cancel() {
        condition.lock()
        isCancelled = true
        condition.broadcast()
        while !isFinished { condition.wait() }
        condition.unlock()
    }
}
