import Foundation
import Testing

/// A real SMTP server on loopback for one test: aiosmtpd (Tests/Support/smtp_server.py) with optional
/// STARTTLS, AUTH and injected faults. Stopped when the test ends.
final class AiosmtpdServer {
    let process = Process()
    let stdin = Pipe()
    let directory: String
    let port: Int

    init(directory: String, arguments: [String] = []) throws {
        self.directory = directory
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestSetupError("\(python) is missing: install Debian's python3-aiosmtpd (scripts/install-deps does)")
        }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [CLI.repositoryRoot + "/Tests/Support/smtp_server.py", "--dir", directory] + arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        let line = AiosmtpdServer.readLine(stdout.fileHandleForReading)
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
            let errors = String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self)
            process.terminate()
            throw TestSetupError("the aiosmtpd test server did not start (is python3-aiosmtpd installed?): \(line) \(errors)")
        }
        self.port = port
    }

    static func readLine(_ handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        while true {
            let data = handle.readData(ofLength: 1)
            guard let byte = data.first, byte != 0x0A else { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    /// Recipients of the messages received so far, with how many each got.
    func receivedCounts() -> [String: Int] {
        Dictionary(received().map { ($0.recipient.lowercased(), 1) }, uniquingKeysWith: +)
    }

    /// When each message was accepted (Unix time, at the end of its data), in order.
    func receivedTimes() -> [Double] {
        guard let text = try? String(contentsOfFile: directory + "/received.tsv", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return fields.count > 5 ? Double(fields[5]) : nil
        }
    }

    func received() -> [(recipient: String, messageID: String, file: String, mailFrom: String, connection: String)] {
        guard let text = try? String(contentsOfFile: directory + "/received.tsv", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            func field(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
            return (field(0), field(1), field(2), field(3), field(4))
        }
    }
}

/// Postfix's smtp-sink on loopback, dumping every transaction into one file, for volume tests.
final class SmtpSink {
    let process = Process()
    let port: Int
    let dump: String

    init(directory: String) throws {
        let binary = "/usr/sbin/smtp-sink"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSetupError("\(binary) is missing: install Debian's postfix (scripts/install-deps does)")
        }
        port = try SmtpSink.freePort()
        dump = directory + "/dump"
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-u", "nobody", "-D", dump, "127.0.0.1:\(port)", "1000"]
        try? FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it accepts connections.
        for _ in 0..<100 {
            if SmtpSink.canConnect(port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestSetupError("smtp-sink did not start on port \(port)")
    }

    deinit {
        // smtp-sink ignores SIGTERM once it has dropped to the unprivileged user.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Recipients in the dump, with how many messages each got (smtp-sink writes an X-Rcpt-Args line per RCPT).
    func receivedCounts() -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: dump) else { return [:] }
        var counts: [String: Int] = [:]
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("X-Rcpt-Args: ") {
            let address = line.dropFirst("X-Rcpt-Args: ".count).trimmingCharacters(in: CharacterSet(charactersIn: "<> \r")).lowercased()
            counts[address, default: 0] += 1
        }
        return counts
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestSetupError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A self-signed certificate for localhost and 127.0.0.1, made with openssl for one test.
func makeCertificate(in directory: String) throws -> (cert: String, key: String) {
    let cert = directory + "/cert.pem"
    let key = directory + "/key.pem"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestSetupError("openssl could not make a test certificate") }
    return (cert, key)
}

/// A project folder for one send test: a configuration, a subscriber list and a state folder.
struct SendFixture {
    let directory: String
    var config: String { directory + "/config.json" }
    var state: String { directory + "/state" }
    var subscribers: String { directory + "/subscribers.json" }
    static let secret = "send-test-secret-0123456789abcdef"

    init(subscribers count: Int, smtp: String, maxArticles: Int = 20) throws {
        directory = try CLI.temporaryDirectory()
        let list = "[\n" + (1...max(count, 1)).prefix(count).map { "  { \"email\": \"user\($0)@example.com\", \"name\": \"User \($0)\" }" }.joined(separator: ",\n") + "\n]\n"
        try (count == 0 ? "[]\n" : list).write(toFile: subscribers, atomically: true, encoding: .utf8)
        let root = CLI.repositoryRoot
        let config = """
            {
              "newsletter": {
                "title": "Daily Digest",
                "from": "Daily Digest <digest@example.org>",
                "subject": "{{title}} — {{date}}",
                "unsubscribeURL": "https://example.org/unsubscribe?token={{token}}",
                "unsubscribeMailto": "unsubscribe@example.org",
                "timeZone": "UTC"
              },
              "articles": {"directory": "\(root)/examples/articles", "window": "24h", "maxArticles": \(maxArticles)},
              "templates": {"directory": "\(root)/templates"},
              "subscribers": {"file": "subscribers.json"},
              "smtp": \(smtp),
              "state": {"directory": "state"}
            }
            """
        try config.write(toFile: self.config, atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `newsletter send` with the fixed clock of the examples.
    @discardableResult
    func send(_ extra: [String] = [], environment: [String: String] = [:]) throws -> CLI.Result {
        var env = ["NEWSLETTER_SECRET": SendFixture.secret]
        for (key, value) in environment { env[key] = value }
        return try CLI.run(["send", "--config", config, "--now", "2024-02-02T08:00:00Z"] + extra, environment: env)
    }

    /// Starts `newsletter send` in the background.
    /// Starts a send in the background; its stdout goes to `output` when given.
    func start(_ extra: [String] = [], output: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["send", "--config", config, "--now", "2024-02-02T08:00:00Z", "--quiet"] + extra
        var env = ProcessInfo.processInfo.environment
        env["NEWSLETTER_SECRET"] = SendFixture.secret
        process.environment = env
        if let output, FileManager.default.createFile(atPath: output, contents: nil), let handle = FileHandle(forWritingAtPath: output) {
            process.standardOutput = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Lines of the current edition's journal.
    func journal() -> [String] {
        let editions = (try? FileManager.default.contentsOfDirectory(atPath: state + "/editions")) ?? []
        return editions.flatMap { id -> [String] in
            let text = (try? String(contentsOfFile: state + "/editions/\(id)/journal.tsv", encoding: .utf8)) ?? ""
            // A run that is still writing (or was killed) keeps zeros ahead of its lines.
            return text.prefix { $0 != "\0" }.split(separator: "\n").map(String.init)
        }
    }
}
