import Foundation
import Testing

@testable import NewsletterCore

struct JournalTests {
    func job(_ address: String) throws -> DeliveryJob {
        DeliveryJob(recipient: try EmailAddress(address), messageID: "id-\(address)", bytes: [])
    }

    @Test("Outcomes round-trip; deferred recipients stay pending")
    func roundTrip() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = Journal(path: folder + "/journal.tsv")
        try journal.append([.sent(try job("A@example.com")), .failed(try job("b@example.com"), reply: "RCPT failed:\t550"), .deferred(try job("c@example.com"), reply: "451")], at: Date(timeIntervalSince1970: 0))
        let entries = try Journal(path: folder + "/journal.tsv").load()
        #expect(entries == ["a@example.com": .sent(messageID: "<id-A@example.com>"), "b@example.com": .failed(reply: "RCPT failed: 550")])
    }

    @Test("A line cut short by a crash is ignored, and never merges with the next run's first line")
    func tornLine() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/journal.tsv"
        try FileSystem.writeAtomically(Array("sent\ta@example.com\t<1@x>\t2024-02-02T08:00:00Z\nsent\tb@exam".utf8), to: path)
        #expect(try Journal(path: path).load().keys.sorted() == ["a@example.com"])
        try Journal(path: path).append([.sent(try job("c@example.com"))], at: Date())
        #expect(try Journal(path: path).load().keys.sorted() == ["a@example.com", "c@example.com"])
    }
}
