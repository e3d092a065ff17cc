import Foundation
import Testing

/// Whole pages of `newsletter serve`, compared with recorded files in Tests/NewsletterCLITests/Golden: the
/// unsubscribe page (its form token, which is random, replaced by a marker) and an edition's archive page.
/// RECORD_GOLDEN=1 re-records them; a recording run fails so it is never mistaken for a passing one.
@Suite("serve: golden pages")
struct ServePageGoldenTests {
    func compare(_ text: String, golden name: String) throws {
        let path = CLI.repositoryRoot + "/Tests/NewsletterCLITests/Golden/" + name
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            Issue.record("recorded \(path); unset RECORD_GOLDEN and run again")
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        guard text != expected else { return }
        let actualPath = NSTemporaryDirectory() + name + ".actual"
        try text.write(toFile: actualPath, atomically: true, encoding: .utf8)
        let line = zip(text.components(separatedBy: "\n"), expected.components(separatedBy: "\n")).enumerated().first { $1.0 != $1.1 }?.offset ?? 0
        Issue.record("\(name) differs at line \(line + 1); actual page: \(actualPath). If intended, re-record with RECORD_GOLDEN=1 and review the diff.")
    }

    @Test("the unsubscribe page and an archived edition, byte for byte")
    func pages() throws {
        let mailDirectory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: mailDirectory) }
        let smtp = try AiosmtpdServer(directory: mailDirectory)
        let fixture = try WebFixture(smtpPort: smtp.port)
        defer { fixture.remove() }
        let sent = try CLI.run(["send", "--config", fixture.config, "--now", "2024-02-02T08:00:00Z"], environment: ["NEWSLETTER_SECRET": WebFixture.secret])
        #expect(sent.status == 0, "\(sent.stderr)")
        let url = try fixture.unsubscribeURL(for: "alice@example.org")
        let service = try fixture.start()
        defer { service.stop() }

        let page = try HTTPClient.request("GET", url)
        let formToken = try #require(page.inputValue("formToken"))
        try compare(page.body.replacingOccurrences(of: formToken, with: "FORM-TOKEN"), golden: "unsubscribe-page.html")

        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: fixture.state + "/editions").first)
        let edition = try HTTPClient.request("GET", fixture.origin + "/archive/\(id).html")
        #expect(edition.status == 200)
        try compare(edition.body, golden: "archive-edition.html")
    }
}
