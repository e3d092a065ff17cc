import Foundation
import Testing

@testable import NewsletterCore

struct SendFailureFeedbackTests {
    @Test("a 5.1.x at send time unsubscribes at once; other 5xx count, once per edition, up to the limit; 4xx do not count")
    func feedback() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let list = folder + "/subscribers.json"
        try "[\n  { \"email\": \"a@example.com\" },\n  { \"email\": \"b@example.com\" },\n  { \"email\": \"c@example.com\" }\n]\n"
            .write(toFile: list, atomically: true, encoding: .utf8)
        let feedback = SendFailureFeedback(
            store: SubscriberStore(listPath: list, suppressions: SuppressionList(stateDirectory: folder)),
            bounces: BounceJournal(stateDirectory: folder), limit: 2, window: 30 * 86_400)
        let now = Date(timeIntervalSince1970: 1_706_860_800)

        var lines = try feedback.apply(
            [("a@example.com", "RCPT failed: 550 5.1.1 no such user (curl 55, reply 550)"), ("b@example.com", "RCPT failed: 550 (curl 55, reply 550)"),
             ("c@example.com", "RCPT failed: 452 (curl 55, reply 452)")],
            edition: "e1", at: now)
        #expect(lines.count == 1 && lines[0].hasPrefix("a@example.com: unsubscribed (bounced"))
        // The same edition's failure recorded again (a resumed run) does not count twice.
        lines = try feedback.apply([("b@example.com", "RCPT failed: 550 (curl 55, reply 550)")], edition: "e1", at: now)
        #expect(lines.isEmpty)
        lines = try feedback.apply([("b@example.com", "RCPT failed: 550 (curl 55, reply 550)")], edition: "e2", at: now.addingTimeInterval(86_400))
        #expect(lines == ["b@example.com: unsubscribed (bounced: RCPT failed: 550 (curl 55, reply 550))"])
        let suppressed = try SuppressionList(stateDirectory: folder).load()
        #expect(Set(suppressed.keys) == ["a@example.com", "b@example.com"])
        #expect(suppressed.values.allSatisfy { $0.source == "send" && $0.reason == "bounced" })
    }
}
