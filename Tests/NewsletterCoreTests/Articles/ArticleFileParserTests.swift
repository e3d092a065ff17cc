import Foundation
import Testing

@testable import NewsletterCore

struct ArticleFileParserTests {
    struct Bad: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var line: Int?
        var reasonContains: String
        var testDescription: String { name }
    }

    static let good = "<!--1706822102000-->\n[A \"quoted\" [title]](https://example.org/a?x=1&y=2)\n------\n\n<p>Hello</p>\n"

    static let bad: [Bad] = [
        Bad(name: "empty", bytes: [], line: nil, reasonContains: "empty"),
        Bad(name: "only a BOM", bytes: [0xEF, 0xBB, 0xBF], line: nil, reasonContains: "empty"),
        Bad(name: "binary", bytes: [0x3C, 0x21, 0x00, 0x01, 0x02], line: nil, reasonContains: "binary"),
        Bad(name: "no timestamp", bytes: Array("[T](https://e.org)\n---\n<p>x</p>".utf8), line: 1, reasonContains: "expected a timestamp line"),
        Bad(name: "non-numeric timestamp", bytes: Array("<!--yesterday-->\n[T](https://e.org)\n---\n".utf8), line: 1, reasonContains: "not a whole number"),
        Bad(name: "negative timestamp", bytes: Array("<!---5-->\n[T](https://e.org)\n---\n".utf8), line: 1, reasonContains: "not a whole number"),
        Bad(name: "out-of-range timestamp", bytes: Array("<!--99999999999999999999-->\n[T](https://e.org)\n---\n".utf8), line: 1, reasonContains: "out of range"),
        Bad(name: "no link line", bytes: Array("<!--1706822102000-->\n".utf8), line: 2, reasonContains: "expected a markdown link"),
        Bad(name: "link line is not a link", bytes: Array("<!--1706822102000-->\nJust a title\n---\n".utf8), line: 2, reasonContains: "expected a markdown link"),
        Bad(name: "empty title", bytes: Array("<!--1706822102000-->\n[ ](https://e.org)\n---\n".utf8), line: 2, reasonContains: "title is empty"),
        Bad(name: "no dashes", bytes: Array("<!--1706822102000-->\n[T](https://e.org)\n<p>x</p>\n".utf8), line: 3, reasonContains: "line of dashes"),
        Bad(name: "not UTF-8", bytes: Array("<!--1706822102000-->\n[T](https://e.org)\n---\n<p>".utf8) + [0xC3, 0x28], line: nil, reasonContains: "not valid UTF-8 (at byte 47)"),
    ]

    @Test("Broken files are reported with the line and the reason", arguments: bad)
    func broken(_ example: Bad) {
        do {
            _ = try ArticleFileParser.parse(example.bytes, file: "x.txt")
            Issue.record("parsed a broken file")
        } catch {
            #expect(error.file == "x.txt")
            #expect(error.line == example.line)
            #expect(error.reason.contains(example.reasonContains), "\(error.reason)")
        }
    }

    @Test("A good file parses: title and URL split on the last '](', timestamp in milliseconds")
    func good() throws {
        let article = try ArticleFileParser.parse(Array(Self.good.utf8), file: "a.txt")
        #expect(article.title == "A \"quoted\" [title]")
        #expect(article.url == "https://example.org/a?x=1&y=2")
        #expect(article.link?.absoluteString == "https://example.org/a?x=1&y=2")
        #expect(article.published == Date(timeIntervalSince1970: 1_706_822_102))
        #expect(article.html == "\n<p>Hello</p>\n")
    }

    @Test("BOM and CRLF are accepted")
    func bomAndCRLF() throws {
        let text = Self.good.replacingOccurrences(of: "\n", with: "\r\n")
        let article = try ArticleFileParser.parse([0xEF, 0xBB, 0xBF] + Array(text.utf8), file: "a.txt")
        #expect(article.title == "A \"quoted\" [title]")
        #expect(article.url == "https://example.org/a?x=1&y=2")
    }

    @Test("Control characters in a title become spaces")
    func controlCharactersInTitle() throws {
        let article = try ArticleFileParser.parse(Array("<!--1-->\n[Bad\u{0B}title\u{7F}x\u{2028}y](https://e.org)\n---\n".utf8), file: "a.txt")
        #expect(article.title == "Bad title x y")
    }

    @Test("A URL that is not http(s) is kept as text but not linked", arguments: ["javascript:alert(1)", "ftp://e.org/x", "/relative", "https://exa mple.org"])
    func unlinked(_ url: String) throws {
        let article = try ArticleFileParser.parse(Array("<!--1-->\n[T](\(url))\n---\n".utf8), file: "a.txt")
        #expect(article.link == nil)
    }

    @Test("The real sample parses")
    func sample() throws {
        let article = try ArticleFileParser.parse(try Fixtures.read("articles/000_3ae00dc528254de1.txt"), file: "sample")
        #expect(article.title == "澳新举行首次外长防长“2+2”会谈 深化安全合作关系")
        #expect(article.published == Date(timeIntervalSince1970: 1_706_822_102))
        #expect(article.source == "rfi.fr")
        #expect(article.url.hasPrefix("https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/"))
    }
}

struct DirectoryArticleSourceTests {
    func write(_ files: [String: String], in folder: String) throws {
        for (name, text) in files {
            try FileSystem.writeAtomically(Array(text.utf8), to: folder + "/" + name)
        }
    }

    func article(_ ms: Int64, _ title: String, _ url: String) -> String {
        "<!--\(ms)-->\n[\(title)](\(url))\n------\n<p>\(title)</p>\n"
    }

    @Test("Recent means now − window ≤ timestamp ≤ now; newest first; one per URL; capped; problems reported")
    func selection() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let now: Int64 = 1_706_860_800_000
        try write([
            "a.txt": article(now - 3_600_000, "one hour ago", "https://e.org/1"),
            "b.txt": article(now - 86_400_000, "exactly a day ago", "https://e.org/2"),
            "c.txt": article(now - 86_400_001, "just too old", "https://e.org/3"),
            "d.txt": article(now + 1, "in the future", "https://e.org/4"),
            "e.txt": article(now, "now, same URL as one hour ago", "https://e.org/1"),
            "f.txt": article(now - 7_200_000, "two hours ago", "https://e.org/5"),
            "g.txt": "not an article",
            "h.md": "ignored",
            "i.txt": article(now - 60_000, "a minute ago", "https://e.org/6"),
        ], in: folder)
        let source = DirectoryArticleSource(directory: folder)
        let now_ = Date(timeIntervalSince1970: Double(now) / 1000)
        let collection = try source.collect(ArticleSelection(now: now_, window: 86_400, maxArticles: 3))
        #expect(collection.articles.map(\.title) == ["now, same URL as one hour ago", "a minute ago", "two hours ago"])
        #expect(collection.skipped.map(\.reason) == ["same URL as the newer \(folder)/e.txt", "over articles.maxArticles (3)"])
        #expect(collection.problems.count == 1)
        #expect(collection.problems.first?.file == folder + "/g.txt")
        #expect(collection.problems.first?.line == 1)
        #expect(collection.outsideWindow == 2)
        #expect(collection.filesScanned == 8)
    }

    @Test("Articles at or before the previous edition's cut-off are left out")
    func after() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let base: Int64 = 1_706_000_000_000
        try write(["a.txt": article(base + 1000, "old", "https://e.org/a"), "b.txt": article(base + 2000, "new", "https://e.org/b")], in: folder)
        let selection = ArticleSelection(
            now: Date(timeIntervalSince1970: 1_706_000_010), window: 100, after: Date(timeIntervalSince1970: 1_706_000_001), maxArticles: 10)
        #expect(try DirectoryArticleSource(directory: folder).collect(selection).articles.map(\.title) == ["new"])
    }

    @Test("A missing folder is an error that names it")
    func missingFolder() {
        #expect(throws: ArticleSourceError.self) {
            _ = try DirectoryArticleSource(directory: "/nonexistent/articles").collect(ArticleSelection(now: Date(), window: 1, maxArticles: 1))
        }
    }
}
