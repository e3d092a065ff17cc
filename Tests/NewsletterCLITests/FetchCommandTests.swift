import Foundation
import Testing

@testable import NewsletterCore

/// `newsletter fetch` against a real HTTP server on loopback: real feed shapes, conditional GET, gzip, redirects,
/// failures of every kind, and what `check` and `articles` make of them.
@Suite(.serialized)
struct FetchCommandTests {
    static let now = "2024-02-02T08:00:00Z"

    @Test("Real feed shapes are fetched gzip'd with the tool's User-Agent; a second fetch is all 304s")
    func fetchAndConditionalGet() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try FeedServer(directory: folder)
        let names = ["wordpress.xml", "ghost.xml", "github-releases.atom", "substack.xml", "youtube.atom", "cdata.xml", "gb18030.xml", "rss1.rdf"]
        let sources = "[" + names.map { "{\"feed\": \"\(server.url("/feeds/" + $0))\", \"name\": \"\($0)\"}" }.joined(separator: ", ") + "]"
        let fixture = try FeedFixture(sources: sources, feeds: "{\"parallel\": 3}")
        defer { fixture.remove() }

        let first = try CLI.run(["fetch", "--config", fixture.config, "--now", Self.now])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr == "")
        #expect(first.stdout.contains("\(server.url("/feeds/wordpress.xml")): 2 items\n"))
        #expect(first.stdout.hasSuffix("8 feeds, 0 failed.\n"))
        let requests = server.requests()
        #expect(requests.count == names.count)
        for request in requests {
            #expect(request.userAgent == "newsletter/0.1.0")
            #expect(request.acceptEncoding.contains("gzip"))
            #expect(request.gzip && request.status == 200)
            #expect(request.ifNoneMatch.isEmpty)
        }

        let second = try CLI.run(["fetch", "--config", fixture.config, "--now", Self.now])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("\(server.url("/feeds/ghost.xml")): not modified\n"))
        let again = server.requests().dropFirst(names.count)
        #expect(again.count == names.count)
        #expect(again.allSatisfy { $0.status == 304 && !$0.ifNoneMatch.isEmpty && $0.ifModifiedSince == "Fri, 02 Feb 2024 07:46:40 GMT" })

        // The items, as `articles` lists them: each with its source's name, Chinese decoded from GB18030.
        let articles = try CLI.run(["articles", "--config", fixture.config, "--now", Self.now])
        #expect(articles.status == 0, "\(articles.stderr)")
        #expect(articles.stdout.contains("2024-02-01 12:00  量子计算机实现新突破 𠀀\n    https://news.example.cn/2024/02/01/quantum.html  [gb18030.xml]\n"))
        #expect(articles.stdout.contains("A tour of a violin maker's bench"))
        #expect(articles.stdout.hasSuffix("8 in the digest, 0 left out, 0 unreadable, 2 outside the window, of 10 items of 8 feeds.\n"))
    }

    @Test("A 404, a 500 and malformed XML are reported naming the URL; the other feeds still make the digest; check calls out a feed failing for days")
    func failures() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try FeedServer(directory: folder)
        let good = server.url("/feeds/wordpress.xml")
        let missing = server.url("/status/404")
        let broken = server.url("/status/500")
        let malformed = server.url("/feeds/malformed.xml")
        let fixture = try FeedFixture(
            sources: "[{\"feed\": \"\(good)\"}, {\"feed\": \"\(missing)\"}, {\"feed\": \"\(broken)\"}, {\"feed\": \"\(malformed)\"}]",
            feeds: "{\"failingDays\": 2}", articles: true)
        defer { fixture.remove() }

        let fetch = try CLI.run(["fetch", "--config", fixture.config, "--now", Self.now])
        #expect(fetch.status == 1)
        #expect(fetch.stderr.contains("error: \(missing): the server answered HTTP 404; the other sources still make the digest\n"))
        #expect(fetch.stderr.contains("error: \(broken): the server answered HTTP 500; the other sources still make the digest\n"))
        #expect(fetch.stderr.contains("error: \(malformed): line 6: not well-formed XML:"))
        #expect(fetch.stdout.hasSuffix("4 feeds, 3 failed.\n"))

        // The digest still has the folder's articles and the good feed's item.
        let out = fixture.directory + "/p.eml"
        let preview = try CLI.run(["preview", "--config", fixture.config, "--now", Self.now, "--out", out, "--html", fixture.directory + "/p.html"])
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains(": 7 articles,"))
        // preview fetches again, and says so; the feed never fetched is skipped with a warning.
        #expect(preview.stderr.contains("error: \(missing): the server answered HTTP 404; the other sources still make the digest\n"))
        #expect(preview.stderr.contains("warning: \(missing): cannot read the feed: not fetched yet"))
        let html = try String(contentsOfFile: fixture.directory + "/p.html", encoding: .utf8)
        #expect(html.contains("Pruning roses in February – a short guide"))
        #expect(html.contains("Field Notes on Gardening ·"))
        #expect(!html.contains("trackVisit"))

        // A day later: failing, not yet for failingDays. Three days later: called out.
        let soon = try CLI.run(["check", "--config", fixture.config, "--now", "2024-02-03T08:00:00Z"])
        #expect(soon.status == 0, "\(soon.stderr)")
        #expect(soon.stdout.contains("warn  \(missing): feed: failing since \(Self.now) (1.0 days; never worked): the server answered HTTP 404\n"))
        let later = try CLI.run(["check", "--config", fixture.config, "--now", "2024-02-05T08:00:00Z"])
        #expect(later.status == 1)
        #expect(later.stderr.contains("error: \(missing): feed: failing since \(Self.now) (3.0 days; never worked): the server answered HTTP 404 — failing for 2 days or more\n"))
        #expect(later.stdout.contains("ok    \(good): feed: fetched \(Self.now)\n"))
        #expect(later.stdout.hasSuffix("configuration valid; 5 sources, 3 need attention.\n"))
    }

    @Test("Redirects: a chain of 3 is followed, a loop stops after 5, and https→http is refused")
    func redirects() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plain = try FeedServer(directory: folder)
        let tlsFolder = folder + "/tls"
        try FileManager.default.createDirectory(atPath: tlsFolder, withIntermediateDirectories: true)
        let certificate = try makeCertificate(in: tlsFolder)
        let secure = try FeedServer(directory: tlsFolder, tls: certificate, httpPort: plain.port)
        let chain = plain.url("/chain/3/ghost.xml")
        let loop = plain.url("/loop")
        let downgrade = secure.url("/to-http/ghost.xml")
        let direct = secure.url("/chain/2/youtube.atom")
        let fixture = try FeedFixture(
            sources: "[{\"feed\": \"\(chain)\"}, {\"feed\": \"\(loop)\"}, {\"feed\": \"\(downgrade)\"}, {\"feed\": \"\(direct)\"}]",
            feeds: "{\"caFile\": \"\(certificate.cert)\"}")
        defer { fixture.remove() }

        let fetch = try CLI.run(["fetch", "--config", fixture.config, "--now", Self.now])
        #expect(fetch.status == 1)
        #expect(fetch.stdout.contains("\(chain): 1 item\n"))
        #expect(fetch.stdout.contains("\(direct): 1 item\n"))
        #expect(fetch.stderr.contains("error: \(loop): more than 5 redirects"))
        #expect(fetch.stderr.contains("error: \(downgrade): a redirect left https (https→http and other schemes are refused)"))
        // The loop was followed 5 times after the first request, then given up; the downgrade never reached http.
        #expect(plain.requests().filter { $0.path == "/loop" }.count == 6)
        #expect(plain.requests().filter { $0.path == "/feeds/ghost.xml" }.count == 1)  // Only the chain's end.
    }

    @Test("A slow server times out, a huge feed stops at the size cap, an XXE feed reads nothing, billion laughs fails fast")
    func hostile() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try FeedServer(directory: folder)
        let slow = server.url("/slow/10")
        let huge = server.url("/huge/50")
        let xxe = server.url("/feeds/xxe.xml")
        let laughs = server.url("/feeds/billion-laughs.xml")
        let fixture = try FeedFixture(
            sources: "[{\"feed\": \"\(slow)\"}, {\"feed\": \"\(huge)\"}, {\"feed\": \"\(xxe)\"}, {\"feed\": \"\(laughs)\"}]",
            feeds: "{\"timeoutSeconds\": 2, \"maxBytes\": 1048576, \"parallel\": 4}")
        defer { fixture.remove() }

        let start = Date()
        let fetch = try CLI.run(["fetch", "--config", fixture.config, "--now", Self.now])
        #expect(Date().timeIntervalSince(start) < 9, "the slow feed held the run past its timeout")
        #expect(fetch.status == 1)
        #expect(fetch.stderr.contains("error: \(slow): timed out after 2 s (feeds.timeoutSeconds)"))
        #expect(fetch.stderr.contains("error: \(huge): the feed is larger than feeds.maxBytes (1048576 bytes); refused"))
        #expect(fetch.stderr.contains("error: \(laughs): "))
        #expect(fetch.stderr.contains("Detected an entity reference loop") || fetch.stderr.contains("entity expansion exceeds"))
        #expect(fetch.stdout.contains("\(xxe): 1 item\n"))

        let articles = try CLI.run(["articles", "--config", fixture.config, "--now", Self.now])
        #expect(articles.stdout.contains("Secrets:"))
        #expect(!articles.stdout.contains("root:"))
        let stored = try String(contentsOfFile: fixture.state + "/feeds/" + FeedParser.fnv1a(xxe) + "/feed.xml", encoding: .utf8)
        #expect(!stored.contains("root:x:0"))
    }

    @Test("At most feeds.parallel feeds are fetched at once")
    func parallelLimit() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try FeedServer(directory: folder)
        // Six slow feeds (1 s each): with feeds.parallel 2 the server never sees more than 2 at once.
        let sources = "[" + (1...6).map { "{\"feed\": \"\(server.url("/slow/1?n=\($0)"))\"}" }.joined(separator: ", ") + "]"
        let fixture = try FeedFixture(sources: sources, feeds: "{\"parallel\": 2, \"timeoutSeconds\": 60}")
        defer { fixture.remove() }
        let fetch = try CLI.run(["fetch", "--config", fixture.config, "--now", Self.now])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(server.requests().count == 6)
        #expect(server.maxConcurrent() == 2)
    }

    @Test("An undated item keeps the time fetch first saw it; check refuses a local feed that does not parse")
    func firstSeenAndLocalCheck() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let feeds = FeedServer.fixtures
        let fixture = try FeedFixture(sources: "[{\"feed\": \"\(feeds)/xhtml-base.atom\"}, {\"feed\": \"file://\(feeds)/malformed.xml\"}]")
        defer { fixture.remove() }
        let fetch = try CLI.run(["fetch", "--config", fixture.config, "--now", "2024-02-02T06:00:00Z"])
        #expect(fetch.status == 1)
        #expect(fetch.stdout.contains("\(feeds)/xhtml-base.atom: 3 items\n"))
        #expect(fetch.stderr.contains("error: \(feeds)/malformed.xml: line 6: not well-formed XML:"))
        let articles = try CLI.run(["articles", "--config", fixture.config, "--now", "2024-02-02T08:00:00Z"])
        #expect(articles.stdout.contains("2024-02-02 06:00  No date at all\n    https://notes.example.org/blog/undated.html  [Notes & Sketches]\n"))
        #expect(articles.stderr.contains("warning: \(feeds)/malformed.xml: line 6: not well-formed XML:"))
        let check = try CLI.run(["check", "--config", fixture.config])
        #expect(check.status == 1)
        #expect(check.stdout.contains("ok    \(feeds)/xhtml-base.atom: local Atom 1.0 feed, 3 items\n"))
        #expect(check.stderr.contains("error: \(feeds)/malformed.xml: local feed: line 6: not well-formed XML:"))
    }
}
