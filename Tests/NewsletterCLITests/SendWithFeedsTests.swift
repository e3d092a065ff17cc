import Foundation
import Testing

@testable import NewsletterCore

/// `send` with a feed source: each item is sent once, even when the feed edits, re-dates or reorders it later, and
/// an edition that resumes still carries the items it froze.
@Suite(.serialized)
struct SendWithFeedsTests {
    /// A feed with the given items (title, guid, RFC 822 date), in that order.
    static func feed(_ items: [(title: String, guid: String, date: String)]) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>Edited Blog</title><link>https://edited.example.org/</link>
        \(items.map { "<item><title>\($0.title)</title><link>https://edited.example.org/\($0.guid)</link><guid>\($0.guid)</guid><pubDate>\($0.date)</pubDate><description>&lt;p&gt;\($0.title) body.&lt;/p&gt;</description></item>" }.joined(separator: "\n"))
        </channel></rss>
        """
    }

    static func write(_ text: String, _ path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The titles of the articles of each edition, oldest edition first.
    static func editions(_ state: String) throws -> [[String]] {
        let ids = try FileManager.default.contentsOfDirectory(atPath: state + "/editions").sorted()
        return try ids.map { id in
            let json = try JSONReader.parse(try FileSystem.readAll(state + "/editions/\(id)/edition.json"))
            guard case .array(let articles)? = json["articles"] else { return [] }
            return articles.compactMap { if case .string(let title)? = $0["title"] { return title } else { return nil } }
        }
    }

    @Test("An item edited, re-dated or moved by the feed does not come back; a new item does")
    func seenOnce() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let feeds = folder + "/feeds"
        try FileManager.default.createDirectory(atPath: feeds, withIntermediateDirectories: true)
        let server = try FeedServer(directory: folder, feeds: feeds)
        let sink = try SmtpSink(directory: folder)
        let fixture = try FeedFixture(
            sources: "[{\"feed\": \"\(server.url("/version/blog.xml"))\", \"name\": \"Edited\"}]",
            smtp: "{\"url\": \"smtp://127.0.0.1:\(sink.port)\", \"security\": \"none\"}")
        defer { fixture.remove() }
        let env = ["NEWSLETTER_SECRET": SendFixture.secret]

        try Self.write(Self.feed([("First post", "a", "Fri, 02 Feb 2024 06:00:00 GMT"), ("Second post", "b", "Fri, 02 Feb 2024 07:00:00 GMT")]), feeds + "/blog.xml.v1")
        try Self.write("1", folder + "/version")
        let first = try CLI.run(["send", "--config", fixture.config, "--now", "2024-02-02T08:00:00Z", "--quiet"], environment: env)
        #expect(first.status == 0, "\(first.stderr)")

        // The next day: "First post" edited and re-dated after the last edition, the order changed, one new item.
        try Self.write(
            Self.feed([
                ("Third post", "c", "Sat, 03 Feb 2024 06:00:00 GMT"), ("First post (updated)", "a", "Sat, 03 Feb 2024 07:00:00 GMT"),
                ("Second post", "b", "Fri, 02 Feb 2024 07:00:00 GMT"),
            ]), feeds + "/blog.xml.v2")
        try Self.write("2", folder + "/version")
        let second = try CLI.run(["send", "--config", fixture.config, "--now", "2024-02-03T08:00:00Z", "--quiet"], environment: env)
        #expect(second.status == 0, "\(second.stderr)")

        // Later that day the feed only reorders: nothing new.
        try Self.write(
            Self.feed([
                ("Second post", "b", "Fri, 02 Feb 2024 07:00:00 GMT"), ("First post (updated)", "a", "Sat, 03 Feb 2024 07:00:00 GMT"),
                ("Third post", "c", "Sat, 03 Feb 2024 06:00:00 GMT"),
            ]), feeds + "/blog.xml.v3")
        try Self.write("3", folder + "/version")
        let third = try CLI.run(["send", "--config", fixture.config, "--now", "2024-02-03T12:00:00Z"], environment: env)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains("No new article since the last edition; nothing sent."))

        #expect(try Self.editions(fixture.state) == [["Second post", "First post"], ["Third post"]])
        #expect(sink.receivedCounts() == ["reader@example.com": 2])
        let seen = try String(contentsOfFile: fixture.state + "/feeds/seen.tsv", encoding: .utf8)
        #expect(seen.split(separator: "\n").count == 3)
    }

    @Test("A send that could not reach the server resumes the same edition with its feed items, though they are recorded as seen")
    func resumeKeepsItems() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let feeds = folder + "/feeds"
        try FileManager.default.createDirectory(atPath: feeds, withIntermediateDirectories: true)
        try Self.write(Self.feed([("Only post", "only", "Fri, 02 Feb 2024 07:00:00 GMT")]), feeds + "/blog.xml.v1")
        let server = try FeedServer(directory: folder, feeds: feeds)
        let port = try SmtpSink.freePort()
        let fixture = try FeedFixture(
            sources: "[{\"feed\": \"\(server.url("/version/blog.xml"))\", \"name\": \"Edited\"}]",
            smtp: "{\"url\": \"smtp://127.0.0.1:\(port)\", \"security\": \"none\", \"timeoutSeconds\": 5}")
        defer { fixture.remove() }
        let env = ["NEWSLETTER_SECRET": SendFixture.secret]

        // No server yet: the edition is frozen (and its item recorded), then the run stops.
        let failed = try CLI.run(["send", "--config", fixture.config, "--now", "2024-02-02T08:00:00Z", "--quiet"], environment: env)
        #expect(failed.status != 0)
        #expect(try Self.editions(fixture.state) == [["Only post"]])
        #expect(try String(contentsOfFile: fixture.state + "/feeds/seen.tsv", encoding: .utf8).hasPrefix("\(server.url("/version/blog.xml")) only\t"))

        // The server is up: the same edition resumes and carries its item, even though it is recorded as seen.
        let mailDirectory = folder + "/mail"
        try FileManager.default.createDirectory(atPath: mailDirectory, withIntermediateDirectories: true)
        let smtp = try AiosmtpdServer(directory: mailDirectory, arguments: ["--port", "\(port)"])
        let resumed = try CLI.run(["send", "--config", fixture.config, "--now", "2024-02-02T09:00:00Z"], environment: env)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.hasPrefix("Edition 20240202T080000Z (resumed): 1 article"), "\(resumed.stdout)")
        #expect(try Self.editions(fixture.state) == [["Only post"]])
        let received = smtp.received()
        #expect(received.count == 1)
        let message = try String(contentsOfFile: mailDirectory + "/" + (received.first?.file ?? ""), encoding: .utf8)
        #expect(message.contains("Only post"))
    }
}
