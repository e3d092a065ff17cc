import Foundation
import Testing

@testable import NewsletterCore

/// Whole messages built from the fixtures with a fixed clock and fixed IDs, compared byte for byte with the
/// recorded `.eml` files. Set RECORD_GOLDEN=1 to re-record them; a recording run fails so it is never mistaken
/// for a passing one.
struct GoldenMessageTests {
    static let now = Date(timeIntervalSince1970: 1_706_860_800)  // 2024-02-02T08:00:00Z
    static let secret = "golden-test-secret-0123456789"

    static func configuration(maxArticles: Int = 20) throws -> Configuration {
        let text = """
            {
              "newsletter": {
                "title": "Daily Digest",
                "from": "Daily Digest <digest@example.org>",
                "subject": "{{title}} — {{date}}",
                "unsubscribeURL": "https://example.org/unsubscribe?token={{token}}",
                "unsubscribeMailto": "unsubscribe@example.org",
                "timeZone": "UTC"
              },
              "articles": {"directory": "\(Fixtures.directory)/articles", "window": "24h", "maxArticles": \(maxArticles)},
              "templates": {"directory": "\(Fixtures.repositoryRoot)/templates"},
              "subscribers": {"file": "\(Fixtures.repositoryRoot)/examples/subscribers.json"}
            }
            """
        return try Configuration(json: JSONReader.parse(Array(text.utf8)), file: "golden.json", baseDirectory: "/")
    }

    /// Builds the message for `subscriber` from the fixture articles.
    static func message(for subscriber: Subscriber, now: Date = now) throws -> MailMessage {
        let configuration = try configuration()
        let collection = try DirectoryArticleSource(directory: configuration.articles.directory).collect(
            ArticleSelection(now: now, window: configuration.articles.window, maxArticles: configuration.articles.maxArticles))
        let sanitizer = HTMLSanitizer(rules: configuration.articles.boilerplate)
        let renderer = DigestRenderer(
            configuration: configuration, templates: try TemplateSet.load(configuration),
            articles: collection.articles.map { PreparedArticle($0, sanitizer: sanitizer, excerptLength: configuration.articles.excerptLength) },
            date: now, tokens: UnsubscribeToken(secret: Array(secret.utf8)))
        var identity = SequentialMessageIdentity()
        return try renderer.message(for: subscriber, identity: &identity)
    }

    static let cases: [(String, Subscriber, Date)] = [
        ("digest-zhang-wei", Subscriber(address: try! EmailAddress("zhang.wei@example.com"), name: "张伟"), now),
        ("digest-no-name", Subscriber(address: try! EmailAddress("bob@example.net")), now),
        ("digest-empty", Subscriber(address: try! EmailAddress("alice@example.org"), name: "Alice Martin"), Date(timeIntervalSince1970: 1_800_000_000)),
    ]

    @Test("Whole messages match their golden .eml files", arguments: cases.map { $0.0 })
    func golden(_ name: String) throws {
        let (_, subscriber, now) = try #require(Self.cases.first { $0.0 == name })
        let bytes = try Self.message(for: subscriber, now: now).serialized()
        let sourcePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path
            + "/Fixtures/golden/\(name).eml"
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try FileSystem.writeAtomically(bytes, to: sourcePath)
            Issue.record("recorded \(sourcePath); unset RECORD_GOLDEN and run again")
            return
        }
        let expected = try FileSystem.readAll(Fixtures.directory + "/golden/\(name).eml")
        guard bytes != expected else { return }
        // Say where it differs, briefly, and keep the actual message for a diff.
        let actualPath = NSTemporaryDirectory() + "\(name).actual.eml"
        try FileSystem.writeAtomically(bytes, to: actualPath)
        let actualLines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        let expectedLines = String(decoding: expected, as: UTF8.self).components(separatedBy: "\r\n")
        let line = zip(actualLines, expectedLines).enumerated().first { $1.0 != $1.1 }?.offset ?? min(actualLines.count, expectedLines.count)
        Issue.record("""
            \(name).eml differs at line \(line + 1): got '\(line < actualLines.count ? actualLines[line] : "(end)")', \
            expected '\(line < expectedLines.count ? expectedLines[line] : "(end)")'. Actual message: \(actualPath). \
            If the change is intended, re-record with RECORD_GOLDEN=1 and review the diff of \(sourcePath).
            """)
    }
}

/// Checks a generated message the way a strict mail reader would: line lengths, CRLF, one of each header, and a
/// parse by Python's own `email` package with the strict policy.
struct MessageConformanceTests {
    static func bytes() throws -> (MailMessage, [UInt8]) {
        let message = try GoldenMessageTests.message(for: Subscriber(address: try EmailAddress("zhang.wei@example.com"), name: "张伟"))
        return (message, message.serialized())
    }

    @Test("CRLF everywhere, ASCII only, body and encoded-word lines ≤ 76, no line over 998")
    func lines() throws {
        let (_, bytes) = try Self.bytes()
        #expect(bytes.allSatisfy { $0 < 0x80 })
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        let head = text[..<text.range(of: "\r\n\r\n")!.lowerBound]
        let body = text[text.range(of: "\r\n\r\n")!.upperBound...]
        for line in head.components(separatedBy: "\r\n") {
            // Only a header holding a URL (List-Unsubscribe) may pass 78; it cannot be folded inside the URL.
            #expect(line.count <= 998)
            if !line.contains("https://") { #expect(line.count <= 76, "\(line)") }
        }
        for line in body.components(separatedBy: "\r\n") { #expect(line.count <= 76, "\(line)") }
    }

    @Test("Exactly one of each core header, no Bcc, one-click unsubscribe")
    func headers() throws {
        let (_, bytes) = try Self.bytes()
        let text = String(decoding: bytes, as: UTF8.self)
        let head = String(text[..<text.range(of: "\r\n\r\n")!.lowerBound])
        let names = head.components(separatedBy: "\r\n").filter { !$0.hasPrefix(" ") }.map { String($0.prefix { $0 != ":" }).lowercased() }
        for name in ["from", "to", "subject", "date", "message-id", "mime-version", "list-id", "list-unsubscribe", "list-unsubscribe-post", "content-type"] {
            #expect(names.filter { $0 == name }.count == 1, "\(name)")
        }
        #expect(!names.contains("bcc"))
        #expect(head.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
        #expect(head.contains("Message-ID: <1.fixed@example.org>"))
        #expect(head.contains("Date: Fri, 02 Feb 2024 08:00:00 +0000"))
    }

    @Test("Python's email package (strict policy) parses it without defects and decodes it back")
    func python() throws {
        let (message, bytes) = try Self.bytes()
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileSystem.writeAtomically(bytes, to: folder + "/m.eml")
        let script = """
            import email, email.policy, json, sys
            data = open(sys.argv[1], 'rb').read()
            msg = email.message_from_bytes(data, policy=email.policy.strict)
            defects = [str(d) for part in msg.walk() for d in part.defects]
            parts = [p for p in msg.walk() if not p.is_multipart()]
            print(json.dumps({
                'defects': defects,
                'type': msg.get_content_type(),
                'subject': str(msg['subject']),
                'to': str(msg['to']),
                'parts': [p.get_content_type() for p in parts],
                'charsets': [p.get_content_charset() for p in parts],
                'text': parts[0].get_content(),
                'html': parts[1].get_content(),
                'unsubscribe': str(msg['list-unsubscribe']),
            }))
            """
        let output = try runPython(script, arguments: [folder + "/m.eml"])
        let result = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect((result["defects"] as? [String]) == [])
        #expect(result["type"] as? String == "multipart/alternative")
        #expect(result["parts"] as? [String] == ["text/plain", "text/html"])
        #expect(result["charsets"] as? [String] == ["utf-8", "utf-8"])
        #expect(result["subject"] as? String == "Daily Digest — 2024-02-02")
        #expect(result["to"] as? String == "张伟 <zhang.wei@example.com>")
        #expect((result["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == message.textBody.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect((result["html"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == message.htmlBody.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect((result["unsubscribe"] as? String)?.contains("<mailto:unsubscribe@example.org?subject=unsubscribe>") == true)
    }
}

/// Runs Debian's /usr/bin/python3 with `script`, failing with the package to install when it is missing.
func runPython(_ script: String, arguments: [String]) throws -> String {
    let python = "/usr/bin/python3"
    guard FileManager.default.isExecutableFile(atPath: python) else {
        Issue.record("\(python) is missing: install Debian's python3 (scripts/install-deps does)")
        return "{}"
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script] + arguments
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let data = stdout.fileHandleForReading.readDataToEndOfFile()
    let errors = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        Issue.record("python failed: \(String(decoding: errors, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}
