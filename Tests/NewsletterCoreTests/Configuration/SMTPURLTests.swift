import Foundation
import Testing

@testable import NewsletterCore

/// `smtp.url` is checked when the configuration loads (issue 12): a URL curl would refuse, or one that smuggles
/// a command line or a password, is a configuration error naming the key (exit 65), never a failure at send time.
struct SMTPURLTests {
    @Test("Accepted: scheme, host, port and an optional EHLO domain", arguments: [
        ("smtp://127.0.0.1:2525", "smtp", "127.0.0.1", 2525, nil),
        ("smtp://mail.example.org", "smtp", "mail.example.org", nil, nil),
        ("SMTPS://mail.example.org:465", "smtps", "mail.example.org", 465, nil),
        ("smtp://[::1]:25", "smtp", "[::1]", 25, nil),
        ("smtp://relay.example.org:587/client.example.org", "smtp", "relay.example.org", 587, "client.example.org"),
        ("smtp://relay.example.org:587/", "smtp", "relay.example.org", 587, nil),
    ] as [(String, String, String, Int?, String?)])
    func accepted(text: String, scheme: String, host: String, port: Int?, domain: String?) throws {
        let url = try SMTPURL(text, key: "smtp.url", file: "c.json")
        #expect(url.scheme == scheme)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.ehloDomain == domain)
    }

    @Test("Refused, naming the key and why", arguments: [
        ("smtp://127.0.0.1:2527/%0d%0a", "percent-encoded control"),
        ("smtp://127.0.0.1:2527/x%00y", "percent-encoded control"),
        ("smtp://127.0.0.1:2527/a\u{1b}[31m", "control character"),
        ("smtp://127.0.0.1:25\r\n", "control character"),
        ("smtp://mail.example.org:25/a b", "space"),
        ("http://mail.example.org", "the scheme must be"),
        ("mail.example.org:25", "not an smtp:// or smtps:// URL"),
        ("smtp://:25", "is not a host name"),
        ("smtp://mail.example.org:0", "port must be"),
        ("smtp://mail.example.org:99999", "port must be"),
        ("smtp://mail.example.org:x", "port must be"),
        ("smtp://mail.example.org/a/b", "only an EHLO domain"),
        ("smtp://mail.example.org/?x=1", "query or fragment"),
        ("smtp://mail.example.org#f", "query or fragment"),
        ("smtp://mail_example.org", "is not a host name"),
        ("smtp://bob:s3cret@mail.example.org:587", "`passwordEnv`"),
        ("smtp://bob@mail.example.org", "`username`"),
    ])
    func refused(text: String, reason: String) {
        do {
            _ = try SMTPURL(text, key: "smtp.url", file: "c.json")
            Issue.record("\(text) was accepted")
        } catch {
            let message = error.description
            #expect(message.hasPrefix("c.json: `smtp.url`: "), "\(message)")
            #expect(message.contains(reason), "\(message)")
            #expect(!message.contains("s3cret"))
            #expect(!message.unicodeScalars.contains { Sanitize.isControl($0) }, "\(message)")
        }
    }

    @Test("The configuration refuses a malformed smtp.url at load time")
    func atLoad() throws {
        let text = """
            {
              "newsletter": {"title": "T", "from": "T <t@example.org>", "subject": "{{title}}", "unsubscribeURL": "https://e.org/u/{{token}}"},
              "articles": {"directory": "articles"},
              "templates": {"directory": "templates"},
              "subscribers": {"file": "subscribers.json"},
              "smtp": {"url": "smtp://127.0.0.1:2527/%0d%0a", "security": "none"}
            }
            """
        #expect(throws: ConfigurationError.self) {
            _ = try Configuration(json: try JSONReader.parse(Array(text.utf8)), file: "c.json", baseDirectory: "/")
        }
    }

    @Test("Credentials are stripped from every URL in a text", arguments: [
        ("cannot connect to smtp://bob:pw@mail.example.org:587: refused", "cannot connect to smtp://mail.example.org:587: refused"),
        ("a https://u:p@x.org/p?q and imaps://me@y.org/INBOX", "a https://x.org/p?q and imaps://y.org/INBOX"),
        ("mail bob@example.org, no URL", "mail bob@example.org, no URL"),
        ("smtp://host/path@thing", "smtp://host/path@thing"),
    ])
    func withoutCredentials(text: String, expected: String) {
        #expect(Sanitize.withoutCredentials(text) == expected)
    }
}
