import Foundation
import Testing

@testable import NewsletterCore

/// RFC 822 (RSS) and RFC 3339 (Atom) dates, and the mistakes real feeds make with them.
struct FeedDateTests {
    static let cases: [(String, String?)] = [
        // RFC 822 / RFC 1123 as written.
        ("Sat, 07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z"),
        ("Fri, 02 Feb 2024 06:12:38 +0000", "2024-02-02T06:12:38Z"),
        ("Thu, 01 Feb 2024 20:00:00 +0800", "2024-02-01T12:00:00Z"),
        ("Thu, 01 Feb 2024 22:05:00 EST", "2024-02-02T03:05:00Z"),
        ("Thu, 01 Feb 2024 22:05:00 PDT", "2024-02-02T05:05:00Z"),
        ("Thu, 01 Feb 2024 22:05:00 UT", "2024-02-01T22:05:00Z"),
        ("Thu, 01 Feb 2024 22:05:00 Z", "2024-02-01T22:05:00Z"),
        // Mistakes: no day name, one-digit day, no seconds, full names, misspelt day, lower case, colon in zone.
        ("1 Feb 2024 09:00 +0100", "2024-02-01T08:00:00Z"),
        ("Thursday, 01 February 2024 10:00:00 GMT", "2024-02-01T10:00:00Z"),
        ("Thur, 01 Feb 2024 10:00:00 GMT", "2024-02-01T10:00:00Z"),
        ("thu, 01 feb 2024 10:00:00 gmt", "2024-02-01T10:00:00Z"),
        ("Thu, 01 Feb 2024 10:00:00 +01:00", "2024-02-01T09:00:00Z"),
        ("Thu,01 Feb 2024 10:00:00 +0000", "2024-02-01T10:00:00Z"),
        ("Thu, 01 Sept 2023 10:00:00 GMT", "2023-09-01T10:00:00Z"),
        ("Thu, 01 Feb 24 10:00:00 GMT", "2024-02-01T10:00:00Z"),
        ("Thu, 01 Feb 99 10:00:00 GMT", "1999-02-01T10:00:00Z"),
        ("Thu, 01 Feb 2024 10:00:00", "2024-02-01T10:00:00Z"),
        ("Thu, 01 Feb 2024", "2024-02-01T00:00:00Z"),
        ("Thu, 01 Feb 2024 10:00:00 GMT+2", "2024-02-01T08:00:00Z"),
        ("  Thu,  01  Feb  2024  10:00:00  GMT  ", "2024-02-01T10:00:00Z"),
        ("Feb 01 2024 10:00:00 GMT", "2024-02-01T10:00:00Z"),
        // RFC 3339 and its near-misses.
        ("2002-10-02T10:00:00-05:00", "2002-10-02T15:00:00Z"),
        ("2024-02-01T15:04:05Z", "2024-02-01T15:04:05Z"),
        ("2024-02-01T15:04:05.123456Z", "2024-02-01T15:04:05Z"),
        ("2024-02-01t20:00:00.123+01:00", "2024-02-01T19:00:00Z"),
        ("2024-02-01 15:04:05Z", "2024-02-01T15:04:05Z"),
        ("2024-02-01T15:04:05+0100", "2024-02-01T14:04:05Z"),
        ("2024-02-01T15:04:05", "2024-02-01T15:04:05Z"),
        ("2024-02-01T15:04Z", "2024-02-01T15:04:00Z"),
        ("2024-02-01", "2024-02-01T00:00:00Z"),
        ("2024-02-01T15:04:05 +01:00", "2024-02-01T14:04:05Z"),
        ("2019-03-01T10:00:00+00:00", "2019-03-01T10:00:00Z"),
        // Not dates: the item takes the time it was first seen.
        ("", nil),
        ("yesterday", nil),
        ("Thu, 32 Feb 2024 10:00:00 GMT", nil),
        ("Thu, 01 Foo 2024 10:00:00 GMT", nil),
        ("2024-13-01T00:00:00Z", nil),
        ("2024-02-01T25:00:00Z", nil),
        ("Thu, 01 Feb 2024 10:00:00 +9999", nil),
        ("Thu, 01 Feb 2024 10:00:00 Nowhere", nil),
    ]

    @Test("Feed dates parse to the right instant, or to nil", arguments: cases)
    func parse(_ text: String, _ expected: String?) {
        let parsed = FeedDate.parse(text)
        #expect(parsed.map(Instant.iso) == expected, "\(text)")
    }
}
