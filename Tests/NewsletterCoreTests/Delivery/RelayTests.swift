import Foundation
import Testing

@testable import NewsletterCore

/// A relay's pace: even spacing, and the hard cap on what the relay can count in any second.
struct RelayPaceTests {
    func relay(rate: Double?) throws -> Relay {
        let rateText = rate.map { ", \"messagesPerSecond\": \($0)" } ?? ""
        let text = """
            {
              "newsletter": {"title": "T", "from": "T <t@example.org>", "subject": "{{title}}", "unsubscribeURL": "https://e.org/u/{{token}}"},
              "articles": {"directory": "a"}, "templates": {"directory": "t"}, "subscribers": {"file": "s.json"},
              "smtp": {"url": "smtp://127.0.0.1:25", "security": "none"\(rateText)}
            }
            """
        let smtp = try #require(try Configuration(json: JSONReader.parse(Array(text.utf8)), file: "c.json", baseDirectory: "/").smtp)
        return Relay(settings: smtp, password: nil, now: 100)
    }

    @Test("Without a limit, a message may always start")
    func unlimited() throws {
        let relay = try relay(rate: nil)
        for _ in 0..<1000 { relay.start(at: 100) }
        #expect(relay.nextStart(at: 100) == nil)
    }

    @Test("Starts are spaced 1/rate apart; a slow stretch earns no burst")
    func spacing() throws {
        let relay = try relay(rate: 4)
        #expect(relay.nextStart(at: 100) == nil)
        relay.start(at: 100)
        #expect(relay.nextStart(at: 100.1) == 100.25)
        relay.finish(at: 100.2)
        #expect(relay.nextStart(at: 100.25) == nil)
        relay.start(at: 103)  // after a pause: the next slot is from now, not from the old one
        #expect(relay.nextStart(at: 103.1) == 103.25)
    }

    @Test("Finished in the last second plus in flight never reach more than the limit, however replies bunch")
    func cap() throws {
        let relay = try relay(rate: 3)
        // Three start on time, then the relay stalls: all three are in flight.
        relay.start(at: 100)
        relay.start(at: 100.34)
        relay.start(at: 100.68)
        #expect(relay.nextStart(at: 101.5) == 101.55, "three in flight: wait (and be woken by a finish)")
        // The stall ends: all three replies come at once. They count for a second from then.
        relay.finish(at: 102)
        relay.finish(at: 102)
        relay.finish(at: 102)
        #expect(relay.nextStart(at: 102.5) == 103)
        #expect(relay.nextStart(at: 103) == nil)
    }

    @Test("Below one a second, one message per 1/rate seconds")
    func slow() throws {
        let relay = try relay(rate: 0.5)
        #expect(relay.cap?.count == 1 && relay.cap?.window == 2)
        relay.start(at: 100)
        relay.finish(at: 100.5)
        #expect(relay.nextStart(at: 101) == 102)
        #expect(relay.nextStart(at: 102.6) == nil)
    }
}
