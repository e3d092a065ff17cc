import Foundation
import Testing

@testable import NewsletterCore

/// The corpus in Fixtures/mailbox, one row per message: what it is and whom it affects.
struct MailClassifierTests {
    static let secret = Array("mailbox-test-secret-0123456789abcdef".utf8)
    static let subscribers = [
        "alice@example.com", "bob@example.net", "carol@example.org", "dave@gmail.com", "erin@example.com", "frank@example.com",
        "grace@example.com", "heidi@example.com", "ivan@example.com", "judy@example.com", "ken@example.com", "lena@example.com",
        "mike@example.com", "nina@example.com", "victor@example.com",
    ]

    static func classifier() throws -> MailClassifier {
        let list = try subscribers.map { Subscriber(address: try EmailAddress($0)) }
        let verp = VERPAddress(template: "bounces+{{verp}}@news.example.org", secret: secret)
        return MailClassifier(
            index: RecipientIndex(subscribers: list, secret: secret, verp: verp),
            unsubscribeAddress: try EmailAddress("unsubscribe@news.example.org"))
    }

    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var kind: MailClassification.Kind
        var effects: [String]
        var description: String { file }
    }

    static let cases: [Case] = [
        Case(file: "postfix-hard-5.1.1.eml", kind: .bounce, effects: ["hardBounce alice@example.com"]),
        Case(file: "postfix-delayed-4.4.1.eml", kind: .bounce, effects: ["softBounce erin@example.com"]),
        Case(file: "exim-hard-plain.eml", kind: .bounce, effects: ["hardBounce bob@example.net"]),
        Case(file: "microsoft-hard-5.1.10.eml", kind: .bounce, effects: ["hardBounce carol@example.org"]),
        Case(file: "gmail-hard-5.1.1.eml", kind: .bounce, effects: ["hardBounce dave@gmail.com"]),
        Case(file: "gmail-delay-4.2.2.eml", kind: .bounce, effects: ["softBounce frank@example.com"]),
        Case(file: "qmail-verp-only.eml", kind: .bounce, effects: ["hardBounce grace@example.com"]),
        Case(file: "arf-complaint.eml", kind: .complaint, effects: ["complaint heidi@example.com"]),
        Case(file: "arf-redacted-token.eml", kind: .complaint, effects: ["complaint ivan@example.com"]),
        Case(file: "unsubscribe-from-subscriber.eml", kind: .unsubscribe, effects: ["unsubscribe judy@example.com"]),
        Case(file: "unsubscribe-with-token.eml", kind: .unsubscribe, effects: ["unsubscribe ken@example.com"]),
        Case(file: "unsubscribe-forged.eml", kind: .ignored, effects: []),
        Case(file: "unsubscribe-dmarc-fail.eml", kind: .ignored, effects: []),
        Case(file: "unsubscribe-autoreply.eml", kind: .ignored, effects: []),
        Case(file: "outlook-automatic-reply.eml", kind: .ignored, effects: []),
        Case(file: "reply.eml", kind: .ignored, effects: []),
        Case(file: "dsn-delivered.eml", kind: .ignored, effects: []),
        Case(file: "bounce-unattributed.eml", kind: .bounce, effects: []),
        Case(file: "dsn-not-subscriber.eml", kind: .bounce, effects: []),
    ]

    @Test("each message of the corpus is classified as expected", arguments: cases)
    func corpus(_ testCase: Case) throws {
        let bytes = try Fixtures.read("mailbox/" + testCase.file)
        let result = try MailClassifierTests.classifier().classify(MIMEPart(bytes: bytes))
        #expect(result.kind == testCase.kind, "\(result.note)")
        #expect(result.findings.map { "\($0.effect.rawValue) \($0.address)" } == testCase.effects)
        for finding in result.findings {
            #expect(!finding.detail.unicodeScalars.contains(where: Sanitize.isControl))
        }
    }

    @Test("the same messages with CRLF line ends, as IMAP serves them, classify the same", arguments: cases)
    func corpusCRLF(_ testCase: Case) throws {
        let text = String(decoding: try Fixtures.read("mailbox/" + testCase.file), as: UTF8.self)
        let crlf = Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let result = try MailClassifierTests.classifier().classify(MIMEPart(bytes: crlf))
        #expect(result.kind == testCase.kind)
        #expect(result.findings.map { "\($0.effect.rawValue) \($0.address)" } == testCase.effects)
    }

    @Test("every fixture in the folder has a row in the table and a line in the README")
    func corpusIsComplete() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory + "/mailbox").filter { $0.hasSuffix(".eml") }
        #expect(Set(files) == Set(MailClassifierTests.cases.map(\.file)))
        let readme = String(decoding: try Fixtures.read("README.md"), as: UTF8.self)
        for file in files { #expect(readme.contains("mailbox/" + file + ":"), "\(file)") }
    }

    @Test("the details of a DSN carry the status and the diagnostic, unfolded")
    func dsnDetail() throws {
        let result = try MailClassifierTests.classifier().classify(MIMEPart(bytes: try Fixtures.read("mailbox/gmail-hard-5.1.1.eml")))
        let detail = try #require(result.findings.first?.detail)
        #expect(detail.hasPrefix("failed 5.1.1: smtp; 550-5.1.1 The email account that you tried to reach does not exist."))
    }

    @Test("without VERP configured, a bounce attributed only by VERP names no subscriber")
    func verpOnlyNeedsVERP() throws {
        let list = try MailClassifierTests.subscribers.map { Subscriber(address: try EmailAddress($0)) }
        let classifier = MailClassifier(
            index: RecipientIndex(subscribers: list, secret: MailClassifierTests.secret, verp: nil),
            unsubscribeAddress: try EmailAddress("unsubscribe@news.example.org"))
        let result = classifier.classify(MIMEPart(bytes: try Fixtures.read("mailbox/qmail-verp-only.eml")))
        #expect(result.kind == .bounce)
        #expect(result.findings.isEmpty)
    }

    @Test("a VERP token signed with another secret is not ours")
    func foreignVERP() throws {
        let list = try MailClassifierTests.subscribers.map { Subscriber(address: try EmailAddress($0)) }
        let other = Array("another-secret-0123456789abcdefgh".utf8)
        let classifier = MailClassifier(
            index: RecipientIndex(subscribers: list, secret: other, verp: VERPAddress(template: "bounces+{{verp}}@news.example.org", secret: other)),
            unsubscribeAddress: nil)
        let result = classifier.classify(MIMEPart(bytes: try Fixtures.read("mailbox/qmail-verp-only.eml")))
        #expect(result.findings.isEmpty)
    }

    struct TextCase: Sendable {
        var text: String
        var expected: BounceText.Severity
    }

    @Test(
        "plain-text bounce wording and codes",
        arguments: [
            TextCase(text: "550 5.1.1 <a@b.example>: Recipient address rejected: User unknown", expected: .permanent("5.1.1")),
            TextCase(text: "Sorry, no mailbox here by that name. (#5.1.1)", expected: .permanent("5.1.1")),
            TextCase(text: "452 4.2.2 The recipient's inbox is out of storage space.", expected: .temporary("4.2.2")),
            TextCase(text: "Delivery has been delayed; the server will retry (550 earlier)", expected: .temporary("delivery has been delayed")),
            TextCase(text: "The user does not exist", expected: .permanent("does not exist")),
            TextCase(text: "host said: 554 rejected", expected: .permanent("554")),
            TextCase(text: "mailbox full", expected: .temporary("mailbox full")),
            TextCase(text: "server version 2.4.5 (build 1.2.3) says hello", expected: .unknown),
            TextCase(text: "nothing to see", expected: .unknown),
        ])
    func bounceText(_ testCase: TextCase) {
        #expect(BounceText.severity(of: testCase.text) == testCase.expected)
    }
}
