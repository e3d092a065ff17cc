import Foundation
import Testing

/// `newsletter mailbox` against a real Dovecot on loopback, with the corpus of Tests/NewsletterCoreTests/Fixtures/mailbox.
@Suite(.serialized)
struct MailboxCommandTests {
    static let secret = "mailbox-test-secret-0123456789abcdef"
    static let password = "imap-test-password"
    static let corpus = CLI.repositoryRoot + "/Tests/NewsletterCoreTests/Fixtures/mailbox"
    static let subscribers = [
        "alice@example.com", "bob@example.net", "carol@example.org", "dave@gmail.com", "erin@example.com", "frank@example.com",
        "grace@example.com", "heidi@example.com", "ivan@example.com", "judy@example.com", "ken@example.com", "lena@example.com",
        "mike@example.com", "nina@example.com", "victor@example.com",
    ]

    /// A project folder: configuration, list, state, and a Dovecot holding the bounce mailbox.
    struct Fixture {
        let directory: String
        let server: DovecotServer
        var config: String { directory + "/config.json" }
        var list: String { directory + "/subscribers.json" }
        var state: String { directory + "/state" }

        init(tls: Bool = true, mailbox: (DovecotServer) -> String, subscribers: [String] = MailboxCommandTests.subscribers, smtp: String? = nil) throws {
            directory = try CLI.temporaryDirectory()
            server = try DovecotServer(directory: directory + "/dovecot", users: ["bounces": MailboxCommandTests.password], tls: tls)
            let entries = subscribers.map { "  { \"email\": \"\($0)\" }" }.joined(separator: ",\n")
            try "[\n\(entries)\n]\n".write(toFile: list, atomically: true, encoding: .utf8)
            let root = CLI.repositoryRoot
            let config = """
                {
                  "newsletter": {
                    "title": "Daily Digest",
                    "from": "Daily Digest <digest@news.example.org>",
                    "subject": "{{title}}",
                    "unsubscribeURL": "https://news.example.org/unsubscribe?token={{token}}",
                    "unsubscribeMailto": "unsubscribe@news.example.org",
                    "timeZone": "UTC"
                  },
                  "articles": {"directory": "\(root)/examples/articles", "window": "24h"},
                  "templates": {"directory": "\(root)/templates"},
                  "subscribers": {"file": "subscribers.json"},
                  "smtp": \(smtp ?? #"{"url": "smtp://127.0.0.1:2525", "security": "none", "envelopeFrom": "bounces+{{verp}}@news.example.org"}"#),
                  "mailbox": \(mailbox(server)),
                  "state": {"directory": "state"}
                }
                """
            try config.write(toFile: self.config, atomically: true, encoding: .utf8)
        }

        func deliverCorpus(_ files: [String]? = nil) throws {
            let names = try files ?? FileManager.default.contentsOfDirectory(atPath: MailboxCommandTests.corpus).filter { $0.hasSuffix(".eml") }.sorted()
            for name in names {
                try server.deliver(Array(try Data(contentsOf: URL(fileURLWithPath: MailboxCommandTests.corpus + "/" + name))), to: "bounces")
            }
        }

        @discardableResult
        func run(_ extra: [String] = [], password: String = MailboxCommandTests.password) throws -> CLI.Result {
            try CLI.run(
                ["mailbox", "--config", config] + extra,
                environment: ["NEWSLETTER_SECRET": MailboxCommandTests.secret, "MAILBOX_PASSWORD": password])
        }

        func listText() throws -> String { try String(contentsOfFile: list, encoding: .utf8) }

        func file(_ name: String) -> String { (try? String(contentsOfFile: state + "/" + name, encoding: .utf8)) ?? "" }

        /// The addresses the list marks unsubscribed, with their reasons.
        func unsubscribed() throws -> [String: String] {
            let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: list))) as? [[String: Any]] ?? []
            var result: [String: String] = [:]
            for entry in entries where entry["subscribed"] as? Bool == false {
                result[entry["email"] as? String ?? ""] = entry["reason"] as? String ?? "(no reason)"
            }
            return result
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func imaps(folder: String? = nil) -> (DovecotServer) -> String {
        { server in
            """
            {"url": "imaps://127.0.0.1:\(server.tlsPort)/INBOX", "security": "tls", "caFile": "\(server.certificate ?? "")",
             "username": "bounces", "passwordEnv": "MAILBOX_PASSWORD"\(folder.map { ", \"processedFolder\": \"\($0)\"" } ?? "")}
            """
        }
    }

    static let expected: [String: String] = [
        "alice@example.com": "bounced", "bob@example.net": "bounced", "carol@example.org": "bounced", "dave@gmail.com": "bounced",
        "grace@example.com": "bounced", "heidi@example.com": "complained", "ivan@example.com": "complained",
        "judy@example.com": "unsubscribed", "ken@example.com": "unsubscribed",
    ]

    @Test("over implicit TLS: the corpus unsubscribes exactly the bounced, complaining and asking subscribers; a second run does nothing")
    func corpusOverTLS() throws {
        let fixture = try Fixture(mailbox: MailboxCommandTests.imaps(folder: "Processed"))
        defer { fixture.remove() }
        try fixture.deliverCorpus()
        let result = try fixture.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("read 19, bounces 9, complaints 2, unsubscribes 2, ignored 6, suppressed 9"), "\(result.stdout)")
        #expect(try fixture.unsubscribed() == MailboxCommandTests.expected)
        // The journal records each opt-out once, with its source and reason.
        let journal = fixture.file("suppressions.tsv").split(separator: "\n")
        #expect(journal.count == 9)
        #expect(journal.allSatisfy { $0.hasPrefix("suppress\t") && $0.contains("\tmailbox\t") })
        // The two soft bounces are counted, not acted on.
        let soft = fixture.file("bounces.tsv").split(separator: "\n").map { $0.split(separator: "\t")[1] }
        #expect(Set(soft) == ["erin@example.com", "frank@example.com"])
        // Reports went to Processed; the 6 ignored messages stay in INBOX, handled but unread, for a person.
        #expect(try fixture.server.search("bounces", folder: "Processed", "ALL").count == 13)
        #expect(try fixture.server.search("bounces", "ALL").count == 6)
        #expect(try fixture.server.search("bounces", "UNSEEN").count == 6)
        #expect(try fixture.server.search("bounces", "UNKEYWORD $NewsletterHandled").isEmpty)
        #expect(!result.stdout.contains(MailboxCommandTests.password) && !result.stderr.contains(MailboxCommandTests.password))

        let before = try fixture.listText()
        let again = try fixture.run()
        #expect(again.status == 0)
        #expect(again.stdout.contains("read 0, bounces 0, complaints 0, unsubscribes 0, ignored 0, suppressed 0"), "\(again.stdout)")
        #expect(try fixture.listText() == before)

        // send honours what mailbox did: `subscribers list` no longer shows them.
        let listed = try CLI.run(["subscribers", "list", "--config", fixture.config])
        for address in MailboxCommandTests.expected.keys { #expect(!listed.stdout.contains(address)) }
        #expect(listed.stdout.contains("erin@example.com"))

        // The reasons and counts show in `subscribers check` and `subscribers list`.
        let check = try CLI.run(["subscribers", "check", "--config", fixture.config])
        #expect(check.stdout.contains("suppression journal: 9 suppressed (5 bounced, 2 complained, 2 unsubscribed)"), "\(check.stdout)")
        #expect(check.stdout.contains("soft bounces: erin@example.com 1 of 3 within 30d"))
        let json = try CLI.run(["subscribers", "list", "--json", "--config", fixture.config])
        #expect(json.stdout.contains(#"{ "email": "erin@example.com", "softBounces": 1 }"#), "\(json.stdout)")
        let suppressed = try CLI.run(["subscribers", "list", "--suppressed", "--json", "--config", fixture.config])
        #expect(suppressed.stdout.contains(#"{ "email": "alice@example.com", "reason": "bounced", "source": "mailbox", "since": "#), "\(suppressed.stdout)")
    }

    @Test("over STARTTLS with the test CA, and without a processed folder: handled reports are flagged \\Seen and stay")
    func startTLS() throws {
        let fixture = try Fixture(mailbox: { server in
            """
            {"url": "imap://127.0.0.1:\(server.port)/INBOX", "security": "starttls", "caFile": "\(server.certificate ?? "")",
             "username": "bounces", "passwordEnv": "MAILBOX_PASSWORD"}
            """
        })
        defer { fixture.remove() }
        try fixture.deliverCorpus(["postfix-hard-5.1.1.eml", "reply.eml"])
        let result = try fixture.run(["--verbose"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("read 2, bounces 1, complaints 0, unsubscribes 0, ignored 1, suppressed 1"), "\(result.stdout)")
        #expect(try fixture.unsubscribed() == ["alice@example.com": "bounced"])
        #expect(result.stderr.contains("STARTTLS"))
        #expect(!result.stderr.contains(MailboxCommandTests.password), "--verbose must redact the login")
        #expect(try fixture.server.search("bounces", "SEEN KEYWORD $NewsletterHandled").count == 1)
        #expect(try fixture.server.search("bounces", "UNSEEN KEYWORD $NewsletterHandled").count == 1)
    }

    @Test("no mailbox section, or a username without a password: exit 65 before any connection")
    func badSetup() throws {
        let send = try SendFixture(subscribers: 1, smtp: #"{"url": "smtp://127.0.0.1:2525", "security": "none"}"#)
        defer { send.remove() }
        let missing = try CLI.run(["mailbox", "--config", send.config])
        #expect(missing.status == 65)
        #expect(missing.stderr == "error: \(send.config): missing key `mailbox` (the IMAP mailbox to read; see config.example.json)\n")

        let fixture = try Fixture(mailbox: { server in #"{"url": "imaps://127.0.0.1:\#(server.tlsPort)/INBOX", "username": "bounces"}"# })
        defer { fixture.remove() }
        let noPassword = try fixture.run()
        #expect(noPassword.status == 65)
        #expect(noPassword.stderr.contains("mailbox.username is set but no password"), "\(noPassword.stderr)")
    }

    @Test("a wrong password: a clear error, exit 1, nothing changed on the list or the server")
    func wrongPassword() throws {
        let fixture = try Fixture(mailbox: MailboxCommandTests.imaps())
        defer { fixture.remove() }
        try fixture.deliverCorpus(["postfix-hard-5.1.1.eml"])
        let before = try fixture.listText()
        let result = try fixture.run(["--verbose"], password: "wrong-password-123")
        #expect(result.status == 1)
        #expect(result.stderr.contains("refused the login of bounces"), "\(result.stderr)")
        #expect(!result.stderr.contains("wrong-password-123") && !result.stdout.contains("wrong-password-123"))
        #expect(try fixture.listText() == before)
        #expect(fixture.file("suppressions.tsv").isEmpty)
        #expect(try fixture.server.search("bounces", "UNSEEN UNKEYWORD $NewsletterHandled").count == 1)
    }

    @Test("--dry-run prints what it would do and changes nothing, not even the \\Seen flags")
    func dryRun() throws {
        let fixture = try Fixture(mailbox: MailboxCommandTests.imaps())
        defer { fixture.remove() }
        try fixture.deliverCorpus(["postfix-hard-5.1.1.eml", "arf-complaint.eml", "unsubscribe-autoreply.eml"])
        let before = try fixture.listText()
        let result = try fixture.run(["--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("dry run: alice@example.com: would unsubscribe (bounced)"), "\(result.stdout)")
        #expect(result.stdout.contains("dry run: heidi@example.com: would unsubscribe (complained)"))
        #expect(result.stdout.contains("dry run, nothing changed: read 3, bounces 1, complaints 1, unsubscribes 0, ignored 1, suppressed 2"))
        #expect(try fixture.listText() == before)
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/suppressions.tsv"))
        #expect(try fixture.server.search("bounces", "UNSEEN UNKEYWORD $NewsletterHandled").count == 3)
    }

    @Test("soft bounces are counted per address; the same bounce handled twice counts once; the limit suppresses")
    func softBounces() throws {
        let fixture = try Fixture(mailbox: { server in
            """
            {"url": "imaps://127.0.0.1:\(server.tlsPort)/INBOX", "caFile": "\(server.certificate ?? "")", "username": "bounces",
             "passwordEnv": "MAILBOX_PASSWORD", "softBounceLimit": 2, "softBounceWindow": "30d"}
            """
        })
        defer { fixture.remove() }
        let original = try Data(contentsOf: URL(fileURLWithPath: MailboxCommandTests.corpus + "/postfix-delayed-4.4.1.eml"))
        // The same message twice (a redelivery, or a crash between acting and marking): one count.
        try fixture.server.deliver(Array(original), to: "bounces")
        try fixture.server.deliver(Array(original), to: "bounces")
        var result = try fixture.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("erin@example.com: soft bounce 1 of 2"), "\(result.stdout)")
        #expect(try fixture.unsubscribed().isEmpty)
        // A second, different delay notice reaches the limit.
        let second = String(decoding: original, as: UTF8.self).replacingOccurrences(of: "12:00:09", with: "16:00:09")
        try fixture.server.deliver(Array(second.utf8), to: "bounces")
        result = try fixture.run()
        #expect(result.stdout.contains("suppressed 1"), "\(result.stdout)")
        #expect(try fixture.unsubscribed() == ["erin@example.com": "bounced"])
        #expect(fixture.file("bounces.tsv").split(separator: "\n").count == 2)
    }

    @Test("a message over mailbox.maxMessageBytes is skipped with a warning, marked handled and left unread")
    func oversized() throws {
        let fixture = try Fixture(mailbox: { server in
            """
            {"url": "imaps://127.0.0.1:\(server.tlsPort)/INBOX", "caFile": "\(server.certificate ?? "")", "username": "bounces",
             "passwordEnv": "MAILBOX_PASSWORD", "maxMessageBytes": 4096}
            """
        })
        defer { fixture.remove() }
        let big = "From: judy@example.com\nTo: unsubscribe@news.example.org\nSubject: unsubscribe\n\n" + String(repeating: "x", count: 8000) + "\n"
        try fixture.server.deliver(Array(big.utf8), to: "bounces")
        try fixture.deliverCorpus(["unsubscribe-from-subscriber.eml"])
        let result = try fixture.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("is larger than mailbox.maxMessageBytes (4096 bytes): skipped, left unread"), "\(result.stderr)")
        #expect(result.stdout.contains("read 1, bounces 0, complaints 0, unsubscribes 1, ignored 0, suppressed 1, skipped 1 (too large)"), "\(result.stdout)")
        #expect(try fixture.server.search("bounces", "UNSEEN KEYWORD $NewsletterHandled").count == 1)
        #expect(try fixture.run().stdout.contains("read 0,"))
    }

    @Test("killed with SIGKILL mid-way and run again: every opt-out applied once, nothing lost")
    func killedMidway() throws {
        let count = 160
        let addresses = (1...count).map { "user\($0)@example.com" }
        let fixture = try Fixture(mailbox: MailboxCommandTests.imaps(), subscribers: addresses)
        defer { fixture.remove() }
        let template = String(decoding: try Data(contentsOf: URL(fileURLWithPath: MailboxCommandTests.corpus + "/dsn-not-subscriber.eml")), as: UTF8.self)
        for address in addresses {
            try fixture.server.deliver(Array(template.replacingOccurrences(of: "stranger@example.com", with: address).utf8), to: "bounces")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["mailbox", "--config", fixture.config]
        var environment = ProcessInfo.processInfo.environment
        environment["NEWSLETTER_SECRET"] = MailboxCommandTests.secret
        environment["MAILBOX_PASSWORD"] = MailboxCommandTests.password
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the first batch to reach the journal, then kill the run.
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline && fixture.file("suppressions.tsv").isEmpty { Thread.sleep(forTimeInterval: 0.002) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let firstRun = fixture.file("suppressions.tsv").split(separator: "\n").count
        #expect(firstRun > 0 && firstRun < count, "the first run was killed mid-way (\(firstRun) of \(count) applied)")
        let result = try fixture.run()
        #expect(result.status == 0, "\(result.stderr)")
        let journal = fixture.file("suppressions.tsv").split(separator: "\n").map { $0.split(separator: "\t")[1] }
        #expect(journal.count == count, "each address journaled exactly once (\(firstRun) by the killed run)")
        #expect(Set(journal).count == count)
        #expect(try fixture.unsubscribed().count == count)
        #expect(try fixture.server.search("bounces", "UNKEYWORD $NewsletterHandled").isEmpty)
    }
}
