import Foundation
import Testing

@testable import NewsletterCore

struct OpaqueTokenTests {
    static let tokens = UnsubscribeToken(secret: Array("token-test-secret-0123456789".utf8))

    @Test("a token names its address without showing it, and reads back to it", arguments: [
        "alice@example.com", "Zhang.Wei@Example.COM", "a@b.co", "user+tag@sub.example.org",
        String(repeating: "x", count: 64) + "@" + String(repeating: "d", count: 60) + ".example.org",
    ])
    func roundTrip(_ text: String) throws {
        let address = try EmailAddress(text)
        let token = OpaqueTokenTests.tokens.token(for: address)
        #expect(!token.contains("@") && !token.lowercased().contains(address.normalized.split(separator: "@")[0]))
        #expect(token.utf8.allSatisfy { $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        #expect(token.utf8.count <= UnsubscribeToken.maximumLength)
        #expect(OpaqueTokenTests.tokens.address(fromToken: token)?.normalized == address.normalized)
    }

    @Test("the same address gives the same token, whatever its case")
    func stable() throws {
        let tokens = OpaqueTokenTests.tokens
        #expect(tokens.token(for: try EmailAddress("Bob@Example.org")) == tokens.token(for: try EmailAddress("bob@example.org")))
    }

    /// RFC 4648 test vector-style fixed value, so that an external verifier (README's Python) agrees.
    @Test("a fixed secret and address give a fixed token, as README's Python recipe computes it")
    func fixedValue() throws {
        let tokens = UnsubscribeToken(secret: Array("mailbox-test-secret-0123456789abcdef".utf8))
        #expect(tokens.token(for: try EmailAddress("ken@example.com")) == "a2VuQGV4YW1wbGUuY29tZQDeEbyhnzyIhQb9nweFoQ")
    }

    @Test("forged, altered, foreign and malformed tokens are refused", arguments: [
        "",  // empty
        "a2VuQGV4YW1wbGUuY29tZQDeEbyhnzyIhQb9nweFoR",  // the same bytes spelt another way (unused low bits set)
        "a2VuQGV4YW1wbGUuY29tZQDeEbyhnzyIhQb9nwfFoQ",  // one MAC bit changed
        "a2VuQGV4YW1wbGUuY29tZQDeEbyhnzyIhQb9nwe",  // truncated MAC
        "bWFsbG9yeUBleGFtcGxlLmNvbWUA3hG8oZ88iIUG_Z8HhaE",  // another address with ken's MAC
        "a2VuQGV4YW1wbGUuY29tZQDeEbyhnzyIhQb9nweFoQ==",  // padding
        "a2VuQGV4YW1wbGUuY29t+QDeEbyhnzyIhQb9nweFoQ",  // character outside base64url
        String(repeating: "A", count: 2000),  // too long
        "6500de11bca19f3c888506fd9f0785a1a197e2adac69c39910f9734e7750a4ee",  // the old hex form
    ])
    func refused(_ token: String) {
        let tokens = UnsubscribeToken(secret: Array("mailbox-test-secret-0123456789abcdef".utf8))
        #expect(tokens.address(fromToken: token) == nil)
    }

    @Test("a token made under another secret is refused")
    func foreignSecret() throws {
        let token = UnsubscribeToken(secret: Array("another-secret-0123456789abc".utf8)).token(for: try EmailAddress("ken@example.com"))
        #expect(OpaqueTokenTests.tokens.address(fromToken: token) == nil)
    }
}
