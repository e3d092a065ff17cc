import Foundation
import Testing

@testable import NewsletterCore

/// With `dkim` configured, a preview is exactly what `send` puts on the wire: the same bytes, signatures included,
/// for every subscriber (`send` writes from the per-run skeletons on the signing threads; `preview` renders in full
/// and signs on the spot).
struct SignedPreviewTests {
    static let secret = "signed-preview-secret-0123456789"

    static func configuration() throws -> Configuration {
        let keys = Fixtures.directory + "/dkim"
        let text = """
            {
              "newsletter": {
                "title": "每日文摘", "from": "每日文摘 <digest@example.org>", "subject": "{{title}} — {{date}}",
                "unsubscribeURL": "https://example.org/unsubscribe?token={{token}}", "unsubscribeMailto": "unsubscribe@example.org", "timeZone": "UTC"
              },
              "articles": {"directory": "\(Fixtures.directory)/articles", "window": "24h"},
              "templates": {"directory": "\(Fixtures.repositoryRoot)/templates"},
              "subscribers": {"file": "\(Fixtures.repositoryRoot)/examples/subscribers.json"},
              "dkim": {"domain": "example.org", "signatures": [
                {"selector": "rsa1", "privateKeyFile": "\(keys)/test-rsa-2048.pem"}, {"selector": "ed1", "privateKeyFile": "\(keys)/rfc8463-ed25519.pem"}]}
            }
            """
        return try Configuration(json: JSONReader.parse(Array(text.utf8)), file: "signed.json", baseDirectory: "/")
    }

    @Test("send --dry-run writes, for each subscriber, the bytes preview gives for them")
    func previewEqualsSend() throws {
        let configuration = try Self.configuration()
        let now = Date(timeIntervalSince1970: 1_706_860_800)
        let environment = ["NEWSLETTER_SECRET": Self.secret]
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = SendRun(configuration: configuration, options: .init(now: now, dryRunDirectory: folder), environment: environment)
        run.identity = SequentialMessageIdentity()
        let reports = try run.run()
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(reports.first?.progress.sent == files.count && files.count >= 3, "\(files)")
        for (index, file) in files.enumerated() {
            let sent = try FileSystem.readAll(folder + "/" + file)
            #expect(String(decoding: sent.prefix(40), as: UTF8.self).hasPrefix("DKIM-Signature: v=1; a=rsa-sha256;"))
            // The n-th message took the n-th Message-ID and boundary; preview takes the first, so skip as many.
            var identity = SequentialMessageIdentity()
            for _ in 0..<index {
                _ = identity.messageID(domain: "example.org", date: now)
                _ = identity.boundary()
            }
            let recipient = String(file.dropFirst(7).dropLast(4))
            let preview = try Preview(configuration: configuration, now: now, recipient: recipient, environment: environment).run(identity: &identity)
            #expect(preview.bytes == sent, "\(file) differs from its preview")
        }
    }
}
