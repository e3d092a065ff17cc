import Foundation
import Testing

@testable import NewsletterCore

/// `sources` and `feeds`: what loads, and the errors that name the entry at fault.
struct SourceSettingTests {
    static func load(sources: String?, articles: String = "{\"directory\": \"articles\"}", extra: String = "", state: Bool = true) throws(ConfigurationError) -> Configuration {
        let text = """
            {
              "newsletter": {"title": "T", "from": "T <t@example.org>", "subject": "{{title}}", "unsubscribeURL": "https://e.org/u/{{token}}"},
              "articles": \(articles),
              \(sources.map { "\"sources\": \($0)," } ?? "")
              \(extra)
              \(state ? "\"state\": {\"directory\": \"state\"}," : "")
              "subscribers": {"file": "subscribers.json"}
            }
            """
        let json: JSONValue
        do {
            json = try JSONReader.parse(Array(text.utf8))
        } catch {
            throw .syntax(file: "c.json", error)
        }
        return try Configuration(json: json, file: "c.json", baseDirectory: "/etc/nl")
    }

    @Test("articles.directory is the first source; sources add folders, https feeds, file:// and relative feed paths")
    func sources() throws {
        let configuration = try Self.load(sources: """
            [{"folder": "more", "name": "More"}, {"feed": "https://blog.example.org/feed?key=secret", "name": "Blog"},
             {"feed": "file:///srv/site/index.xml"}, {"feed": "public/index.xml", "name": "Site"}]
            """)
        #expect(configuration.sources == [
            .folder(path: "/etc/nl/articles", name: nil), .folder(path: "/etc/nl/more", name: "More"),
            .feed(.remote("https://blog.example.org/feed?key=secret"), name: "Blog"), .feed(.local("/srv/site/index.xml"), name: nil),
            .feed(.local("/etc/nl/public/index.xml"), name: "Site"),
        ])
        // A query string may carry a private feed's key: messages show it as ?….
        #expect(configuration.sources[2].label == "https://blog.example.org/feed?…")
        #expect(configuration.feeds == FeedSettings())
    }

    @Test("A configuration of feeds alone needs no articles.directory")
    func feedsOnly() throws {
        let configuration = try Self.load(sources: "[{\"feed\": \"https://e.org/f.xml\"}]", articles: "{\"window\": \"2d\"}",
            extra: "\"feeds\": {\"parallel\": 8, \"timeoutSeconds\": 10, \"maxBytes\": 2048, \"failingDays\": 5, \"maxItemsPerFeed\": 3, \"caFile\": \"ca.pem\"},")
        #expect(configuration.sources == [.feed(.remote("https://e.org/f.xml"), name: nil)])
        #expect(configuration.articles.directory == "")
        var expected = FeedSettings()
        expected.parallel = 8
        expected.timeoutSeconds = 10
        expected.maxBytes = 2048
        expected.failingDays = 5
        expected.maxItemsPerFeed = 3
        expected.caFile = "/etc/nl/ca.pem"
        #expect(configuration.feeds == expected)
    }

    static let bad: [(String, String)] = [
        ("{\"feed\": \"https://e.org/f.xml\"}", "c.json: `sources` must be an array of { \"folder\": … } or { \"feed\": … } objects, found an object"),
        ("[{\"name\": \"x\"}]", "c.json: `sources[0]`: needs either \"folder\" (a folder of article files) or \"feed\" (an RSS or Atom feed URL)"),
        ("[{\"folder\": \"a\", \"feed\": \"https://e.org/\"}]", "c.json: `sources[0]`: has both \"folder\" and \"feed\": one source per entry"),
        ("[{\"feed\": \"https://e.org/f.xml\", \"url\": \"x\"}]", "c.json: unknown key `sources[0].url`"),
        ("[{\"feed\": \"ftp://e.org/f.xml\"}]", "c.json: `sources[0].feed`: 'ftp://e.org/f.xml': only https://, http:// and file:// feeds are read"),
        ("[{\"feed\": \"https://user:pw@e.org/f.xml\"}]", "c.json: `sources[0].feed`: put no user name or password in a feed URL: they would show in messages and the state folder"),
        ("[{\"feed\": \"https:///f.xml\"}]", "c.json: `sources[0].feed`: 'https:///f.xml' is not a URL with a host, such as https://example.org/feed.xml"),
        ("[{\"feed\": \"file://relative/f.xml\"}]", "c.json: `sources[0].feed`: 'file://relative/f.xml' must be file:///absolute/path (or give a path relative to the configuration file)"),
        ("[{\"feed\": \"https://e.org/a b\"}]", "c.json: `sources[0].feed`: 'https://e.org/a b' must be a URL or a path without spaces or control characters"),
        ("[{\"feed\": 3}]", "c.json: `sources[0].feed` must be a string, found a number"),
        ("[{\"folder\": \"a\"}, {\"feed\": \"https://e.org/\", \"name\": \"\"}]", "c.json: `sources[1].name`: must be a name of 1 to 200 characters"),
    ]

    @Test("Bad sources name the entry and the key", arguments: bad)
    func errors(_ sources: String, _ expected: String) {
        #expect(throws: (any Error).self) { try Self.load(sources: sources) }
        do {
            _ = try Self.load(sources: sources)
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test("A feed without state.directory, no source at all, and a bad feeds key are refused")
    func otherErrors() {
        #expect(throws: ConfigurationError.invalidValue(file: "c.json", key: "sources[0]", reason: "a feed needs `state.directory`, where fetched feeds and the items already sent are kept")) {
            try Self.load(sources: "[{\"feed\": \"https://e.org/f.xml\"}]", state: false)
        }
        #expect(throws: ConfigurationError.missingKey(file: "c.json", key: "articles.directory")) {
            try Self.load(sources: "[]", articles: "{}")
        }
        #expect(throws: ConfigurationError.invalidValue(file: "c.json", key: "feeds.parallel", reason: "must be between 1 and 64, found 0")) {
            try Self.load(sources: nil, extra: "\"feeds\": {\"parallel\": 0},")
        }
    }
}
