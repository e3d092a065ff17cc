import Foundation
import Testing

/// Issue 12: a message whose whole content went out but whose reply to the end of data did not come is never
/// retried blind. The reply is waited for as long as RFC 5321 §4.5.3.2.6 says (`smtp.dataTimeoutSeconds`);
/// without it the outcome is recorded as unknown, and a later run resends it once, with the same Message-ID.
@Suite(.serialized)
struct UnknownOutcomeTests {
    @Test("A reply to the end of data later than timeoutSeconds is waited for: the message is received once, not retried")
    func lateReplyIsWaitedFor() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The server stores user1's message at once and answers its end of data 4 s later; commands time out after 2 s.
        let server = try AiosmtpdServer(directory: folder, arguments: ["--no-store", "--late", "user1@example.com=4"])
        let fixture = try SendFixture(subscribers: 3, smtp: """
            {"url": "smtp://127.0.0.1:\(server.port)", "security": "none", "retryDelaySeconds": 0.05, "timeoutSeconds": 2, "connections": 1}
            """)
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sent 3, failed 0, pending 0, retried 0"), "\(result.stdout)")
        #expect(server.receivedCounts() == ["user1@example.com": 1, "user2@example.com": 1, "user3@example.com": 1])
    }

    @Test("No reply within dataTimeoutSeconds: recorded unknown, not retried; the next run resends it once with the same Message-ID, and no more")
    func unknownOutcomeResentOnce() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--no-store", "--late", "user2@example.com=5"])
        let fixture = try SendFixture(subscribers: 3, smtp: """
            {"url": "smtp://127.0.0.1:\(server.port)", "security": "none", "retryDelaySeconds": 0.05, "timeoutSeconds": 2,
             "dataTimeoutSeconds": 2, "connections": 1}
            """)
        defer { fixture.remove() }
        let first = try fixture.send()
        // Every subscriber has an outcome (one of them unknown): exit 0, and the summary says what comes next.
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("sent 2, failed 0, pending 0, retried 0"), "\(first.stdout)")
        #expect(first.stdout.contains("unknown 1 (resent once by the next run)"), "\(first.stdout)")
        #expect(first.stderr.contains("user2@example.com: outcome unknown"), "\(first.stderr)")
        #expect(server.receivedCounts()["user2@example.com"] == 1)
        #expect(fixture.journal().filter { $0.hasPrefix("unknown\tuser2@example.com\t<") }.count == 1, "\(fixture.journal())")

        // The next run resends it once (it is late again: unknown again), and says so.
        let second = try fixture.send()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("(resumed)"), "\(second.stdout)")
        #expect(second.stdout.contains("resent 1 after an unknown outcome"), "\(second.stdout)")
        #expect(server.receivedCounts() == ["user1@example.com": 1, "user2@example.com": 2, "user3@example.com": 1])
        let ids = Set(server.received().filter { $0.recipient == "user2@example.com" }.map(\.messageID))
        #expect(ids.count == 1, "the resend has another Message-ID: \(ids)")

        // At most once: a third run has nothing to resend.
        let third = try fixture.send()
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains("No new article since the last edition"), "\(third.stdout)")
        #expect(server.receivedCounts()["user2@example.com"] == 2)
    }
}
