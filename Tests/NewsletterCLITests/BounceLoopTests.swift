import Foundation
import Testing

/// The whole loop: `send` through aiosmtpd with VERP, a bounce for one recipient in the bounce mailbox (Dovecot),
/// `mailbox`, and the next `send` leaves that address out.
@Suite(.serialized)
struct BounceLoopTests {
    @Test("a VERP bounce that names nobody in its text unsubscribes its recipient; the next send skips the address")
    func loop() throws {
        let smtpFolder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: smtpFolder) }
        let smtp = try AiosmtpdServer(directory: smtpFolder)
        let addresses = ["user1@example.com", "user2@example.com", "user3@example.com"]
        let fixture = try MailboxCommandTests.Fixture(
            mailbox: MailboxCommandTests.imaps(), subscribers: addresses,
            smtp: #"{"url": "smtp://127.0.0.1:\#(smtp.port)", "security": "none", "envelopeFrom": "bounces+{{verp}}@news.example.org"}"#)
        defer { fixture.remove() }
        let environment = ["NEWSLETTER_SECRET": MailboxCommandTests.secret]

        let first = try CLI.run(["send", "--config", fixture.config, "--now", "2024-02-02T08:00:00Z", "--quiet"], environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        let received = smtp.received()
        #expect(received.count == 3)
        // Each message's envelope sender is its own, a 16-character token in the local part.
        let senders = Dictionary(uniqueKeysWithValues: received.map { ($0.recipient.lowercased(), $0.mailFrom) })
        #expect(Set(senders.values).count == 3)
        let bounceAddress = try #require(senders["user2@example.com"])
        #expect(bounceAddress.range(of: #"^bounces\+[a-z2-7]{16}@news\.example\.org$"#, options: .regularExpression) != nil, "\(bounceAddress)")

        // The remote server answers much later with a bounce in plain text that only the envelope identifies.
        let bounce = """
            Return-Path: <>
            Delivered-To: \(bounceAddress)
            From: MAILER-DAEMON@mx.example.com
            To: \(bounceAddress)
            Subject: failure notice
            Date: Fri, 2 Feb 2024 08:05:00 +0000

            Hi. This is the qmail-send program at mx.example.com.
            I'm afraid I wasn't able to deliver your message to the following addresses.
            This is a permanent error; I've given up. Sorry it didn't work out.

            <someone.else@forwarded.example>:
            Sorry, no mailbox here by that name. (#5.1.1)

            """
        try fixture.server.deliver(Array(bounce.utf8), to: "bounces")
        let mailbox = try fixture.run()
        #expect(mailbox.status == 0, "\(mailbox.stderr)")
        #expect(mailbox.stdout.contains("hardBounce user2@example.com"), "\(mailbox.stdout)")
        #expect(try fixture.unsubscribed() == ["user2@example.com": "bounced"])

        let second = try CLI.run(["send", "--config", fixture.config, "--now", "2024-02-02T09:00:00Z", "--force", "--quiet"], environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(smtp.receivedCounts() == ["user1@example.com": 2, "user2@example.com": 1, "user3@example.com": 2])
    }

    @Test("a permanent refusal at send time is counted in state/bounces.tsv; at mailbox.softBounceLimit it unsubscribes")
    func sendTimeRefusal() throws {
        let smtpFolder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: smtpFolder) }
        let smtp = try AiosmtpdServer(directory: smtpFolder, arguments: ["--reject", "user3@example.com"])
        let fixture = try MailboxCommandTests.Fixture(
            mailbox: { server in
                #"{"url": "imaps://127.0.0.1:\#(server.tlsPort)/INBOX", "username": "bounces", "softBounceLimit": 1}"#
            }, subscribers: ["user1@example.com", "user3@example.com"],
            smtp: #"{"url": "smtp://127.0.0.1:\#(smtp.port)", "security": "none", "envelopeFrom": "bounces+{{verp}}@news.example.org"}"#)
        defer { fixture.remove() }
        let result = try CLI.run(
            ["send", "--config", fixture.config, "--now", "2024-02-02T08:00:00Z", "--quiet"], environment: ["NEWSLETTER_SECRET": MailboxCommandTests.secret])
        #expect(result.stderr.contains("user3@example.com: unsubscribed (bounced: RCPT failed: 550"), "\(result.stderr)")
        #expect(fixture.file("bounces.tsv").hasPrefix("soft\tuser3@example.com\t"))
        #expect(try fixture.unsubscribed() == ["user3@example.com": "bounced"])
        #expect(fixture.file("suppressions.tsv").contains("\tsend\tbounced"))
    }
}
