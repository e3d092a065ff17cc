import Foundation
import Testing

@testable import NewsletterCore

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 12, Articles: what a hostile or broken article file can do is bounded and reported, naming the file.
struct ArticleFileBoundsTests {
    static let now: Int64 = 1_706_860_800_000
    static var nowDate: Date { Date(timeIntervalSince1970: Double(now) / 1000) }

    func collect(_ files: [String: [UInt8]], maxFileBytes: Int = DirectoryArticleSource.defaultMaxFileBytes) throws -> (ArticleCollection, String) {
        let folder = try Fixtures.temporaryDirectory()
        for (name, bytes) in files { try FileSystem.writeAtomically(bytes, to: folder + "/" + name) }
        let collection = try DirectoryArticleSource(directory: folder, maxFileBytes: maxFileBytes)
            .collect(ArticleSelection(now: Self.nowDate, window: 86_400, maxArticles: 20))
        return (collection, folder)
    }

    @Test("A bare CR inside the title line is a character of the title, not a line end")
    func bareCRInTitle() throws {
        let text = "<!--1706822102000-->\r\n[First\rsecond](https://e.org/a)\r\n------\r\n<p>x</p>"
        let article = try ArticleFileParser.parse(Array(text.utf8), file: "a.txt")
        #expect(article.title == "First second")
        #expect(article.url == "https://e.org/a")
    }

    @Test("A title longer than maxTitleCharacters is cut, with a warning naming the file and line")
    func longTitle() throws {
        let title = String(repeating: "長い", count: 2_500_000)  // 5 million characters, 15 MB
        var warnings: [ArticleFileProblem] = []
        let bytes = Array("<!--1706822102000-->\n[\(title)](https://e.org/a)\n---\n<p>x</p>".utf8)
        let article = try ArticleFileParser.parse(bytes[...], file: "t.txt", warnings: &warnings)
        #expect(article.title.count == ArticleFileParser.maxTitleCharacters)
        #expect(article.title.hasSuffix("…"))
        #expect(warnings.map(\.description) == ["t.txt:2: the title is 5000000 characters long; cut to 500"])
    }

    @Test("Only the first articles.maxFileBytes of a big file are read, never cutting a character; the warning names the file")
    func bigFile() throws {
        let head = "<!--\(Self.now - 1000)-->\n[Big](https://e.org/big)\n---\n<p>"
        let body = String(repeating: "中文字", count: 3_000_000)  // 27 MB
        let (collection, folder) = try collect(["big.txt": Array((head + body + "</p>").utf8)], maxFileBytes: 65_537)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(collection.problems.isEmpty, "\(collection.problems)")
        let article = try #require(collection.articles.first)
        #expect(article.html.utf8.count <= 65_537)
        #expect(article.html.utf8.count > 60_000)
        let warning = try #require(collection.warnings.first)
        #expect(warning.file == folder + "/big.txt")
        #expect(warning.reason.contains("over articles.maxFileBytes (65537)"), "\(warning)")
        #expect(collection.warnings.count == 1)
    }

    @Test("A link line longer than articles.maxFileBytes is reported as such")
    func linkLineOverTheCap() throws {
        let text = "<!--\(Self.now - 1000)-->\n[" + String(repeating: "Long title ", count: 1000) + "](https://e.org/t)\n---\n<p>x</p>"
        let (collection, folder) = try collect(["t.txt": Array(text.utf8)], maxFileBytes: 4096)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(collection.problems.map(\.description) == ["\(folder)/t.txt:2: line 2 does not end within the first 4096 bytes (articles.maxFileBytes)"])
    }

    @Test("A timestamp in seconds rather than milliseconds is reported naming the file, not counted as old")
    func secondsTimestamp() throws {
        let (collection, folder) = try collect(["s.txt": Array("<!--1706860000-->\n[T](https://e.org/s)\n---\n<p>x</p>".utf8)])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(collection.outsideWindow == 0)
        let problem = try #require(collection.problems.first)
        #expect(problem.file == folder + "/s.txt")
        #expect(problem.line == 1)
        #expect(problem.reason.contains("read as seconds it would be 2024-02-02T07:46:40Z"), "\(problem)")
    }

    @Test("A timestamp far in the future is reported naming the file; one a few hours ahead is simply not yet due")
    func futureTimestamp() throws {
        let (collection, folder) = try collect([
            "far.txt": Array("<!--\(Self.now + 30 * 86_400_000)-->\n[T](https://e.org/f)\n---\n<p>x</p>".utf8),
            "soon.txt": Array("<!--\(Self.now + 3_600_000)-->\n[T](https://e.org/g)\n---\n<p>x</p>".utf8),
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(collection.outsideWindow == 1)
        #expect(collection.problems.map(\.file) == [folder + "/far.txt"])
        #expect(collection.problems.first?.reason.contains("more than a day after now") == true)
    }

    @Test("An article URL that is not http(s) is a warning naming the file; credentials are never printed")
    func nonHTTPURL() throws {
        let (collection, folder) = try collect([
            "f.txt": Array("<!--\(Self.now - 1000)-->\n[T](ftp://bob:secret@e.org/f)\n---\n<p>x</p>".utf8)
        ])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(collection.articles.count == 1)
        #expect(collection.articles.first?.link == nil)
        let warning = try #require(collection.warnings.first)
        #expect(warning.file == folder + "/f.txt")
        #expect(warning.line == 2)
        #expect(warning.reason.contains("not an http(s) URL"))
        #expect(!warning.description.contains("secret"))
        #expect(!warning.description.contains("bob"))
    }

    @Test("Credentials in an article URL are not in its link, nor in what resolves against it")
    func credentialsInArticleURL() throws {
        var warnings: [ArticleFileProblem] = []
        let bytes = Array("<!--1706822102000-->\n[T](https://bob:secret@news.example.com/a/b.html)\n---\n<p><a href=\"c.html\">c</a><img src=\"/i.png\" width=\"100\" height=\"80\"></p>".utf8)
        let article = try ArticleFileParser.parse(bytes[...], file: "u.txt", warnings: &warnings)
        #expect(article.link?.absoluteString == "https://news.example.com/a/b.html")
        #expect(warnings.count == 1)
        #expect(!warnings.description.contains("secret"))
        let prepared = PreparedArticle(article, rules: BoilerplateRules.standard(), excerptLength: 300)
        #expect(prepared.contentHTML.contains("https://news.example.com/a/c.html"), "\(prepared.contentHTML)")
        #expect(prepared.contentHTML.contains("https://news.example.com/i.png"))
        #expect(!prepared.contentHTML.contains("secret"))
        #expect(!prepared.contentHTML.contains("bob"))
        #expect(!prepared.contentText.contains("secret"))
    }

    @Test("A FIFO named like an article is reported, without blocking the run")
    func fifo() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(mkfifo(folder + "/pipe.txt", 0o600) == 0)
        let collection = try DirectoryArticleSource(directory: folder).collect(ArticleSelection(now: Self.nowDate, window: 86_400, maxArticles: 20))
        #expect(collection.problems.map(\.file) == [folder + "/pipe.txt"])
        #expect(collection.problems.first?.reason.contains("not a regular file") == true)
    }
}
