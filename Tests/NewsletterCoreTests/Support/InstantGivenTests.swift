import Foundation
import Testing

@testable import NewsletterCore

/// `--now` as a person types it: a full instant, or a bare date; nothing in between is taken for midnight.
struct InstantGivenTests {
    @Test("accepted forms", arguments: [
        ("2024-02-02T08:00:00Z", "2024-02-02T08:00:00Z"),
        ("2024-02-02T09:00:00+01:00", "2024-02-02T08:00:00Z"),
        ("2024-02-02T08:00:00.250Z", "2024-02-02T08:00:00Z"),
        ("2024-02-02", "2024-02-02T00:00:00Z"),
    ])
    func accepted(_ example: (String, String)) throws {
        let date = try #require(Instant.parseGiven(example.0))
        #expect(Instant.iso(date) == example.1)
    }

    @Test("refused forms (once read as midnight of the date they start with)", arguments: [
        "2024-02-02T08:00:00", "2024-02-02 08:00:00", "2024-02-02T08:00Z", "2024-02-02garbage", "2024-2-2", "02/02/2024", "", "yesterday",
    ])
    func refused(_ text: String) {
        #expect(Instant.parseGiven(text) == nil)
    }
}
