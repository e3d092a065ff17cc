import Foundation
import Testing

@testable import NewsletterCore

struct RecipientPlanTests {
    static let list = """
        [
          {"email": "ann@example.com", "name": "Ann"},
          {"email": "bob@example.org", "subscribed": false},
          {"email": "not an address"},
          {"email": "Cy@Example.net", "name": "Cy", "city": "Oslo"},
          {"email": "done@example.com"},
          {"email": "quiet@example.com"}
        ]
        """

    /// The plan's recipients, as they are read back one at a time.
    static func recipients(_ plan: RecipientPlan) throws -> [Subscriber] {
        try (0..<plan.recipientCount).map { try plan.recipient($0) }
    }

    @Test("Recipients are read back one at a time from the descriptor the list was parsed from, even after the file is replaced")
    func readsBackFromTheParsedFile() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/subscribers.json"
        try FileSystem.writeAtomically(Array(Self.list.utf8), to: path)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        #expect(descriptor >= 0)
        let list = try SubscriberList.load(from: path)
        let expected = list.subscribers().filter { !["done@example.com", "quiet@example.com"].contains($0.address.description) }
        let plan = RecipientPlan(
            list: list, descriptor: descriptor, done: ["done@example.com": .sent(messageID: "1@x")],
            suppressed: ["quiet@example.com": SuppressionList.Entry(address: "quiet@example.com", date: Date(), source: "cli", reason: "unsubscribed")])
        #expect(plan.alreadyDone == 1)
        #expect(plan.suppressed == 1)
        #expect(plan.recipientCount == 2)
        // An edit of the list after the plan replaces the file (as SubscriberStore does): the run keeps the list it planned.
        try FileSystem.writeAtomically(Array(#"[{"email": "someone.else@example.com"}]"#.utf8), to: path)
        let read = try Self.recipients(plan)
        #expect(read == expected)
        #expect(read.map(\.address.description) == ["ann@example.com", "Cy@example.net"])
        #expect(read.map(\.name) == ["Ann", "Cy"])
        #expect(read[1].fields.map(\.key) == ["city"])
    }

    @Test("Without a descriptor the plan keeps the list's bytes and reads the same recipients")
    func readsBackFromBytes() throws {
        let list = try SubscriberList(bytes: Array(Self.list.utf8), file: "subscribers.json")
        let plan = RecipientPlan(list: list, done: [:], suppressed: [:])
        #expect(try Self.recipients(plan) == list.subscribers())
        #expect(plan.recipientCount == 4)
    }
}
