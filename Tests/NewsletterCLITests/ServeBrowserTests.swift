import Foundation
import Testing

/// The service in a real browser: headless Chromium through Selenium (Tests/Support/browser_test.py), as a person
/// uses it. Screenshots go to `$NEWSLETTER_SCREENSHOTS` when set (to look at), or a temporary folder.
@Suite("serve: browser")
struct ServeBrowserTests {
    @Test("unsubscribe from a message's link, then sign up, confirm from the mail, and find both in the list")
    func browser() throws {
        for (path, package) in [("/usr/bin/chromium", "chromium"), ("/usr/bin/chromedriver", "chromium-driver")] {
            try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) is missing: install Debian's \(package) (scripts/install-deps does)")
        }
        let mailDirectory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: mailDirectory) }
        let smtp = try AiosmtpdServer(directory: mailDirectory)
        let fixture = try WebFixture(smtpPort: smtp.port)
        defer { fixture.remove() }
        // An edition for the archive pages.
        let sent = try CLI.run(["send", "--config", fixture.config, "--now", "2024-02-02T08:00:00Z"], environment: ["NEWSLETTER_SECRET": WebFixture.secret])
        #expect(sent.status == 0, "\(sent.stderr)")
        let url = try fixture.unsubscribeURL(for: "bob@example.net")
        let service = try fixture.start()
        defer { service.stop() }

        let screenshots = ProcessInfo.processInfo.environment["NEWSLETTER_SCREENSHOTS"] ?? fixture.directory + "/screenshots"
        let result = try runBounded(
            "/usr/bin/python3",
            [
                CLI.repositoryRoot + "/Tests/Support/browser_test.py", "--origin", fixture.origin, "--unsubscribe-url", url, "--address",
                "bob@example.net", "--list", fixture.list, "--mail-dir", mailDirectory, "--screenshots", screenshots,
            ], seconds: 180)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasSuffix("OK\n"), "\(result.output)")
    }

    /// Runs a process with a time bound: killed (by its PID) when it runs longer.
    func runBounded(_ executable: String, _ arguments: [String], seconds: Double) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = NSTemporaryDirectory() + "browser-" + UUID().uuidString + ".log"
        FileManager.default.createFile(atPath: output, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: output) }
        let handle = try #require(FileHandle(forWritingAtPath: output))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}
