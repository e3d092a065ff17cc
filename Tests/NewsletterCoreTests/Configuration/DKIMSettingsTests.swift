import Foundation
import Testing

@testable import NewsletterCore

struct DKIMSettingsTests {
    static func load(_ dkim: String) throws(ConfigurationError) -> Configuration {
        let text = ConfigurationTests.minimal.replacingOccurrences(
            of: "\"subscribers\": {\"file\": \"subscribers.json\"}", with: "\"subscribers\": {\"file\": \"subscribers.json\"}, \"dkim\": \(dkim)")
        return try ConfigurationTests().load(text)
    }

    @Test("dkim: the domain in ASCII lowercase, the signatures in order, key paths resolved against the configuration's folder")
    func reads() throws {
        let settings = try #require(
            try Self.load(#"{"domain": "Example.ORG", "signatures": [{"selector": "rsa1", "privateKeyFile": "keys/rsa.pem"}, {"selector": "ed1", "privateKeyFile": "/etc/ed.pem"}]}"#).dkim)
        #expect(settings.domain == "example.org")
        #expect(settings.signatures == [.init(selector: "rsa1", privateKeyFile: "/etc/nl/keys/rsa.pem"), .init(selector: "ed1", privateKeyFile: "/etc/ed.pem")])
        #expect(try ConfigurationTests().load(ConfigurationTests.minimal).dkim == nil)
    }

    @Test(
        "Relaxed alignment with the From domain (t@example.org)",
        arguments: [("example.org", true), ("EXAMPLE.org", true), ("mail.example.org", true), ("org", false), ("example.net", false), ("ample.org", false)])
    func alignment(_ domain: String, _ aligned: Bool) {
        #expect(DKIMSettings.isAligned(signingDomain: domain.lowercased(), fromDomain: "example.org") == aligned)
        #expect(DKIMSettings.isAligned(signingDomain: "example.org", fromDomain: "news.example.org"))
    }

    struct Bad: Sendable, CustomStringConvertible {
        var dkim: String
        var expected: String
        var description: String { expected }
    }

    @Test(
        "Bad dkim sections name the key",
        arguments: [
            Bad(
                dkim: #"{"domain": "example.net", "signatures": [{"selector": "s1", "privateKeyFile": "k.pem"}]}"#,
                expected: "c.json: `dkim.domain`: d=example.net is not aligned with the From domain example.org: DMARC passes only when the signing "
                    + "domain is the From domain or shares its organisational domain; use example.org (or a parent or subdomain of it)"),
            Bad(dkim: #"{"signatures": []}"#, expected: "c.json: missing key `dkim.domain`"),
            Bad(dkim: #"{"domain": "example.org"}"#, expected: "c.json: missing key `dkim.signatures`"),
            Bad(
                dkim: #"{"domain": "example.org", "signatures": []}"#,
                expected: "c.json: `dkim.signatures`: must hold 1 to 4 signatures (usually one RSA and one Ed25519), found 0"),
            Bad(
                dkim: #"{"domain": "example.org", "signatures": {"selector": "s1"}}"#,
                expected: "c.json: `dkim.signatures` must be an array of {selector, privateKeyFile} objects, found an object"),
            Bad(
                dkim: #"{"domain": "example.org", "signatures": [{"selector": "s_1", "privateKeyFile": "k.pem"}]}"#,
                expected: "c.json: `dkim.signatures[0].selector`: 's_1' is not a selector: letters, digits and hyphens, in dot-separated labels (RFC 6376 §3.1)"),
            Bad(
                dkim: #"{"domain": "example.org", "signatures": [{"selector": "s1", "privateKeyFile": "a.pem"}, {"selector": "S1", "privateKeyFile": "b.pem"}]}"#,
                expected: "c.json: `dkim.signatures[1].selector`: 'S1' is used twice; each key needs its own selector"),
            Bad(dkim: #"{"domain": "example.org", "signatures": [{"selector": "s1"}]}"#, expected: "c.json: missing key `dkim.signatures[0].privateKeyFile`"),
            Bad(
                dkim: #"{"domain": "example.org", "signatures": [{"selector": "s1", "privateKeyFile": "k.pem", "algorithm": "rsa"}]}"#,
                expected: "c.json: unknown key `dkim.signatures[0].algorithm`"),
            Bad(dkim: #"{"domain": "bad domain", "signatures": []}"#, expected: "c.json: `dkim.domain`: 'bad domain' is not a domain name such as example.org"),
        ])
    func bad(_ example: Bad) {
        do {
            _ = try Self.load(example.dkim)
            Issue.record("loaded a bad dkim section")
        } catch {
            #expect(error.description == example.expected)
        }
    }
}
