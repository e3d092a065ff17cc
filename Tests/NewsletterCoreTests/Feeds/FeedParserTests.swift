import Foundation
import Testing

@testable import NewsletterCore

/// The feed shapes real sites publish, and the documents a parser must refuse.
struct FeedParserTests {
    static func parse(_ name: String, url: String? = nil, maxBytes: Int = 10 << 20) throws -> ParsedFeed {
        try FeedParser.parse(try Fixtures.read("feeds/" + name), url: url ?? "https://feeds.example/\(name)", feed: name, maxBytes: maxBytes)
    }

    @Test("WordPress RSS 2.0: content:encoded over description, dc:creator, guid as the id, the link as the link")
    func wordpress() throws {
        let feed = try Self.parse("wordpress.xml")
        #expect(feed.format == .rss2)
        #expect(feed.title == "Field Notes on Gardening")
        #expect(feed.items.count == 2)
        let item = feed.items[0]
        #expect(item.title == "Pruning roses in February – a short guide")
        #expect(item.id == "https://garden.example.com/?p=1042")
        #expect(item.link == "https://garden.example.com/2024/02/02/pruning-roses/")
        #expect(item.author == "Margaret Hale")
        #expect(item.published.map(Instant.iso) == "2024-02-02T06:12:38Z")
        #expect(item.html.contains("<strong>hybrid teas</strong>"))
        #expect(feed.items[1].html == "What to order now.")
    }

    @Test("Ghost and Substack RSS: CDATA everywhere, guid not a permalink")
    func ghostAndSubstack() throws {
        let ghost = try Self.parse("ghost.xml")
        #expect(ghost.title == "The Quiet Engineer")
        #expect(ghost.items.first?.id == "65bc9a1e4f2d3c0001a7e3b1")
        #expect(ghost.items.first?.link == "https://quiet.example.net/boring-technology-revisited/")
        #expect(ghost.items.first?.author == "Sam Okafor")
        let substack = try Self.parse("substack.xml")
        #expect(substack.items.first?.title == "The winter harbour")
        #expect(substack.items.first?.html.contains("The harbour froze on Tuesday") == true)
        #expect(substack.items.first?.published.map(Instant.iso) == "2024-02-01T12:00:00Z")
    }

    @Test("GitHub releases Atom: escaped HTML content, the entry id, updated when there is no published")
    func githubReleases() throws {
        let feed = try Self.parse("github-releases.atom")
        #expect(feed.format == .atom)
        let item = try #require(feed.items.first)
        #expect(item.id == "tag:github.com,2008:Repository/123456/v2.3.0")
        #expect(item.title == "v2.3.0")
        #expect(item.link == "https://github.com/example/widget/releases/tag/v2.3.0")
        #expect(item.published.map(Instant.iso) == "2024-02-01T15:04:05Z")
        #expect(item.html.hasPrefix("<h2>What&#39;s Changed</h2>"))
        #expect(item.author == "octo")
    }

    @Test("YouTube Atom: the thumbnail and the media:description make the content")
    func youtube() throws {
        let item = try #require(try Self.parse("youtube.atom").items.first)
        #expect(item.id == "yt:video:AbCdEfGhIjK")
        #expect(item.title == "A tour of a violin maker's bench")
        #expect(item.published.map(Instant.iso) == "2024-02-01T17:00:06Z")
        #expect(item.html == "<p><img src=\"https://i2.ytimg.com/vi/AbCdEfGhIjK/hqdefault.jpg\" alt=\"\"></p><p>Chisels, planes and a lot of patience.<br>Filmed in Cremona.</p>")
    }

    @Test("Atom text, html and xhtml constructs, and xml:base for relative links")
    func atomTypesAndBase() throws {
        let feed = try Self.parse("xhtml-base.atom")
        #expect(feed.title == "Notes & Sketches")
        #expect(feed.link?.absoluteString == "https://notes.example.org/blog/")
        let xhtml = feed.items[0]
        #expect(xhtml.title == "Sketching light")
        #expect(xhtml.link == "https://notes.example.org/blog/2024/sketching-light.html")
        #expect(xhtml.html.contains("<p>Light falls <a href=\"light.png\">like this</a>.</p>"))
        #expect(xhtml.contentBase?.absoluteString == "https://static.example.org/media/")
        let text = feed.items[1]
        #expect(text.title == "Plain text <not a tag>")
        #expect(text.link == "https://notes.example.org/blog/plain.html")
        #expect(text.html == "<p>Line one &lt;b&gt;stays text&lt;/b&gt;</p><p>Line two.</p>")
        #expect(text.published.map(Instant.iso) == "2024-02-01T19:00:00Z")
        #expect(feed.items[2].published == nil)
    }

    @Test("RSS 1.0 (RDF): items beside the channel, dc:date, dc:creator")
    func rss1() throws {
        let feed = try Self.parse("rss1.rdf")
        #expect(feed.format == .rss1)
        #expect(feed.title == "Journal of Small Things")
        let item = try #require(feed.items.first)
        #expect(item.title == "On buttons")
        #expect(item.link == "https://journal.example.org/2024/02/01/buttons")
        #expect(item.published.map(Instant.iso) == "2024-02-01T02:30:00Z")
        #expect(item.author == "R. Ito")
        #expect(item.html == "<p>A history of the <em>humble</em> button.</p>")
    }

    @Test("A feed declared GB18030 decodes right, supplementary characters included")
    func gb18030() throws {
        let feed = try Self.parse("gb18030.xml")
        #expect(feed.title == "科技日报摘要")
        #expect(feed.items.first?.title == "量子计算机实现新突破 𠀀")
        #expect(feed.items.first?.html.contains("研究人员宣布") == true)
    }

    @Test("CDATA HTML and escaped HTML read the same way; relative links resolve against the feed")
    func cdata() throws {
        let feed = try Self.parse("cdata.xml", url: "http://mixed.example.org/feed.xml")
        #expect(feed.items[0].title == "Escaped & CDATA: both ways")
        #expect(feed.items[0].html.hasPrefix("<p>First paragraph with <em>emphasis</em>"))
        #expect(feed.items[1].html == "<p>Plain <b>escaped</b> HTML.</p>")
        #expect(feed.items[1].id == "http://mixed.example.org/posts/41")
    }

    @Test("Malformed XML is an error naming the feed and the line")
    func malformed() throws {
        #expect {
            try Self.parse("malformed.xml")
        } throws: { error in
            guard case FeedError.malformed(let feed, let line, _) = error else { return false }
            return feed == "malformed.xml" && line == 6 && error.localizedDescription.isEmpty == false
        }
    }

    @Test("An XXE feed reads no file and no URL: the entity stays empty")
    func xxe() throws {
        let feed = try Self.parse("xxe.xml")
        let item = try #require(feed.items.first)
        #expect(!item.title.contains("root:") && !item.html.contains("root:"))
        #expect(item.title == "Secrets:")
    }

    @Test("A billion-laughs document fails fast with a clear error")
    func billionLaughs() throws {
        let start = Date()
        #expect {
            try Self.parse("billion-laughs.xml")
        } throws: { error in
            guard case FeedError.malformed(_, _, let reason) = error else { return false }
            return reason == "Detected an entity reference loop"
        }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test("A quadratic blow-up (one large entity referenced many times) stops at the expansion bound")
    func quadraticBlowup() throws {
        let entity = String(repeating: "a", count: 50_000)
        let references = String(repeating: "&big;", count: 2_000)
        let document = """
            <?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "\(entity)">]>
            <rss version="2.0"><channel><title>Q</title><item><title>t</title><description>\(references)</description></item></channel></rss>
            """
        let start = Date()
        #expect {
            try FeedParser.parse(Array(document.utf8), url: "https://q.example/", feed: "q", maxBytes: 1 << 20)
        } throws: { error in
            guard case FeedError.malformed(let feed, _, _) = error else { return false }
            return feed == "q"
        }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test("A document over the size bound is refused before parsing")
    func tooLarge() throws {
        #expect(throws: FeedError.tooLarge(feed: "wordpress.xml", limit: 1024)) { try Self.parse("wordpress.xml", maxBytes: 1024) }
    }

    @Test("Well-formed XML that is no feed is named as such")
    func notAFeed() throws {
        #expect(throws: FeedError.notAFeed(feed: "x", root: "html")) {
            try FeedParser.parse(Array("<html><body/></html>".utf8), url: "https://x/", feed: "x", maxBytes: 1000)
        }
    }
}
