import Foundation
import Testing

@testable import NewsletterCore

/// A ``ResultRecorder`` whose durability the test decides: nothing recorded ever becomes durable, and
/// `failAfter` seconds after the first result it fails as a broken journal would.
final class GatedRecorder: ResultRecorder, @unchecked Sendable {
    struct JournalBroken: Error {}

    private let lock = NSLock()
    private(set) var batches: [[DeliveryResult]] = []
    private var firstRecord: Double?
    let failAfter: Double
    /// Whether the server held exactly one message when the recorder failed: the held one was never sent.
    private(set) var receivedWhenFailing: Int?
    let server: AiosmtpdServer

    init(server: AiosmtpdServer, failAfter: Double) {
        self.server = server
        self.failAfter = failAfter
    }

    func record(_ results: [DeliveryResult]) throws -> Int {
        lock.withLock {
            batches.append(results)
            if firstRecord == nil { firstRecord = SMTPTransport.monotonicNow() }
            return batches.count
        }
    }

    func durableTicket() throws -> Int {
        let waited = lock.withLock { firstRecord.map { SMTPTransport.monotonicNow() - $0 } }
        if let waited, waited >= failAfter {
            if receivedWhenFailing == nil { receivedWhenFailing = server.received().count }
            throw JournalBroken()
        }
        return 0
    }
}

/// A ``ResultRecorder`` whose journal is broken from the start: nothing can ever be made durable.
final class BrokenRecorder: ResultRecorder, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var recorded = 0

    func record(_ results: [DeliveryResult]) throws -> Int {
        lock.withLock { recorded += results.count }
        throw GatedRecorder.JournalBroken()
    }

    func durableTicket() throws -> Int { throw GatedRecorder.JournalBroken() }}

@Suite(.serialized)
struct TransportDurabilityTests {
    /// A folder for the test server, removed by the caller.
    static func folder() throws -> String {
        let folder = NSTemporaryDirectory() + "newsletter-durability-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A transport to `server` over plain SMTP with these connections and retries.
    static func transport(to server: AiosmtpdServer, connections: Int, retries: Int) throws -> SMTPTransport {
        let json = """
            {"newsletter": {"title": "T", "from": "news@example.org", "subject": "{{title}}", "unsubscribeURL": "https://e.org/u?t={{token}}"},
             "articles": {"directory": "a"}, "templates": {"directory": "t"}, "subscribers": {"file": "s.json"},
             "smtp": {"url": "smtp://127.0.0.1:\(server.port)", "security": "none", "connections": \(connections), "retries": \(retries)}}
            """
        let configuration = try Configuration(json: JSONReader.parse(Array(json.utf8)), file: "c.json", baseDirectory: "/")
        let smtp = try #require(configuration.smtp)
        return SMTPTransport(settings: smtp, envelopeFrom: try EmailAddress("news@example.org"), password: nil)
    }

    /// Small messages to r1…r`count`@example.com, last first, so that `popLast()` gives r1 first.
    static func jobs(_ count: Int) throws -> [DeliveryJob] {
        try (1...count).reversed().map { index in
            let body = "From: news@example.org\r\nTo: r\(index)@example.com\r\nSubject: held \(index)\r\nMessage-ID: <\(index).held@example.org>\r\n\r\nBody \(index)\r\n"
            return DeliveryJob(recipient: try EmailAddress("r\(index)@example.com"), messageID: "\(index).held@example.org", bytes: Array(body.utf8))
        }
    }

    @Test("A connection ends no message (its last byte, its end of data) before its last result is durable; a broken journal stops the run and the held message is never taken")
    func heldUntilDurable() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder)
        let transport = try Self.transport(to: server, connections: 1, retries: 0)
        var jobs = try Self.jobs(3)
        let recorder = GatedRecorder(server: server, failAfter: 1.0)
        #expect(throws: GatedRecorder.JournalBroken.self) {
            try transport.deliver(next: { jobs.popLast() }, recorder: recorder, shouldStop: { false })
        }
        // The first message went out and was recorded; the second waited a whole second for the journal with its
        // content held back, and was dropped when the journal failed: never sent, and not recorded, so its
        // recipient is left pending (not counted as a retry either).
        let results = recorder.batches.flatMap { $0 }
        #expect(results.compactMap { if case .sent(let job) = $0 { job.recipient.description } else { nil } } == ["r1@example.com"])
        #expect(results.count == 1)
        #expect(transport.retriedCount == 0)
        #expect(recorder.receivedWhenFailing == 1)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(server.received().map(\.recipient) == ["r1@example.com"])
    }

    @Test("With a journal that cannot be written, no connection sends even its first message")
    func brokenJournalSendsNothing() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder)
        let transport = try Self.transport(to: server, connections: 3, retries: 2)
        var jobs = try Self.jobs(6)
        let recorder = BrokenRecorder()
        #expect(throws: GatedRecorder.JournalBroken.self) {
            try transport.deliver(next: { jobs.popLast() }, recorder: recorder, shouldStop: { false })
        }
        // Each connection's first message reached DATA, found the journal broken, and went no further: nothing to
        // record, nothing to retry, and the server holds no message.
        #expect(recorder.recorded == 0)
        #expect(transport.retriedCount == 0)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(server.received().isEmpty)
    }

    @Test("Retry delays double from the first, up to an hour unless the first is longer", arguments: [
        (1, 5.0, 5.0), (2, 5.0, 10.0), (3, 5.0, 20.0), (10, 5.0, 2560.0), (11, 5.0, 3600.0), (20, 5.0, 3600.0),
        (1, 0.0, 0.0), (5, 0.0, 0.0), (1, 3600.0, 3600.0), (4, 3600.0, 3600.0), (3, 1000.0, 3600.0),
    ])
    func retryDelay(attempt: Int, first: Double, expected: Double) {
        #expect(SMTPTransport.retryDelay(after: attempt, first: first) == expected)
    }
}
