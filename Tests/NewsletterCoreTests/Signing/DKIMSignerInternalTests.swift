import Foundation
import Testing

@testable import NewsletterCore

/// Golden signatures: the RFC 8463 Appendix A example (Ed25519 is deterministic, so the RFC's own `b=` must come
/// out), and a fixed RSA key (RSASSA-PKCS1-v1_5 is deterministic too) over a golden digest.
struct DKIMSignerInternalTests {
    /// RFC 8463 A.2, the message of RFC 6376 Appendix A, with CRLF.
    static let rfcMessage = [
        "From: Joe SixPack <joe@football.example.com>",
        "To: Suzie Q <suzie@shopping.example.net>",
        "Subject: Is dinner ready?",
        "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)",
        "Message-ID: <20030712040037.46341.5F8J@football.example.com>",
        "",
        "Hi.",
        "",
        "We lost the game.  Are you hungry yet?",
        "",
        "Joe.",
        "",
    ].joined(separator: "\r\n")

    static func key(_ name: String) throws -> DKIMKey {
        try DKIMKey(file: Fixtures.directory + "/dkim/" + name)
    }

    @Test("RFC 8463 A.3: the Ed25519 example signature, byte for byte")
    func rfc8463Ed25519() throws {
        let key = try Self.key("rfc8463-ed25519.pem")
        #expect(key.algorithm == .ed25519SHA256)
        // RFC 8463 A.1: the public key of the DNS record.
        #expect(key.publicKeyBase64 == "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
        let message = Array(Self.rfcMessage.utf8)
        let (fields, bodyStart) = message.withUnsafeBufferPointer { DKIMSigner.headerFields($0) }
        var body: [UInt8] = []
        message.withUnsafeBufferPointer { DKIMCanonicalization.relaxedBody(UnsafeBufferPointer(rebasing: $0[bodyStart...]), into: &body) }
        let bodyHash = body.withUnsafeBytes { Data(DKIMKey.sha256($0)).base64EncodedString() }
        #expect(bodyHash == "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=")

        // The RFC's field, as printed (its own h= list, i=, q=, t=), with b= empty.
        let unsigned = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n d=football.example.com; i=@football.example.com;\r\n"
            + " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n subject : date : message-id : from : subject : date;\r\n"
            + " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n b="
        let names = ["from", "to", "subject", "date", "message-id", "from", "subject", "date"]
        let headers = message.withUnsafeBufferPointer { DKIMSigner.canonicalHeaders($0, fields: fields, names: names) }
        let signature = try DKIMSigner.signature(canonicalHeaders: headers, unsignedField: unsigned, key: key)
        #expect(Data(signature).base64EncodedString() == "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==")
    }

    @Test("Signing a golden digest with the fixed RSA key and the RFC's Ed25519 key gives the recorded fields")
    func goldenDualSignature() throws {
        let message = try Fixtures.read("golden/digest-zhang-wei.eml")
        let signer = DKIMSigner(domain: "example.org", keys: [("rsa1", try Self.key("test-rsa-2048.pem")), ("ed1", try Self.key("rfc8463-ed25519.pem"))])
        let signed = try signer.sign(message, timestamp: 1_706_860_800)
        #expect(Array(signed.suffix(message.count)) == message)
        let fields = String(decoding: signed.prefix(signed.count - message.count), as: UTF8.self)
        let sourcePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path + "/Fixtures/dkim/golden-signatures.txt"
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try FileSystem.writeAtomically(Array(fields.utf8), to: sourcePath)
            Issue.record("recorded \(sourcePath); unset RECORD_GOLDEN and run again")
            return
        }
        let golden = String(decoding: try Fixtures.read("dkim/golden-signatures.txt"), as: UTF8.self)
        #expect(fields == golden)
        // Folded: no line over 78 characters, continuation lines start with a space.
        let lines = fields.components(separatedBy: "\r\n").dropLast()
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "\(lines.map(\.count))")
        #expect(lines.filter { !$0.hasPrefix("DKIM-Signature: ") }.allSatisfy { $0.hasPrefix(" ") })
        #expect(fields.components(separatedBy: "DKIM-Signature: ").count == 3)
        #expect(fields.contains("h=from:from:to:subject:date:message-id:mime-version:\r\n content-type:list-id:list-unsubscribe:list-unsubscribe-post;"))
    }

    @Test("h= takes the last instance first; a name listed once more than the message has it signs its absence")
    func fieldSelection() throws {
        let message = Array("From: a@example.org\r\nTo: x@example.com\r\nFrom: b@example.org\r\n\r\nbody\r\n".utf8)
        let (fields, bodyStart) = message.withUnsafeBufferPointer { DKIMSigner.headerFields($0) }
        #expect(fields.map(\.name) == ["from", "to", "from"])
        #expect(bodyStart == message.count - 6)
        let canonical = message.withUnsafeBufferPointer { DKIMSigner.canonicalHeaders($0, fields: fields, names: ["from", "from", "from", "to", "list-id"]) }
        #expect(String(decoding: canonical, as: UTF8.self) == "from:b@example.org\r\nfrom:a@example.org\r\nto:x@example.com\r\n")
    }

    @Test("Folded header fields are one field each; a message without a body has an empty one")
    func headerParsing() {
        let message = Array("Subject: a\r\n b\r\n\tc\r\nTo: x\r\n".utf8)
        let (fields, bodyStart) = message.withUnsafeBufferPointer { DKIMSigner.headerFields($0) }
        #expect(fields.map(\.name) == ["subject", "to"])
        #expect(fields.first.map { String(decoding: message[$0.range], as: UTF8.self) } == "Subject: a\r\n b\r\n\tc")
        #expect(bodyStart == message.count)
    }
}
