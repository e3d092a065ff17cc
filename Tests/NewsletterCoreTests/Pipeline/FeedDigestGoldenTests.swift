import Foundation
import Testing

@testable import NewsletterCore

/// The digest of one folder and three feeds (RSS 2.0 from WordPress, GitHub's releases Atom, Atom with xhtml and
/// xml:base), built with a fixed clock and fixed IDs, compared byte for byte with its golden `.eml`. The folder-only
/// goldens stay as they were: a folder article still shows its host as `{{source}}`.
struct FeedDigestGoldenTests {
    static let now = Date(timeIntervalSince1970: 1_706_860_800)  // 2024-02-02T08:00:00Z

    static func configuration(state: String) throws -> Configuration {
        let feeds = Fixtures.directory + "/feeds"
        let text = """
            {
              "newsletter": {
                "title": "Daily Digest",
                "from": "Daily Digest <digest@example.org>",
                "subject": "{{title}} — {{date}}",
                "unsubscribeURL": "https://example.org/unsubscribe?token={{token}}",
                "unsubscribeMailto": "unsubscribe@example.org",
                "timeZone": "UTC"
              },
              "articles": {"directory": "\(Fixtures.directory)/articles", "window": "24h", "maxArticles": 20},
              "sources": [
                {"feed": "\(feeds)/wordpress.xml", "name": "Field Notes"},
                {"feed": "file://\(feeds)/github-releases.atom", "name": "widget releases"},
                {"feed": "\(feeds)/xhtml-base.atom"}
              ],
              "templates": {"directory": "\(Fixtures.repositoryRoot)/templates"},
              "subscribers": {"file": "\(Fixtures.repositoryRoot)/examples/subscribers.json"},
              "state": {"directory": "\(state)"}
            }
            """
        return try Configuration(json: JSONReader.parse(Array(text.utf8)), file: "feeds.json", baseDirectory: "/")
    }

    @Test("A digest from one folder and three feeds matches its golden .eml")
    func golden() throws {
        let state = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let configuration = try Self.configuration(state: state)
        let collection = try Digest.collectArticles(configuration: configuration, now: Self.now)
        #expect(collection.problems.isEmpty, "\(collection.problems)")
        // 3 folder articles in the window, 1 + 1 + 3 feed items (the undated one takes the run's clock).
        #expect(collection.articles.count == 8)
        #expect(collection.articles.first?.title == "No date at all")
        #expect(collection.articles.contains { $0.source == "Notes & Sketches" && $0.title == "Sketching light" })
        let digest = Digest(
            configuration: configuration, templates: try TemplateSet.load(configuration), articles: collection.articles, date: Self.now,
            tokens: UnsubscribeToken(secret: Array(GoldenMessageTests.secret.utf8)))
        var identity = SequentialMessageIdentity()
        let subscriber = Subscriber(address: try EmailAddress("zhang.wei@example.com"), name: "张伟")
        let bytes = try digest.renderer.message(for: subscriber, identity: &identity).serialized()
        let html = String(decoding: bytes, as: UTF8.self)
        #expect(!html.contains("trackVisit"))

        let name = "digest-folder-and-feeds"
        let sourcePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path + "/Fixtures/golden/\(name).eml"
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try FileSystem.writeAtomically(bytes, to: sourcePath)
            Issue.record("recorded \(sourcePath); unset RECORD_GOLDEN and run again")
            return
        }
        let expected = try FileSystem.readAll(Fixtures.directory + "/golden/\(name).eml")
        if bytes != expected {
            let actualPath = NSTemporaryDirectory() + "\(name).actual.eml"
            try FileSystem.writeAtomically(bytes, to: actualPath)
            Issue.record("\(name).eml differs; actual message: \(actualPath). If intended, re-record with RECORD_GOLDEN=1 and review the diff.")
        }
    }
}
