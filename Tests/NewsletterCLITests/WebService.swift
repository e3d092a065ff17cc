import Foundation
import Testing

/// `newsletter serve` started for real on a free loopback port for one test, and stopped by its PID.
final class RunningService {
    let process = Process()
    let port: Int
    let log: String
    var origin: String { "http://127.0.0.1:\(port)" }

    /// Starts the service for `config` (which must set `server.publicURL` to `origin` when links matter: pass
    /// the port chosen with `SmtpSink.freePort()`), and waits until /healthz answers, 30 s at most.
    init(config: String, port: Int, secret: String, logFile: String) throws {
        self.port = port
        log = logFile
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["serve", "--config", config, "--listen", "127.0.0.1:\(port)"]
        var env = ProcessInfo.processInfo.environment
        env["NEWSLETTER_SECRET"] = secret
        process.environment = env
        FileManager.default.createFile(atPath: logFile, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logFile)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if !process.isRunning {
                throw TestSetupError("newsletter serve exited: \((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "")")
            }
            if let response = try? HTTPClient.request("GET", origin + "/healthz", timeout: 2), response.status == 200 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop()
        throw TestSetupError("newsletter serve did not answer /healthz within 30 s")
    }

    /// SIGTERM, then SIGKILL after 10 s; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    deinit { stop() }
}

/// HTTP requests through the curl command line (a real client; nothing mocked).
enum HTTPClient {
    struct Response {
        var status: Int
        /// Header names lowercased; the last value of a repeated header wins, but `setCookies` keeps them all.
        var headers: [String: String]
        var setCookies: [String]
        var body: String

        /// The value of a hidden or text input `name` in the body.
        func inputValue(_ name: String) -> String? {
            guard let range = body.range(of: "name=\"\(name)\" value=\"") else { return nil }
            let rest = body[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&amp;", with: "&") }
        }

        /// The `action` of the first form.
        var formAction: String? {
            guard let range = body.range(of: "<form method=\"post\" action=\"") else { return nil }
            let rest = body[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#61;", with: "=") }
        }

        /// `name=value` of the form cookie set by this response, if any.
        var cookie: String? { setCookies.first.map { String($0.prefix { $0 != ";" }) } }
    }

    static func request(
        _ method: String, _ url: String, body: String? = nil, contentType: String? = "application/x-www-form-urlencoded", headers: [String] = [],
        cookie: String? = nil, timeout: Int = 20
    ) throws -> Response {
        var arguments = ["-sS", "-i", "--max-time", String(timeout), "-X", method]
        if let body {
            arguments += ["--data-binary", body]
            if let contentType { arguments += ["-H", "Content-Type: \(contentType)"] }
        }
        for header in headers { arguments += ["-H", header] }
        if let cookie { arguments += ["-H", "Cookie: \(cookie)"] }
        arguments.append(url)
        let result = try CLI.runProcess("/usr/bin/curl", arguments)
        guard result.status == 0 else { throw TestSetupError("curl \(method) \(url) failed: \(result.stderr)") }
        let text = result.stdout
        guard let split = text.range(of: "\r\n\r\n") else { throw TestSetupError("no HTTP header in: \(text.prefix(200))") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        var cookies: [String] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[name] = value
            if name == "set-cookie" { cookies.append(value) }
        }
        return Response(status: status, headers: fields, setCookies: cookies, body: String(text[split.upperBound...]))
    }
}

/// A project folder for one web test: configuration (with `server.publicURL` on a free port), list, state.
struct WebFixture {
    static let secret = "web-test-secret-0123456789abcdef"
    let directory: String
    let port: Int
    var config: String { directory + "/config.json" }
    var list: String { directory + "/subscribers.json" }
    var state: String { directory + "/state" }
    var origin: String { "http://127.0.0.1:\(port)" }

    init(smtpPort: Int? = nil, extraServer: String = "", listText: String? = nil) throws {
        directory = try CLI.temporaryDirectory()
        port = try SmtpSink.freePort()
        let root = CLI.repositoryRoot
        try (listText ?? """
            [
              { "email": "alice@example.org", "name": "Alice Martin" },
              { "email": "bob@example.net" },
              { "email": "carol@example.net", "name": "Carol", "subscribed": false }
            ]

            """).write(toFile: list, atomically: true, encoding: .utf8)
        let smtp = smtpPort.map { ", \"smtp\": {\"url\": \"smtp://127.0.0.1:\($0)\", \"security\": \"none\", \"timeoutSeconds\": 10, \"retries\": 0}" } ?? ""
        let config = """
            {
              "newsletter": {
                "title": "Daily Digest",
                "from": "Daily Digest <digest@example.org>",
                "subject": "{{title}} — {{date}}",
                "timeZone": "UTC"
              },
              "articles": {"directory": "\(root)/examples/articles", "window": "24h"},
              "templates": {"directory": "\(root)/templates"},
              "subscribers": {"file": "subscribers.json"},
              "server": {"publicURL": "http://127.0.0.1:\(port)"\(extraServer)},
              "state": {"directory": "state"}\(smtp)
            }
            """
        try config.write(toFile: self.config, atomically: true, encoding: .utf8)
    }

    func start() throws -> RunningService {
        try RunningService(config: config, port: port, secret: WebFixture.secret, logFile: directory + "/serve.log")
    }

    func listText() -> String { (try? String(contentsOfFile: list, encoding: .utf8)) ?? "" }

    func suppressions() -> String { (try? String(contentsOfFile: state + "/suppressions.tsv", encoding: .utf8)) ?? "" }

    /// The unsubscribe URL of `email`'s message, as `newsletter preview` writes it.
    func unsubscribeURL(for email: String) throws -> String {
        let out = directory + "/preview-\(email).txt"
        let result = try CLI.run(
            ["preview", "--config", config, "--now", "2024-02-02T08:00:00Z", "--to", email, "--out", directory + "/preview.eml", "--text", out],
            environment: ["NEWSLETTER_SECRET": WebFixture.secret])
        guard result.status == 0 else { throw TestSetupError("preview failed: \(result.stderr)") }
        let text = try String(contentsOfFile: out, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Unsubscribe with one click: ") }) else {
            throw TestSetupError("no unsubscribe link in the preview")
        }
        return String(line.dropFirst("Unsubscribe with one click: ".count))
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
