import Foundation
import Testing

@testable import NewsletterCore

/// The record of feed items already carried, and an edition's feed items across a resume.
struct SeenItemsTests {
    static func article(_ id: String, feed: String = "https://e.org/f.xml") -> Article {
        Article(
            title: "Item \(id)", url: "https://e.org/\(id)", link: ArticleFileParser.httpURL("https://e.org/\(id)"), published: Date(timeIntervalSince1970: 1_706_860_000),
            file: feed, html: "<p>\(id)</p>", sourceName: "Feed", itemKey: feed + " " + id, contentBase: URL(string: "https://static.e.org/"))
    }

    @Test("An edition keeps its feed items' source, key and base across a reload; recording twice adds nothing")
    func roundTrip() throws {
        let state = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = EditionStore(directory: state)
        let edition = try store.create(date: Date(timeIntervalSince1970: 1_706_860_800), articles: [Self.article("a"), Self.article("tab\there")])
        let seen = SeenItems(stateDirectory: state)
        try seen.record(edition)
        try seen.record(edition)
        #expect(seen.load() == ["https://e.org/f.xml a", "https://e.org/f.xml tab\there"])
        #expect(try String(contentsOfFile: seen.path, encoding: .utf8).split(separator: "\n").count == 2)
        let resumed = try #require(try store.unfinishedEdition())
        #expect(resumed.articles == edition.articles)
    }

    @Test("A torn last line (a crash mid-append) is ignored, and the next record starts on a fresh line")
    func tornLine() throws {
        let state = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let seen = SeenItems(stateDirectory: state)
        try FileManager.default.createDirectory(atPath: state + "/feeds", withIntermediateDirectories: true)
        try "https://e.org/f.xml a\tE1\nhttps://e.org/f.xml b".write(toFile: seen.path, atomically: true, encoding: .utf8)
        #expect(seen.load() == ["https://e.org/f.xml a"])
        let edition = Edition(id: "E2", date: Date(), articles: [Self.article("b")], directory: state)
        try seen.record(edition)
        #expect(seen.load() == ["https://e.org/f.xml a", "https://e.org/f.xml b"])
    }

    @Test("Items already carried are left out of a new collection without taking a place under the cap")
    func merge() {
        let selection = ArticleSelection(now: Date(timeIntervalSince1970: 1_706_860_800), window: 86_400, maxArticles: 1)
        var part = ArticleCollection()
        part.articles = [Self.article("a"), Self.article("b")]
        let merged = ArticleCollection.merged([part], selection: selection, excluding: ["https://e.org/f.xml a"])
        #expect(merged.articles.map(\.title) == ["Item b"])
        #expect(merged.alreadySent == 1)
        #expect(merged.skipped.isEmpty)
    }

    @Test("Items without a link are not taken for duplicates of each other; the same URL twice keeps the newest")
    func emptyURLs() {
        let selection = ArticleSelection(now: Date(timeIntervalSince1970: 1_706_860_800), window: 86_400, maxArticles: 10)
        var part = ArticleCollection()
        var first = Self.article("x")
        first.url = ""
        var second = Self.article("y")
        second.url = ""
        var older = Self.article("a")
        older.published = older.published.addingTimeInterval(-60)
        part.articles = [first, second, Self.article("a"), older]
        let merged = ArticleCollection.merged([part], selection: selection)
        #expect(merged.articles.map(\.title) == ["Item x", "Item y", "Item a"])  // Equal dates: the URL breaks the tie.
        #expect(merged.skipped.map(\.reason) == ["same URL as the newer https://e.org/f.xml"])
    }
}
