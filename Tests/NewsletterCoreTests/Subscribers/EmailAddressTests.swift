import Testing

@testable import NewsletterCore

struct EmailAddressTests {
    static let valid: [(String, String)] = [
        ("bob@example.org", "bob@example.org"),
        ("Bob.Smith+tag@Example.ORG", "Bob.Smith+tag@example.org"),
        ("o'neil@example.co.uk", "o'neil@example.co.uk"),
        ("user@xn--fsqu00a.xn--0zwm56d", "user@xn--fsqu00a.xn--0zwm56d"),
        ("user@例子.测试", "user@xn--fsqu00a.xn--0zwm56d"),
        ("info@bücher.de", "info@xn--bcher-kva.de"),
        ("a@b-c.d1", "a@b-c.d1"),
        ("张伟@example.com", "张伟@example.com"),
    ]

    @Test("Valid addresses; IDN domains become punycode", arguments: valid)
    func validAddresses(_ example: (String, String)) throws {
        #expect(try EmailAddress(example.0).description == example.1)
    }

    static let invalid: [(String, String)] = [
        ("bob", "it has no '@'"),
        ("a@b@example.org", "it has more than one '@'"),
        ("@example.org", "the part before '@' is empty"),
        ("bob@", "the domain is empty"),
        ("bob@localhost", "the domain 'localhost' has no dot"),
        (".bob@example.org", "not a dot-atom"),
        ("bo..b@example.org", "not a dot-atom"),
        ("bo b@example.org", "not a dot-atom"),
        ("bob\r\n@example.org", "control character"),
        ("bob@exa\nmple.org", "control character"),
        ("bob@-example.org", "starts or ends with a hyphen"),
        ("bob@example-.org", "starts or ends with a hyphen"),
        ("bob@exa_mple.org", "only letters, digits, hyphens and dots"),
        ("bob@example..org", "empty label"),
        (String(repeating: "a", count: 65) + "@example.org", "longer than 64 octets"),
        ("a@" + String(repeating: "b", count: 64) + ".org", "longer than 63 characters"),
        ("a@" + Array(repeating: String(repeating: "b", count: 60), count: 5).joined(separator: ".") + ".org", "longer than 254 octets"),
        ("\"quoted\"@example.org", "not a dot-atom"),
    ]

    @Test("Invalid addresses say which rule they break", arguments: invalid)
    func invalidAddresses(_ example: (String, String)) {
        do {
            _ = try EmailAddress(example.0)
            Issue.record("accepted \(example.0)")
        } catch {
            #expect(error.description.contains(example.1), "\(error)")
        }
    }

    @Test("Invisible and control characters are refused", arguments: ["a\u{2028}b@example.com", "evil\u{00A0}x@example.com", "a\u{200B}b@example.com", "a\u{FEFF}@example.com"])
    func invisible(_ text: String) {
        #expect(throws: EmailAddressError.self) { _ = try EmailAddress(text) }
    }

    @Test("A trailing-dot domain still counts toward the 254-octet limit")
    func trailingDotLength() throws {
        let domain = Array(repeating: String(repeating: "b", count: 60), count: 4).joined(separator: ".") + ".org."
        let address = String(repeating: "a", count: 254 - domain.utf8.count) + "x@" + domain
        #expect(address.utf8.count == 256)
        #expect(throws: EmailAddressError.self) { _ = try EmailAddress(address) }
        #expect(try EmailAddress("bob@example.org.").description == "bob@example.org")
    }

    @Test("Only ASCII letters are folded: the Kelvin sign is not the letter k")
    func asciiFolding() throws {
        #expect(try EmailAddress("\u{212A}@example.com").normalized != EmailAddress("k@example.com").normalized)
        #expect(try EmailAddress("K@Example.com").normalized == "k@example.com")
    }

    @Test("Addresses compare case-insensitively through their normalised form")
    func normalised() throws {
        #expect(try EmailAddress("Bob@Example.org").normalized == EmailAddress("bob@EXAMPLE.org").normalized)
        #expect(try EmailAddress("张伟@example.com").requiresSMTPUTF8)
        #expect(try !EmailAddress("bob@example.com").requiresSMTPUTF8)
    }

    @Test("Punycode matches RFC 3492 samples")
    func punycode() {
        #expect(Punycode.encode("bücher") == "bcher-kva")
        #expect(Punycode.encode("例子") == "fsqu00a")
        #expect(Punycode.encode("他们为什么不说中文") == "ihqwcrb4cv8a8dqg056pqjye")
    }
}
