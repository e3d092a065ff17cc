import Foundation

/// Signs rendered messages on several threads between the render thread and the SMTP connections, handing them
/// on in the order they were rendered.
///
/// An RSA-2048 signature costs about as much CPU as rendering and encoding the message; one thread would halve
/// the rate at which messages are ready. Each worker takes the next rendered message (under a lock of its own,
/// so that waiting for the render thread never blocks the consumer), signs it outside any lock, and puts it in
/// its numbered slot; the consumer takes the slots in order. At most `capacity` messages are taken and not yet
/// consumed, so memory stays flat.
final class SigningWorkers: @unchecked Sendable {
    private let condition = NSCondition()
    /// Signed messages (or the error that stopped the run) by sequence number, waiting for the consumer.
    private var slots: [Int: Result<DeliveryJob, any Error>] = [:]
    /// The sequence number the consumer takes next.
    private var nextToTake = 0
    /// Messages reserved by workers (taken or about to be taken from upstream) so far.
    private var reserved = 0
    /// The sequence number past the last message, once upstream has ended (nil before).
    private var end: Int?
    private var isCancelled = false
    private var running = 0
    private var consumerWaiting = false
    private var producersWaiting = 0
    private let capacity: Int

    /// Guards `upstream`, `sequence` and `upstreamEnded`.
    private let upstreamLock = NSLock()
    private var sequence = 0
    private var upstreamEnded = false
    private let upstream: () throws -> DeliveryJob?
    private let sign: (DeliveryJob) throws -> DeliveryJob

    init(workers: Int, capacity: Int, upstream: @escaping () throws -> DeliveryJob?, sign: @escaping (DeliveryJob) throws -> DeliveryJob) {
        self.capacity = max(capacity, workers)
        self.upstream = upstream
        self.sign = sign
        running = workers
        for index in 0..<workers {
            let thread = Thread { [self] in work() }
            thread.name = "dkim-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while !isCancelled && end == nil && reserved - nextToTake >= capacity {
                producersWaiting += 1
                condition.wait()
                producersWaiting -= 1
            }
            let stop = isCancelled || end != nil
            if !stop { reserved += 1 }
            condition.unlock()
            if stop { break }

            upstreamLock.lock()
            guard !upstreamEnded else {
                upstreamLock.unlock()
                break
            }
            let number = sequence
            sequence += 1
            let taken: Result<DeliveryJob, any Error>?
            do {
                taken = try upstream().map { .success($0) }
            } catch {
                taken = .failure(error)
            }
            var isLast = true
            if case .success = taken { isLast = false }
            if isLast { upstreamEnded = true }
            upstreamLock.unlock()

            var result = taken
            if case .success(let job) = taken {
                do {
                    result = .success(try sign(job))
                } catch {
                    result = .failure(error)
                }
            }
            condition.lock()
            if let result { slots[number] = result }
            if isLast { end = result == nil ? number : number + 1 }
            if consumerWaiting && (number == nextToTake || isLast) { condition.broadcast() }
            condition.unlock()
            if isLast { break }
        }
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next signed message in render order, waiting for it if need be; nil after the last.
    ///
    /// - Throws: the render or signing error that stopped the run, in its place in the order.
    func next() throws -> DeliveryJob? {
        condition.lock()
        defer { condition.unlock() }
        while slots[nextToTake] == nil && running > 0 && !(end.map { nextToTake >= $0 } ?? false) {
            consumerWaiting = true
            condition.wait()
            consumerWaiting = false
        }
        guard let result = slots.removeValue(forKey: nextToTake) else { return nil }
        nextToTake += 1
        if producersWaiting > 0 && reserved - nextToTake <= capacity / 2 { condition.broadcast() }
        return try result.get()
    }

    /// Stops the workers (after the messages they are signing) and waits for them to end.
    func cancel() {
        condition.lock()
        isCancelled = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }
}
