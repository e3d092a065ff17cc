import Foundation
import Testing

@testable import NewsletterCore

struct SubscriberListTests {
    func list(_ name: String) throws -> SubscriberList {
        try SubscriberList(bytes: try Fixtures.read("subscribers/\(name)"), file: name)
    }

    @Test("Every kind of mistake gets one warning naming its position and email; the rest are served")
    func mistakes() throws {
        let list = try list("mistakes.json")
        #expect(list.warnings.map(\.description) == [
            "mistakes.json: entry 2: skipped: it is a string, not an object",
            "mistakes.json: entry 3: skipped: it has no \"email\"",
            "mistakes.json: entry 4: skipped: \"email\" is a number, not a string",
            "mistakes.json: entry 5 ('bob@'): skipped: 'bob@' is not a valid email address: the domain is empty",
            "mistakes.json: entry 6 ('eve@example.com'): skipped: \"subscribed\" is a string, not true or false; the entry is skipped rather than taken as consent",
            "mistakes.json: entry 7 ('zero@example.com'): skipped: \"subscribed\" is a number, not true or false; the entry is skipped rather than taken as consent",
            "mistakes.json: entry 11 ('inject@example.com\\u{d}\\u{a}Bcc: x@example.org'): skipped: 'inject@example.com\\u{d}\\u{a}Bcc: x@example.org' is not a valid email address: it contains a control character",
            "mistakes.json: entry 12 ('name@example.com'): skipped: \"name\" is a number, not a string",
        ])
        #expect(list.notices.map(\.description) == [
            "mistakes.json: entry 8 ('OK@example.com'): duplicate of entry 1; the first spelling and name are kept",
            "mistakes.json: entry 10 ('GONE@example.com'): duplicate of entry 9; the first spelling and name are kept, and the address is unsubscribed",
        ])
        let active = list.subscribers()
        #expect(active.map(\.address.description) == ["ok@example.com", "user@xn--bcher-kva.de"])
        #expect(active.first?.name == "OK")
        #expect(list.activeCount == 2)
        #expect(list.unsubscribedCount == 1)
        #expect(list.entryCount == 13)
    }

    @Test("A file that is not valid JSON is rejected whole with its line and column")
    func broken() throws {
        #expect(throws: SubscriberListError.syntax(file: "broken.json", JSONSyntaxError(line: 4, column: 1, message: "unexpected ']' after a trailing ','"))) {
            _ = try list("broken.json")
        }
    }

    @Test("A top level that is not an array is rejected", arguments: ["{\"email\": \"a@example.com\"}", "", "null"])
    func notAnArray(_ text: String) {
        #expect(throws: SubscriberListError.self) {
            _ = try SubscriberList(bytes: Array(text.utf8), file: "s.json")
        }
    }

    @Test("Unknown keys are kept for templates; names are one line")
    func fields() throws {
        let list = try list("hand-formatted.json")
        let zhang = try #require(list.subscribers().first)
        #expect(zhang.name == "张伟")
        #expect(zhang.fields.map(\.key) == ["joined", "tags"])
        #expect(list.subscribers().map(\.address.description) == ["zhang.wei@example.com", "bob@example.org", "dora@example.com"])
        #expect(list.firstActive?.address.description == "zhang.wei@example.com")
        let unsubscribedFirst = try SubscriberList(bytes: Array(#"[{"email": "a@example.com", "subscribed": false}, {"email": "b@example.com"}]"#.utf8), file: "s.json")
        #expect(unsubscribedFirst.firstActive?.address.description == "b@example.com")
        #expect(list.isActive(try EmailAddress("DORA@example.com")))
        #expect(!list.isActive(try EmailAddress("carol@example.net")))
    }

    @Test("A name over 200 characters is dropped with a warning; an entry over 16 KiB is skipped with one")
    func bounds() throws {
        let long = String(repeating: "N", count: 201)
        let fits = String(repeating: "F", count: 200)
        let huge = String(repeating: "x", count: 10_000_000)
        let text = """
            [{"email": "a@example.com", "name": "\(long)"}, {"email": "b@example.com", "name": "\(fits)"},
             {"email": "c@example.com", "name": "\(huge)"}, {"email": "d@example.com", "note": "\(String(repeating: "y", count: 17_000))"}]
            """
        let list = try SubscriberList(bytes: Array(text.utf8), file: "s.json")
        #expect(list.subscribers().map(\.address.description) == ["a@example.com", "b@example.com"])
        #expect(list.subscribers().map(\.name) == [nil, fits])
        #expect(list.droppedNames.map(\.description) == ["s.json: entry 1 ('a@example.com'): the name is longer than 200 characters; sent without a name"])
        #expect(list.warnings.map(\.position) == [3, 4])
        #expect(list.warnings.allSatisfy { $0.message.hasPrefix("skipped: the entry is ") && $0.message.hasSuffix("more than the 16 KiB an entry may have") })
        #expect(list.allWarnings.count == 3)
    }

    @Test("An entry's name with CR/LF becomes one line")
    func nameInjection() throws {
        let list = try SubscriberList(bytes: Array(#"[{"email": "a@example.com", "name": "Eve\r\nBcc: x@example.org"}]"#.utf8), file: "s.json")
        #expect(list.subscribers().first?.name == "Eve Bcc: x@example.org")
    }
}

struct UnsubscribeTokenTests {
    @Test("HMAC-SHA256 matches RFC 4231 test case 2")
    func rfc4231() {
        let mac = UnsubscribeToken.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(mac.map { String(format: "%02x", $0) }.joined() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("Tokens are stable, case-insensitive in the address, and differ per address and secret")
    func tokens() throws {
        let maker = UnsubscribeToken(secret: Array("0123456789abcdef-secret".utf8))
        let a = maker.token(for: try EmailAddress("Bob@Example.org"))
        #expect(a == maker.token(for: try EmailAddress("bob@example.org")))
        #expect(a.count == 42)  // base64url of 15 address bytes and a 16-byte MAC
        #expect(a != maker.token(for: try EmailAddress("alice@example.org")))
        #expect(a != UnsubscribeToken(secret: Array("another-secret-0123456".utf8)).token(for: try EmailAddress("bob@example.org")))
    }

    @Test("The secret comes from the environment first, then the file; a short one is refused")
    func secret() throws {
        #expect(try UnsubscribeToken.loadSecret(variable: "S", file: nil, environment: [:]) == nil)
        #expect(try UnsubscribeToken.loadSecret(variable: "S", file: nil, environment: ["S": "0123456789abcdef"]) == Array("0123456789abcdef".utf8))
        #expect(throws: SecretError.tooShort(source: "the environment variable S")) {
            _ = try UnsubscribeToken.loadSecret(variable: "S", file: nil, environment: ["S": "short"])
        }
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileSystem.writeAtomically(Array("file-secret-0123456789\n".utf8), to: folder + "/secret")
        #expect(try UnsubscribeToken.loadSecret(variable: "S", file: folder + "/secret", environment: [:]) == Array("file-secret-0123456789".utf8))
    }
}
