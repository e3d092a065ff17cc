import Foundation
import Testing

@testable import NewsletterCore

/// A Message-ID is a pure function of the edition and the recipient (issue 12), so a message sent again carries
/// the same one.
struct EditionMessageIdentityTests {
    let secret = Array("a-secret-of-at-least-32-characters!!".utf8)

    @Test("Same edition and recipient, same Message-ID; any other edition, recipient or secret, another")
    func pure() throws {
        let date = Date(timeIntervalSince1970: 1_706_860_800)
        let bob = try EmailAddress("Bob@Example.com")
        var first = EditionMessageIdentity(secret: secret, edition: "2024-02-02")
        var second = EditionMessageIdentity(secret: secret, edition: "2024-02-02")
        let id = first.messageID(domain: "example.org", date: date, recipient: bob)
        _ = second.messageID(domain: "example.org", date: date, recipient: try EmailAddress("alice@example.com"))
        #expect(second.messageID(domain: "example.org", date: date.addingTimeInterval(3600), recipient: try EmailAddress("bob@example.com")) == id)
        #expect(id.wholeMatch(of: /nl\.[0-9a-f]{32}@example\.org/) != nil, "\(id)")
        #expect(!id.lowercased().contains("bob"))
        var otherEdition = EditionMessageIdentity(secret: secret, edition: "2024-02-03")
        #expect(otherEdition.messageID(domain: "example.org", date: date, recipient: bob) != id)
        var otherSecret = EditionMessageIdentity(secret: Array("another-secret-of-32-characters!!!!".utf8), edition: "2024-02-02")
        #expect(otherSecret.messageID(domain: "example.org", date: date, recipient: bob) != id)
        #expect(first.boundary() != first.boundary())
    }
}
