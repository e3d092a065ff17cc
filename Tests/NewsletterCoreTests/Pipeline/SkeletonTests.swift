import Foundation
import Testing

@testable import NewsletterCore

/// The per-subscriber fast path (skeletons) must give exactly what a full Mustache render gives.
struct SkeletonTests {
    func renderer(templates html: String, text: String) throws -> (DigestRenderer, String) {
        let folder = try Fixtures.temporaryDirectory()
        try FileSystem.writeAtomically(Array(html.utf8), to: folder + "/digest.html.mustache")
        try FileSystem.writeAtomically(Array(text.utf8), to: folder + "/digest.txt.mustache")
        let json = """
            {"newsletter": {"title": "T", "from": "t@example.org", "subject": "{{title}}", "unsubscribeURL": "https://e.org/u?t={{token}}&e={{email}}"},
             "articles": {"directory": "a"}, "templates": {"directory": "\(folder)"}, "subscribers": {"file": "s.json"}}
            """
        let configuration = try Configuration(json: JSONReader.parse(Array(json.utf8)), file: "c.json", baseDirectory: "/")
        let renderer = DigestRenderer(
            configuration: configuration, templates: try TemplateSet.load(configuration), articles: [], date: Date(timeIntervalSince1970: 0),
            tokens: UnsubscribeToken(secret: Array("0123456789abcdef0123".utf8)))
        return (renderer, folder)
    }

    static let subscribers: [Subscriber] = [
        Subscriber(address: try! EmailAddress("zhang.wei@example.com"), name: "张伟"),
        Subscriber(address: try! EmailAddress("o'neil@example.com"), name: "O'Neil & <Sons> \"Ltd\""),
        Subscriber(address: try! EmailAddress("bob@example.net")),
        Subscriber(address: try! EmailAddress("carol@example.net"), name: "Carol", fields: [("plan", .string("gold"))]),
    ]

    @Test("Skeleton bodies equal full renders for every kind of subscriber")
    func shippedTemplates() throws {
        let html = try String(contentsOfFile: Fixtures.repositoryRoot + "/templates/digest.html.mustache", encoding: .utf8)
        let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/templates/digest.txt.mustache", encoding: .utf8)
        let (renderer, folder) = try renderer(templates: html, text: text)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for subscriber in Self.subscribers + Self.subscribers {
            let url = "https://e.org/u?t=x&e=" + subscriber.address.description
            let fast = renderer.bodies(for: subscriber, unsubscribeURL: url)
            #expect(fast == renderer.renderBodies(for: subscriber, unsubscribeURL: url))
        }
        #expect(!renderer.skeletons.isDisabled)
    }

    @Test("A template that transforms a subscriber value is rendered in full, and still right")
    func transformingTemplate() throws {
        let (renderer, folder) = try renderer(
            templates: "<p>{{#subscriber.name}}{{uppercased(.)}}{{/subscriber.name}} {{subscriber.email}}</p>", text: "{{lowercased(subscriber.email)}}")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for subscriber in Self.subscribers {
            let fast = renderer.bodies(for: subscriber, unsubscribeURL: "https://e.org/u")
            #expect(fast == renderer.renderBodies(for: subscriber, unsubscribeURL: "https://e.org/u"))
        }
    }

    @Test("A template using subscriber fields renders subscribers with fields in full")
    func fields() throws {
        let (renderer, folder) = try renderer(templates: "<p>{{subscriber.fields.plan}} {{subscriber.email}}</p>", text: "{{subscriber.fields.plan}}")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for subscriber in Self.subscribers {
            let fast = renderer.bodies(for: subscriber, unsubscribeURL: "https://e.org/u")
            #expect(fast == renderer.renderBodies(for: subscriber, unsubscribeURL: "https://e.org/u"))
        }
        #expect(renderer.bodies(for: Self.subscribers[3], unsubscribeURL: "https://e.org/u").html == "<p>gold carol@example.net</p>")
    }
}
