import Foundation
import Testing

@testable import NewsletterCore

/// `smtp.relays` (issue 17): a list of relays, each with its own connection settings; the single form unchanged.
struct SMTPRelaysTests {
    func load(_ smtp: String) throws(ConfigurationError) -> SMTPSettings? {
        let text = """
            {
              "newsletter": {"title": "T", "from": "T <t@example.org>", "subject": "{{title}}", "unsubscribeURL": "https://e.org/u/{{token}}"},
              "articles": {"directory": "articles"},
              "templates": {"directory": "templates"},
              "subscribers": {"file": "subscribers.json"},
              "smtp": \(smtp)
            }
            """
        let json: JSONValue
        do {
            json = try JSONReader.parse(Array(text.utf8))
        } catch {
            throw .syntax(file: "c.json", error)
        }
        return try Configuration(json: json, file: "c.json", baseDirectory: "/etc/nl").smtp
    }

    @Test("Each relay has its own connection settings and shares the rest")
    func relays() throws {
        let smtp = try #require(try load("""
            {"relays": [
               {"url": "smtp://mx1.example.org:25", "connections": 8, "caFile": "ca.pem"},
               {"url": "smtps://smtp.provider.example:465", "security": "tls", "username": "apikey", "passwordEnv": "KEY",
                "connections": 2, "messagesPerSecond": 14, "messagesPerConnection": 1000}],
             "timeoutSeconds": 30, "retries": 5, "envelopeFrom": "bounces@example.org"}
            """))
        #expect(smtp.allRelays.map(\.relayName) == ["mx1.example.org:25", "smtp.provider.example:465"])
        #expect(smtp.allRelays.map(\.connections) == [8, 2])
        #expect(smtp.allRelays.map(\.messagesPerSecond) == [nil, 14])
        #expect(smtp.allRelays.map(\.messagesPerConnection) == [100, 1000])
        #expect(smtp.allRelays.map(\.security) == [.starttls, .tls])
        #expect(smtp.allRelays.map(\.caFile) == ["/etc/nl/ca.pem", nil])
        #expect(smtp.allRelays.map(\.username) == [nil, "apikey"])
        #expect(smtp.allRelays.allSatisfy { $0.timeoutSeconds == 30 && $0.retries == 5 && $0.envelopeFrom?.description == "bounces@example.org" })
        #expect(smtp.allRelays.allSatisfy { $0.relays.isEmpty })
    }

    @Test("The single-relay form is one relay")
    func single() throws {
        let smtp = try #require(try load(#"{"url": "smtp://127.0.0.1:2525", "security": "none", "relays": null}"#))
        #expect(smtp.relays.isEmpty)
        #expect(smtp.allRelays.map(\.relayName) == ["127.0.0.1:2525"])
    }

    @Test("Mistakes name the relay's key path", arguments: [
        (#"{"relays": []}"#, "`smtp.relays` must be an array of 1 to 32 relays"),
        (#"{"relays": {"url": "smtp://a.example.org"}}"#, "`smtp.relays` must be an array of 1 to 32 relays"),
        (#"{"url": "smtp://a.example.org", "relays": [{"url": "smtp://b.example.org"}]}"#, "`smtp.url`: with smtp.relays, each relay has its own `url`"),
        (#"{"relays": [{"url": "smtp://a.example.org"}], "connections": 3}"#, "`smtp.connections`: with smtp.relays"),
        (#"{"relays": [{"url": "smtp://a.example.org"}, {"url": "smtp://b.example.org/%0d%0a"}]}"#, "`smtp.relays[1].url`: "),
        (#"{"relays": [{"url": "smtp://a.example.org", "security": "none"}]}"#, "`smtp.relays[0].security`: \"none\""),
        (#"{"relays": [{"url": "smtp://a.example.org", "retries": 2}]}"#, "unknown key `smtp.relays[0].retries`"),
        (#"{"relays": [{"url": "smtp://a.example.org"}, {"url": "smtp://A.example.org"}]}"#, "listed twice"),
        (#"{"relays": [{}]}"#, "missing key `smtp.relays[0].url`"),
    ])
    func mistakes(smtp: String, message: String) {
        do {
            _ = try load(smtp)
            Issue.record("accepted: \(smtp)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }
}
