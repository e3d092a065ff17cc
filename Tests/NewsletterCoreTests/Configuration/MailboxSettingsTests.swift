import Foundation
import Testing

@testable import NewsletterCore

struct MailboxSettingsTests {
    static func load(_ mailbox: String) throws(ConfigurationError) -> Configuration {
        let text = ConfigurationTests.minimal.replacingOccurrences(
            of: "\"subscribers\": {\"file\": \"subscribers.json\"}", with: "\"subscribers\": {\"file\": \"subscribers.json\"}, \"mailbox\": \(mailbox)")
        return try ConfigurationTests().load(text)
    }

    @Test("defaults: security from the scheme, \\Seen instead of a folder, 3 soft bounces in 30 days, 10 MB")
    func defaults() throws {
        let settings = try #require(try MailboxSettingsTests.load(#"{"url": "imaps://mail.example.org/INBOX"}"#).mailbox)
        #expect(settings.security == .tls)
        #expect(settings.processedFolder == nil)
        #expect(settings.softBounceLimit == 3)
        #expect(settings.softBounceWindow == 30 * 86_400)
        #expect(settings.maxMessageBytes == 10 * 1024 * 1024)
        #expect(try MailboxSettingsTests.load(#"{"url": "imap://mail.example.org/INBOX"}"#).mailbox?.security == .starttls)
        #expect(try ConfigurationTests().load(ConfigurationTests.minimal).mailbox == nil)
    }

    @Test("the example configuration's mailbox section loads")
    func example() throws {
        let configuration = try Configuration.load(from: Fixtures.repositoryRoot + "/config.example.json")
        #expect(configuration.mailbox?.processedFolder == "Processed")
        #expect(configuration.smtp?.envelopeFrom?.description == "bounces+{{verp}}@example.org")
    }

    struct Bad: Sendable, CustomStringConvertible {
        var mailbox: String
        var expected: String
        var description: String { expected }
    }

    @Test(
        "bad mailbox sections name the key",
        arguments: [
            Bad(mailbox: #"{"url": "imaps://mail.example.org/INBOX", "pasword": "x"}"#, expected: "c.json: unknown key `mailbox.pasword`"),
            Bad(mailbox: #"{}"#, expected: "c.json: missing key `mailbox.url`"),
            Bad(
                mailbox: #"{"url": "https://mail.example.org/INBOX"}"#,
                expected: "c.json: `mailbox.url`: 'https://mail.example.org/INBOX' is not an imap:// or imaps:// URL with a host, such as imaps://mail.example.org/INBOX"),
            Bad(
                mailbox: #"{"url": "imaps://mail.example.org"}"#,
                expected: "c.json: `mailbox.url`: 'imaps://mail.example.org' must name one folder, e.g. imaps://mail.example.org/INBOX"),
            Bad(
                mailbox: #"{"url": "imap://mail.example.org/INBOX", "security": "none"}"#,
                expected: "c.json: `mailbox.security`: \"none\" sends the password in clear text and is allowed only for a loopback host, not mail.example.org"),
            Bad(
                mailbox: #"{"url": "imap://mail.example.org/INBOX", "security": "tls"}"#,
                expected: "c.json: `mailbox.security`: \"tls\" (implicit TLS) needs an imaps:// URL"),
            Bad(
                mailbox: #"{"url": "imaps://u:p@mail.example.org/INBOX"}"#,
                expected: "c.json: `mailbox.url`: put the user in mailbox.username and the password in mailbox.passwordEnv or mailbox.passwordFile, not in the URL"),
            Bad(
                mailbox: #"{"url": "imaps://mail.example.org/INBOX", "processedFolder": "Done\" X"}"#,
                expected: "c.json: `mailbox.processedFolder`: 'Done\" X' must be a folder name of printable ASCII without spaces, quotes, backslashes, % or *"),
            Bad(
                mailbox: #"{"url": "imaps://mail.example.org/INBOX", "softBounceWindow": "month"}"#,
                expected: "c.json: `mailbox.softBounceWindow`: 'month' is not a duration such as \"7d\" or \"30d\""),
        ])
    func bad(_ example: Bad) {
        do {
            _ = try MailboxSettingsTests.load(example.mailbox)
            Issue.record("loaded a bad mailbox section")
        } catch {
            #expect(error.description == example.expected)
        }
    }
}
