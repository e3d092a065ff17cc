import Foundation
import Testing

@testable import NewsletterCore

/// In-place edits keep a hand-formatted file identical apart from the entry changed.
struct SubscriberFileEditorTests {
    func original() throws -> String {
        String(decoding: try Fixtures.read("subscribers/hand-formatted.json"), as: UTF8.self)
    }

    func apply(_ edit: SubscriberFileEditor.Edit, to text: String) throws -> (String, SubscriberFileEditor.Outcome) {
        let outcome = try SubscriberFileEditor.apply(edit, to: Array(text.utf8), file: "s.json")
        return (String(decoding: outcome.bytes, as: UTF8.self), outcome)
    }

    @Test("add appends one entry in the style of the last one")
    func add() throws {
        let original = try original()
        let (text, outcome) = try apply(.add(try EmailAddress("new@example.org"), name: "New \"Person\""), to: original)
        #expect(outcome.changed)
        #expect(text == original.replacingOccurrences(of: """
                "plan": {"tier": "gold", "since": 2021}
              }
            ]
            """, with: """
                "plan": {"tier": "gold", "since": 2021}
              },
              {
                "email": "new@example.org",
                "name": "New \\"Person\\""
              }
            ]
            """))
    }

    @Test("add to one-line entries writes a one-line entry")
    func addOneLine() throws {
        let original = "[\n  { \"email\": \"a@example.com\" }\n]\n"
        let (text, _) = try apply(.add(try EmailAddress("b@example.com"), name: "张伟"), to: original)
        #expect(text == "[\n  { \"email\": \"a@example.com\" },\n  { \"email\": \"b@example.com\", \"name\": \"张伟\" }\n]\n")
    }

    @Test("add to an empty list")
    func addToEmpty() throws {
        let (text, _) = try apply(.add(try EmailAddress("b@example.com"), name: nil), to: "[]\n")
        #expect(text == "[\n  { \"email\": \"b@example.com\" }\n]\n")
    }

    @Test("add of a listed address changes nothing; of an unsubscribed one re-subscribes it")
    func addExisting() throws {
        let original = try original()
        let (same, outcome) = try apply(.add(try EmailAddress("BOB@example.org"), name: nil), to: original)
        #expect(!outcome.changed)
        #expect(same == original)
        let (text, _) = try apply(.add(try EmailAddress("carol@example.net"), name: nil), to: original)
        #expect(text == original.replacingOccurrences(of: "\"subscribed\": false, \"note\"", with: "\"subscribed\": true, \"note\""))
    }

    @Test("unsubscribe adds \"subscribed\": false inside the entry only")
    func unsubscribe() throws {
        let original = try original()
        let (text, _) = try apply(.unsubscribe(try EmailAddress("Bob@Example.org")), to: original)
        #expect(text == original.replacingOccurrences(of: "{ \"email\": \"bob@example.org\" }", with: "{ \"email\": \"bob@example.org\", \"subscribed\": false }"))
        let (multi, _) = try apply(.unsubscribe(try EmailAddress("dora@example.com")), to: original)
        #expect(multi == original.replacingOccurrences(of: """
                "plan": {"tier": "gold", "since": 2021}
            """, with: """
                "plan": {"tier": "gold", "since": 2021},
                "subscribed": false
            """))
        let (again, outcome) = try apply(.unsubscribe(try EmailAddress("carol@example.net")), to: original)
        #expect(!outcome.changed)
        #expect(again == original)
    }

    @Test("remove deletes the entry and one separator", arguments: ["zhang.wei@example.com", "bob@example.org", "carol@example.net", "dora@example.com"])
    func remove(_ address: String) throws {
        let original = try original()
        let (text, _) = try apply(.remove(try EmailAddress(address)), to: original)
        // The result parses, lacks the address, and keeps every other entry byte for byte.
        let before = try SubscriberFileEditor.layout(Array(original.utf8), file: "s.json")
        let after = try SubscriberFileEditor.layout(Array(text.utf8), file: "s.json")
        let keptBefore = before.elements.filter { SubscriberFileEditor.key(of: $0.value) != (try! EmailAddress(address)).normalized }
            .map { String(decoding: Array(original.utf8)[$0.range], as: UTF8.self) }
        let keptAfter = after.elements.map { String(decoding: Array(text.utf8)[$0.range], as: UTF8.self) }
        #expect(keptAfter == keptBefore)
        #expect(text.hasPrefix("[\n  {"))
        #expect(text.hasSuffix("}\n]\n"))
    }

    @Test("remove of the only entry leaves an empty array; of every duplicate, all of them")
    func removeAll() throws {
        let (text, _) = try apply(.remove(try EmailAddress("a@example.com")), to: "[\n  {\"email\": \"a@example.com\"},\n  {\"email\": \"A@example.com\"}\n]\n")
        #expect(text == "[]\n")
    }

    @Test("A file that does not parse is refused, naming line and column")
    func refuses() throws {
        let broken = Array(try Fixtures.read("subscribers/broken.json"))
        #expect(throws: SubscriberFileEditor.EditError.syntax(file: "s.json", JSONSyntaxError(line: 4, column: 1, message: "unexpected ']' after a trailing ','"))) {
            _ = try SubscriberFileEditor.apply(.add(try EmailAddress("x@example.com"), name: nil), to: broken, file: "s.json")
        }
    }

    @Test("unsubscribe or remove of an unlisted address is an error")
    func unlisted() throws {
        #expect(throws: SubscriberFileEditor.EditError.notListed(file: "s.json", address: "x@example.com")) {
            _ = try SubscriberFileEditor.apply(.remove(try EmailAddress("x@example.com")), to: Array("[]".utf8), file: "s.json")
        }
    }
}
