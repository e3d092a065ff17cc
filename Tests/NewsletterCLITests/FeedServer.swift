import Foundation
import Testing

/// A real HTTP server on loopback for one test: Python's http.server (Tests/Support/feed_server.py) serving the
/// feed fixtures and the failures a feed reader meets. Bounded in time (it stops by itself after `lifetime`
/// seconds), and stopped by its PID when the test ends.
final class FeedServer {
    let process = Process()
    let stdin = Pipe()
    let directory: String
    let port: Int
    let scheme: String

    /// The feed fixtures of the core tests.
    static var fixtures: String { CLI.repositoryRoot + "/Tests/NewsletterCoreTests/Fixtures/feeds" }

    init(directory: String, feeds: String = FeedServer.fixtures, tls: (cert: String, key: String)? = nil, httpPort: Int = 0, lifetime: Int = 300) throws {
        self.directory = directory
        scheme = tls == nil ? "http" : "https"
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestSetupError("\(python) is missing: install Debian's python3 (scripts/install-deps does)")
        }
        process.executableURL = URL(fileURLWithPath: python)
        var arguments = [CLI.repositoryRoot + "/Tests/Support/feed_server.py", "--dir", directory, "--feeds", feeds, "--lifetime", "\(lifetime)"]
        if let tls { arguments += ["--tls-cert", tls.cert, "--tls-key", tls.key, "--http-port", "\(httpPort)"] }
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        process.standardInput = stdin
        try process.run()
        let line = AiosmtpdServer.readLine(stdout.fileHandleForReading)
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestSetupError("the feed test server did not start: \(line)")
        }
        self.port = port
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    /// The URL of `path` on this server.
    func url(_ path: String) -> String {
        "\(scheme)://127.0.0.1:\(port)\(path)"
    }

    /// The most requests the server was answering at the same time.
    func maxConcurrent() -> Int {
        Int((try? String(contentsOfFile: directory + "/max-concurrent", encoding: .utf8)) ?? "") ?? 0
    }

    /// The requests served so far: path, User-Agent, Accept-Encoding, If-None-Match, If-Modified-Since, status, gzip.
    func requests() -> [(path: String, userAgent: String, acceptEncoding: String, ifNoneMatch: String, ifModifiedSince: String, status: Int, gzip: Bool)] {
        guard let text = try? String(contentsOfFile: directory + "/requests.tsv", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return (f[1], f[2], f[3], f[4], f[5], Int(f[6]) ?? 0, f[7] == "gzip")
        }
    }
}

/// A project folder for one feed test: a configuration with the given sources, a list and a state folder.
struct FeedFixture {
    let directory: String
    var config: String { directory + "/config.json" }
    var state: String { directory + "/state" }

    /// `sources` is the JSON of the `sources` array; `feeds` the JSON of the `feeds` object.
    init(sources: String, feeds: String = "{}", articles: Bool = false, smtp: String? = nil) throws {
        directory = try CLI.temporaryDirectory()
        try "[\n  { \"email\": \"reader@example.com\", \"name\": \"Reader\" }\n]\n".write(toFile: directory + "/subscribers.json", atomically: true, encoding: .utf8)
        let root = CLI.repositoryRoot
        let config = """
            {
              "newsletter": {
                "title": "Daily Digest",
                "from": "Daily Digest <digest@example.org>",
                "subject": "{{title}} — {{date}}",
                "unsubscribeURL": "https://example.org/unsubscribe?token={{token}}",
                "timeZone": "UTC"
              },
              "articles": {\(articles ? "\"directory\": \"\(root)/examples/articles\", " : "")"window": "24h"},
              "sources": \(sources),
              "feeds": \(feeds),
              "templates": {"directory": "\(root)/templates"},
              "subscribers": {"file": "subscribers.json"},
              \(smtp.map { "\"smtp\": \($0)," } ?? "")
              "state": {"directory": "state"}
            }
            """
        try config.write(toFile: self.config, atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
