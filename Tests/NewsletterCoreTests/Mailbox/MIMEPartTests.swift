import Foundation
import Testing

@testable import NewsletterCore

struct MIMEPartTests {
    @Test("headers are unfolded and looked up case-insensitively; a header-only message has an empty body")
    func headers() {
        let message = MIMEPart(bytes: Array("Subject: one\r\n two\r\nX-A: 1\r\nx-a: 2\r\n".utf8))
        #expect(message.headers["subject"] == "one two")
        #expect(message.headers.values("X-A") == ["1", "2"])
        #expect(message.rawBody.isEmpty)
    }

    struct WordCase: Sendable {
        var raw: String
        var decoded: String
    }

    @Test(
        "RFC 2047 encoded-words decode for display",
        arguments: [
            WordCase(raw: "=?UTF-8?B?5byg5Lyf?=", decoded: "张伟"),
            WordCase(raw: "=?utf-8?Q?Automatic_reply:_caf=C3=A9?=", decoded: "Automatic reply: café"),
            WordCase(raw: "=?ISO-8859-1?Q?J=FCrgen?= =?ISO-8859-1?Q?_M?=", decoded: "Jürgen M"),
            WordCase(raw: "plain =?bogus", decoded: "plain =?bogus"),
            WordCase(raw: "a =?UTF-8?Q?b?= c", decoded: "a b c"),
        ])
    func encodedWords(_ testCase: WordCase) {
        #expect(EncodedWords.decode(testCase.raw) == testCase.decoded)
    }

    @Test("multiparts split at their boundaries; preamble and epilogue are dropped; nested parts are walked")
    func multipart() {
        let text = """
            Content-Type: multipart/mixed; boundary="outer"

            preamble
            --outer
            Content-Type: text/plain

            first
            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/plain
            Content-Transfer-Encoding: base64

            c2Vjb25k
            --inner--
            --outer--
            epilogue
            """
        let message = MIMEPart(bytes: Array(text.utf8))
        #expect(message.parts.count == 2)
        #expect(message.parts[0].text == "first")
        #expect(message.parts[1].parts.first?.text == "second")
        #expect(message.plainText() == "first\nsecond\n")
    }

    @Test("a multipart without its closing boundary keeps its last part; a missing boundary reads as text")
    func truncated() {
        let truncated = MIMEPart(bytes: Array("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nonly\n".utf8))
        #expect(truncated.parts.count == 1)
        let noBoundary = MIMEPart(bytes: Array("Content-Type: multipart/mixed\n\nbody\n".utf8))
        #expect(noBoundary.parts.isEmpty)
    }

    @Test("nesting deeper than the bound is read as an opaque body, without recursion running away")
    func depthBound() {
        var text = ""
        for level in 0..<40 { text += "Content-Type: multipart/mixed; boundary=b\(level)\n\n--b\(level)\n" }
        text += "\nleaf\n"
        let message = MIMEPart(bytes: Array(text.utf8))
        var depth = 0
        var part = message
        while let next = part.parts.first {
            part = next
            depth += 1
        }
        #expect(depth <= MIMEPart.maxDepth)
    }

    @Test("quoted-printable and base64 decode leniently")
    func transferDecoding() {
        #expect(TransferDecoding.quotedPrintable(Array("a=3Db=\r\nc=ZZ".utf8)) == Array("a=bc=ZZ".utf8))
        #expect(TransferDecoding.base64(Array("aGVs\nbG8=".utf8)[...]) == Array("hello".utf8))
    }

    @Test("a DSN's recipient groups read with their actions, statuses and addresses")
    func deliveryStatus() throws {
        let status = DeliveryStatus(text: """
            Reporting-MTA: dns; mx.example

            Final-Recipient: rfc822; a@example.com
            Action: failed
            Status: 5.1.1 (user unknown)

            Final-Recipient: rfc822;<b@example.com>
            Original-Recipient: rfc822;B@Example.com
            Action: Delayed
            Status: 4.4.7
            """)
        #expect(status.reportingMTA == "dns; mx.example")
        #expect(status.recipients.map(\.action) == ["failed", "delayed"])
        #expect(status.recipients.map(\.status) == ["5.1.1", "4.4.7"])
        #expect(status.recipients.map(\.statusClass) == [5, 4])
        #expect(status.recipients[1].originalRecipient == (try EmailAddress("B@example.com")))
    }

    @Test("VERP tokens round-trip, are 16 characters of a-z2-7, and fit a local part")
    func verp() throws {
        let verp = try #require(VERPAddress(template: "bounces+{{verp}}@news.example.org", secret: Array("0123456789abcdef0123".utf8)))
        let address = try EmailAddress("Alice@Example.com")
        let sender = verp.envelopeSender(for: address)
        #expect(try EmailAddress(sender).localPart.count <= 64)
        let token = try #require(verp.token(in: sender.uppercased()))
        #expect(token == verp.token(for: try EmailAddress("alice@example.com")))
        #expect(token.count == 16)
        #expect(verp.token(in: "bounces@news.example.org") == nil)
        #expect(VERPAddress(template: "bounces@news.example.org", secret: []) == nil)
    }
}
