import Foundation
import Testing

/// Issue 12: Debian's SpamAssassin (`spamassassin -L -t`, local tests only) scores the digest 0.0 or less, both
/// the example preview and a digest of long Chinese and English articles. Two runs: SpamAssassin takes seconds
/// to start.
struct SpamScoreTests {
    static let spamassassin = "/usr/bin/spamassassin"
    static let environment = ["NEWSLETTER_SECRET": "0123456789abcdef0123456789abcdef"]

    /// The scores of the messages of `mbox` (any order), and SpamAssassin's reports.
    static func scores(_ messages: [String]) throws -> (scores: [Double], report: String) {
        guard FileManager.default.isExecutableFile(atPath: spamassassin) else {
            Issue.record("\(spamassassin) is missing: install the Debian package spamassassin (scripts/install-deps)")
            return ([.infinity], "")
        }
        // One mbox, so that one SpamAssassin start scores every message (mboxrd: ">From " escaped).
        var mbox = ""
        for message in messages {
            let lines = String(decoding: message.utf8.filter { $0 != 0x0D }, as: UTF8.self).components(separatedBy: "\n")
            mbox += "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"
            mbox += lines.map { $0.hasPrefix("From ") || $0.hasPrefix(">From ") ? ">" + $0 : $0 }.joined(separator: "\n") + "\n\n"
        }
        let input = NSTemporaryDirectory() + "newsletter-spam-" + UUID().uuidString + ".mbox"
        try mbox.write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let result = try CLI.runProcess("/bin/sh", ["-c", "exec \(spamassassin) -L -t --mbox < '\(input)'"])
        // CRLF in, CRLF out: "\r\n" is one Character in Swift, so the CRs go before any split on "\n".
        let output = String(decoding: result.stdout.utf8.filter { $0 != 0x0D }, as: UTF8.self)
        var scores: [Double] = []
        for status in output.components(separatedBy: "\nX-Spam-Status: ").dropFirst() {
            let header = status.components(separatedBy: "\n").prefix { !$0.isEmpty }.prefix(4).joined(separator: " ")
            let scoreText = try #require(header.components(separatedBy: "score=").dropFirst().first?.prefix { $0 != " " })
            scores.append(try #require(Double(scoreText)))
        }
        #expect(scores.count == messages.count, "\(result.stderr)")
        let report = output.components(separatedBy: "Content analysis details:").dropFirst().map { $0.prefix(1500) }.joined(separator: "\n---\n")
        return (scores, report)
    }

    func preview(config: String, out: String) throws -> String {
        let result = try CLI.run(["preview", "--config", config, "--now", "2024-02-02T08:00:00Z", "--out", out], environment: Self.environment)
        #expect(result.status == 0, "\(result.stderr)")
        return try String(contentsOfFile: out, encoding: .utf8)
    }

    @Test("The example preview scores 0.0 or less")
    func examplePreview() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let message = try preview(config: "config.example.json", out: folder + "/preview.eml")
        let (scores, report) = try Self.scores([message])
        #expect(scores.allSatisfy { $0 <= 0.0 }, "\(report)")
    }

    /// Long articles made of the examples: each one's body, then the bodies (without their feed footers) of the
    /// others in its language, twice: 10–30 KB each, a real feed footer at the end.
    func writeLongArticles(to folder: String, englishOnly: Bool) throws {
        let root = CLI.repositoryRoot
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/examples/articles").filter { $0.hasSuffix(".txt") }.sorted()
        var files: [(name: String, head: String, body: String, chinese: Bool)] = []
        for name in names {
            let text = try String(contentsOfFile: root + "/examples/articles/" + name, encoding: .utf8)
            let parts = text.components(separatedBy: "\n------\n")
            let chinese = parts[0].unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }
            files.append((name, parts[0], parts.dropFirst().joined(separator: "\n------\n"), chinese))
        }
        func withoutFooter(_ body: String) -> (main: String, footer: String) {
            guard let rule = body.range(of: "<hr", options: .backwards) else { return (body, "") }
            return (String(body[..<rule.lowerBound]), String(body[rule.lowerBound...]))
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in files where !(englishOnly && file.chinese) {
            let others = files.filter { $0.chinese == file.chinese && $0.name != file.name }.map { withoutFooter($0.body).main }
            let own = withoutFooter(file.body)
            let body = ([own.main] + others + others).joined(separator: "\n") + own.footer
            try (file.head + "\n------\n" + body).write(toFile: folder + "/" + file.name, atomically: true, encoding: .utf8)
        }
    }

    /// config.example.json reading `articles`, with absolute paths and the given excerpt length.
    func writeConfig(to path: String, articles: String, excerptLength: Int) throws {
        let root = CLI.repositoryRoot
        let config = try String(contentsOfFile: root + "/config.example.json", encoding: .utf8)
            .replacingOccurrences(of: "\"directory\": \"examples/articles\"", with: "\"directory\": \"\(articles)\"")
            .replacingOccurrences(of: "\"excerptLength\": 300", with: "\"excerptLength\": \(excerptLength)")
            .replacingOccurrences(of: "\"directory\": \"templates\"", with: "\"directory\": \"\(root)/templates\"")
            .replacingOccurrences(of: "\"file\": \"examples/subscribers.json\"", with: "\"file\": \"\(root)/examples/subscribers.json\"")
        try config.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Two digests in one SpamAssassin run: long Chinese and English articles as configured in the example
    /// (300-character excerpts), and long English articles shown whole (code spans, quotes, many links).
    ///
    /// Not scored here, because no markup can avoid it: whole Chinese articles with links or bold text inside
    /// sentences reach HTML_OBFUSCATE_05_10 or _10_20 (0.6 or 0.2), since SpamAssassin counts every tag between
    /// two characters that are not separated by a space as a word split, and Chinese has no spaces.
    @Test("Digests of long Chinese and English articles score 0.0 or less")
    func longArticles() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeLongArticles(to: folder + "/mixed", englishOnly: false)
        try writeLongArticles(to: folder + "/english", englishOnly: true)
        try writeConfig(to: folder + "/mixed.json", articles: folder + "/mixed", excerptLength: 300)
        try writeConfig(to: folder + "/english.json", articles: folder + "/english", excerptLength: 100_000)
        let mixed = try preview(config: folder + "/mixed.json", out: folder + "/mixed.eml")
        let english = try preview(config: folder + "/english.json", out: folder + "/english.eml")
        #expect(english.utf8.count > 35_000, "the English digest is not long: \(english.utf8.count) bytes")
        let (scores, report) = try Self.scores([mixed, english])
        #expect(scores.allSatisfy { $0 <= 0.0 }, "\(report)")
    }
}
