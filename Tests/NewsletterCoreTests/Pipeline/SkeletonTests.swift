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
        // A special character followed by a combining mark is one character, which Mustache does not escape.
        Subscriber(address: try! EmailAddress("dave@example.net"), name: "<\u{338}script> &\u{301}amp; '\u{301}"),
        Subscriber(address: try! EmailAddress("erin@example.net"), name: "a<b>c&d\"e'f 张<伟>"),
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

/// Messages written from wire skeletons must be the bytes of the full render encoded the same way.
struct WireMessageTests {
    static func names() -> [String?] {
        var names: [String?] = [nil, "", "O'Neil & <Sons> \"Ltd\"", "Line\nbreak\r\nname\r", "张伟"]
        for length in 1...60 {
            names.append(String(repeating: "a", count: length))
            names.append(String(repeating: "李", count: length / 2 + 1) + String(repeating: "b", count: length % 3))
        }
        return names
    }

    @Test("Every message from the fast path equals the full render, for names of every length")
    func fastEqualsFull() throws {
        let configuration = try GoldenMessageTests.configuration()
        let collection = try DirectoryArticleSource(directory: configuration.articles.directory).collect(
            ArticleSelection(now: GoldenMessageTests.now, window: configuration.articles.window, maxArticles: configuration.articles.maxArticles))
        #expect(collection.articles.count >= 2)
        let sanitizer = HTMLSanitizer(rules: configuration.articles.boilerplate)
        let renderer = DigestRenderer(
            configuration: configuration, templates: try TemplateSet.load(configuration),
            articles: collection.articles.map { PreparedArticle($0, sanitizer: sanitizer, excerptLength: configuration.articles.excerptLength) },
            date: GoldenMessageTests.now, tokens: UnsubscribeToken(secret: Array(GoldenMessageTests.secret.utf8)))
        var fastIdentity = SequentialMessageIdentity()
        var fullIdentity = SequentialMessageIdentity()
        for (index, name) in Self.names().enumerated() {
            let subscriber = Subscriber(address: try EmailAddress("reader\(String(repeating: "x", count: index % 57))@example.com"), name: name)
            let fast = try renderer.wireMessage(for: subscriber, identity: &fastIdentity)
            let full = try renderer.message(for: subscriber, identity: &fullIdentity)
            #expect(fast.messageID == full.messageID)
            let hasName = name != nil
            if renderer.skeletons.isWireVerified(hasName: hasName), let wire = renderer.skeletons.wire(hasName: hasName) {
                #expect(fast.bytes == full.serialized(textEncoding: wire.text.encoding, htmlEncoding: wire.html.encoding), "name \(String(describing: name))")
            } else {
                #expect(fast.bytes == full.serialized())
            }
        }
        #expect(renderer.skeletons.isWireVerified(hasName: true) && renderer.skeletons.isWireVerified(hasName: false))
        #expect(!renderer.skeletons.isDisabled)
    }
}

struct RendererPieceTests {
    @Test("Query values are percent-encoded exactly as Foundation does with the unreserved set", arguments: [
        "zhang.wei@example.com", "o'neil+tag@example.com", "a b&c=d?e#f@example.org", "用户@例子.广告", "~_-.@x.y", "%41@x.y",
    ])
    func percentEncoding(_ text: String) {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        #expect(PercentEncoding.queryValue(text) == text.addingPercentEncoding(withAllowedCharacters: allowed))
    }

    @Test("Random identities are unique, hex, and the right length across many refills of the random pool")
    func randomIdentities() {
        var identity = RandomMessageIdentity()
        var seen = Set<String>()
        let date = Date(timeIntervalSince1970: 1_706_860_800)
        for _ in 0..<1_000 {
            let id = identity.messageID(domain: "example.org", date: date)
            let boundary = identity.boundary()
            let parts = id.split(separator: "@")
            #expect(parts.count == 2 && parts[1] == "example.org")
            let random = parts[0].split(separator: ".")[1]
            #expect(random.count == 32 && random.allSatisfy(\.isHexDigit))
            #expect(boundary.hasPrefix("=_nl_") && boundary.count == 5 + 24)
            #expect(seen.insert(id).inserted && seen.insert(boundary).inserted)
        }
    }
}
