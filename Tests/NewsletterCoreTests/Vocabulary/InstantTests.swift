import Foundation
import Testing

@testable import NewsletterCore

/// `Instant.parse` reads the tool's own form without a formatter: it must agree with ISO8601DateFormatter.
struct InstantTests {
    @Test("the canonical form is read as ISO8601DateFormatter reads it, for instants from 1970 to 2100")
    func agreesWithFormatter() throws {
        let formatter = ISO8601DateFormatter()
        var generator = SeededGenerator(seed: 8058)
        var samples: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: -2_208_988_800), Date(timeIntervalSince1970: -86_401), try #require(Instant.parse("2024-02-29T23:59:59Z"))]
        for _ in 0..<3000 { samples.append(Date(timeIntervalSince1970: Double(Int64.random(in: 0..<4_102_444_800, using: &generator)))) }
        for date in samples {
            let text = formatter.string(from: date)
            #expect(Instant.parseCanonical(text) == formatter.date(from: text), "\(text)")
            #expect(Instant.parse(text) == date, "\(text)")
            #expect(Instant.canonical(date) == text, "\(text)")
            let fraction = date.addingTimeInterval(0.75)
            #expect(Instant.canonical(fraction) == formatter.string(from: fraction), "\(text) + 0.75 s")
        }
    }

    @Test(
        "anything but the canonical form with fields in range goes to the formatter",
        arguments: [
            "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z", "2024-01-01T00:00:00+01:00", "2024-01-01 00:00:00Z", "2024-1-01T00:00:00Z",
            "２０２４-01-01T00:00:00Z", "",
        ])
    func fallsBack(text: String) {
        #expect(Instant.parseCanonical(text) == nil)
        #expect(Instant.parse(text) == ISO8601DateFormatter().date(from: text))
    }
}
