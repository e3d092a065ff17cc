import Foundation
import Testing

/// `smtp.relays` (issue 17): several relays fed at once from one queue, each at its own pace, surviving one that
/// fails. Real aiosmtpd servers on loopback, one per relay.
@Suite(.serialized)
struct RelayTests {
    static func relays(_ relays: [String], _ extra: String = "") -> String {
        "{\"relays\": [\(relays.joined(separator: ", "))], \"retryDelaySeconds\": 0.05, \"timeoutSeconds\": 10\(extra)}"
    }

    static func relay(_ port: Int, connections: Int = 2, _ extra: String = "") -> String {
        "{\"url\": \"smtp://127.0.0.1:\(port)\", \"security\": \"none\", \"connections\": \(connections)\(extra)}"
    }

    @Test("Messages are split between two alike relays in proportion to their connections; the journal and the summary name each relay")
    func split() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Alike relays whose reply to each end of data takes 50 ms: each connection carries about 20 messages a
        // second, whatever else the machine is doing, so the split follows the connections (3 to 1).
        let a = try AiosmtpdServer(directory: folder + "/a", arguments: ["--no-store", "--delay", "0.05"])
        let b = try AiosmtpdServer(directory: folder + "/b", arguments: ["--no-store", "--delay", "0.05"])
        let fixture = try SendFixture(subscribers: 300, smtp: Self.relays([Self.relay(a.port, connections: 3), Self.relay(b.port, connections: 1)]))
        defer { fixture.remove() }
        let result = try fixture.send(["--verbose"])
        #expect(result.status == 0, "\(result.stderr)")
        // --verbose names each connection's relay.
        #expect(result.stderr.contains("curl[1@127.0.0.1:\(a.port)]: > MAIL FROM:"), "\(result.stderr.prefix(2000))")
        #expect(result.stderr.contains("curl[4@127.0.0.1:\(b.port)]: > MAIL FROM:"))
        let countA = a.received().count
        let countB = b.received().count
        #expect(countA + countB == 300)
        #expect(countB > 0, "relay B got nothing")
        #expect(Double(countA) >= 2 * Double(countB), "3 connections got \(countA), 1 connection got \(countB)")
        var all = a.receivedCounts()
        all.merge(b.receivedCounts(), uniquingKeysWith: +)
        #expect(all.count == 300 && all.values.allSatisfy { $0 == 1 })
        #expect(result.stdout.contains("  relay 127.0.0.1:\(a.port): sent \(countA), failed 0, unknown 0,"), "\(result.stdout)")
        #expect(result.stdout.contains("  relay 127.0.0.1:\(b.port): sent \(countB), failed 0, unknown 0,"), "\(result.stdout)")
        let journal = fixture.journal()
        #expect(journal.filter { $0.hasSuffix("\t127.0.0.1:\(a.port)") }.count == countA)
        #expect(journal.filter { $0.hasSuffix("\t127.0.0.1:\(b.port)") }.count == countB)
    }

    @Test("A relay limited to 50 messages per second never gets more in any second, by its own clock; the other takes the rest")
    func rateLimitPerRelay() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let limited = try AiosmtpdServer(directory: folder + "/a", arguments: ["--no-store"])
        let free = try AiosmtpdServer(directory: folder + "/b", arguments: ["--no-store", "--delay", "0.02"])
        let fixture = try SendFixture(subscribers: 400, smtp: Self.relays([
            Self.relay(limited.port, connections: 4, ", \"messagesPerSecond\": 50"), Self.relay(free.port, connections: 2),
        ]))
        defer { fixture.remove() }
        let result = try fixture.send(["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let times = limited.receivedTimes()
        #expect(times.count > 50, "the limited relay got only \(times.count)")
        let perSecond = Dictionary(times.map { (Int($0.rounded(.down)), 1) }, uniquingKeysWith: +)
        #expect(perSecond.values.allSatisfy { $0 <= 50 }, "\(perSecond.sorted { $0.key < $1.key })")
        // And in any window of one second, not only in whole seconds of the clock.
        let sorted = times.sorted()
        var end = 0
        var busiest = 0
        for start in sorted.indices {
            while end < sorted.count && sorted[end] < sorted[start] + 1 { end += 1 }
            busiest = max(busiest, end - start)
        }
        #expect(busiest <= 50, "\(busiest) messages within one second")
        #expect(times.count + free.received().count == 400)
        // --json gives each relay's counts and rate.
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        let relays = try #require(json?.first?["relays"] as? [[String: Any]])
        #expect(relays.map { $0["name"] as? String } == ["127.0.0.1:\(limited.port)", "127.0.0.1:\(free.port)"])
        #expect(relays.first?["sent"] as? Int == times.count)
        #expect((relays.first?["rate"] as? Double ?? 99) <= 51)
    }

    @Test("A relay that stops after 300 messages is set aside: everyone still gets the edition, nobody twice, exit 0, the summary names it")
    func failingRelay() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dying = try AiosmtpdServer(directory: folder + "/a", arguments: ["--no-store", "--stop-after", "300"])
        let healthy = try AiosmtpdServer(directory: folder + "/b", arguments: ["--no-store", "--delay", "0.01"])
        let fixture = try SendFixture(subscribers: 1000, smtp: Self.relays([Self.relay(dying.port), Self.relay(healthy.port)]))
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(dying.received().count == 300)
        var all = dying.receivedCounts()
        all.merge(healthy.receivedCounts(), uniquingKeysWith: +)
        #expect(all.count == 1000, "\(1000 - all.count) subscribers got nothing")
        // Only an unknown outcome may repeat, at most one per connection open on the failed relay (2); it is not
        // even resent in this run.
        let repeats = all.values.reduce(0) { $0 + $1 - 1 }
        #expect(repeats <= 2, "\(repeats) repeats")
        #expect(result.stderr.contains("warning: relay 127.0.0.1:\(dying.port) was set aside"), "\(result.stderr)")
        #expect(result.stdout.contains("  relay 127.0.0.1:\(dying.port): sent 300,"), "\(result.stdout)")
    }

    @Test("A relay that answers 421 is set aside, tried again later in the run, and then takes messages again")
    func busyRelayComesBack() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let busy = try AiosmtpdServer(directory: folder + "/a", arguments: ["--no-store", "--busy-first", "2"])
        let other = try AiosmtpdServer(directory: folder + "/b", arguments: ["--no-store", "--delay", "0.02"])
        let fixture = try SendFixture(subscribers: 300, smtp: Self.relays([Self.relay(busy.port), Self.relay(other.port)]))
        defer { fixture.remove() }
        let start = Date()
        let result = try fixture.send()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("retried 0"), "a message moved to another relay is not one of its retries: \(result.stdout)")
        #expect(result.stderr.contains("warning: relay 127.0.0.1:\(busy.port) was set aside"), "\(result.stderr)")
        // Back after its backoff (1 s), it took messages again while the run went on.
        let firstAccepted = try #require(busy.receivedTimes().first, "the busy relay never came back")
        #expect(firstAccepted - start.timeIntervalSince1970 >= 0.9)
        var all = busy.receivedCounts()
        all.merge(other.receivedCounts(), uniquingKeysWith: +)
        #expect(all.count == 300 && all.values.allSatisfy { $0 == 1 })
    }

    @Test("When every relay keeps failing, the run stops (exit 1) naming each, and nothing is recorded for the unsent")
    func everyRelayFails() throws {
        let fixture = try SendFixture(subscribers: 20, smtp: Self.relays([Self.relay(try SmtpSink.freePort()), Self.relay(try SmtpSink.freePort())]))
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("error: every relay failed and is set aside: 127.0.0.1:"), "\(result.stderr)")
        #expect(fixture.journal().isEmpty)
    }

    @Test("kill -9 in the middle of a two-relay send, then resume: nobody lost, nobody twice beyond one per connection")
    func killNine() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let a = try AiosmtpdServer(directory: folder + "/a", arguments: ["--no-store", "--delay", "0.01"])
        let b = try AiosmtpdServer(directory: folder + "/b", arguments: ["--no-store", "--delay", "0.01"])
        let fixture = try SendFixture(subscribers: 600, smtp: Self.relays([Self.relay(a.port), Self.relay(b.port)]))
        defer { fixture.remove() }
        let first = try fixture.start()
        for _ in 0..<400 where fixture.journal().count < 100 { Thread.sleep(forTimeInterval: 0.05) }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let before = fixture.journal().count
        #expect(before > 0 && before < 600, "journal had \(before) lines when killed")
        let second = try fixture.send(["--resume-only"])
        #expect(second.status == 0, "\(second.stderr)")
        var all = a.receivedCounts()
        all.merge(b.receivedCounts(), uniquingKeysWith: +)
        #expect(all.count == 600)
        let repeats = all.values.reduce(0) { $0 + $1 - 1 }
        #expect(repeats <= 4, "\(repeats) repeats with 4 connections")
    }
}
