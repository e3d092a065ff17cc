import Foundation
import Testing

@testable import NewsletterCore

/// The signing threads hand messages on in render order, whatever order they finish in, and stop at an error in
/// its place.
struct SigningWorkersTests {
    final class Source: @unchecked Sendable {
        let lock = NSLock()
        var index = 0
        let count: Int
        let failAt: Int?

        init(count: Int, failAt: Int? = nil) {
            self.count = count
            self.failAt = failAt
        }

        func next() throws -> DeliveryJob? {
            lock.lock()
            defer { lock.unlock() }
            guard index < count else { return nil }
            if index == failAt { throw DKIMError.crypto(operation: "test", reason: "render failure at \(index)") }
            index += 1
            return DeliveryJob(recipient: try EmailAddress("user\(index - 1)@example.com"), messageID: "\(index - 1)", bytes: [])
        }
    }

    @Test("1,000 messages over 4 workers come out in order, each signed once")
    func order() throws {
        let source = Source(count: 1000)
        let workers = SigningWorkers(workers: 4, capacity: 16, upstream: source.next) { job in
            var job = job
            // Uneven signing times, so that workers finish out of order.
            if Int(job.messageID)! % 7 == 0 { usleep(200) }
            job.bytes = Array("signed \(job.messageID)".utf8)
            return job
        }
        var seen: [String] = []
        while let job = try workers.next() {
            #expect(String(decoding: job.bytes, as: UTF8.self) == "signed \(job.messageID)")
            seen.append(job.messageID)
        }
        workers.cancel()
        #expect(seen == (0..<1000).map(String.init))
    }

    @Test("An upstream error arrives after the messages before it; a signing error in its place")
    func errors() throws {
        let source = Source(count: 100, failAt: 40)
        let workers = SigningWorkers(workers: 3, capacity: 8, upstream: source.next) { $0 }
        var taken = 0
        do {
            while try workers.next() != nil { taken += 1 }
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains("render failure at 40"))
        }
        #expect(taken == 40)
        workers.cancel()

        let failing = SigningWorkers(workers: 3, capacity: 8, upstream: Source(count: 50).next) { job in
            if job.messageID == "17" { throw DKIMError.crypto(operation: "sign", reason: "message 17") }
            return job
        }
        var signed = 0
        do {
            while try failing.next() != nil { signed += 1 }
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains("message 17"))
        }
        #expect(signed == 17)
        failing.cancel()
    }

    @Test("Cancelling while messages are waiting stops every worker")
    func cancel() throws {
        let workers = SigningWorkers(workers: 2, capacity: 4, upstream: Source(count: 10_000).next) { $0 }
        _ = try workers.next()
        workers.cancel()
    }
}
