import Foundation
import Testing

/// `newsletter send` against real SMTP servers on loopback that each test starts: aiosmtpd for content,
/// STARTTLS, AUTH and injected faults; Postfix's smtp-sink for volume. No mock server.
@Suite(.serialized)
struct SendCommandTests {
    static func plain(_ port: Int, _ extra: String = "") -> String {
        "{\"url\": \"smtp://127.0.0.1:\(port)\", \"security\": \"none\", \"retryDelaySeconds\": 0.05, \"timeoutSeconds\": 10\(extra)}"
    }

    @Test("Over STARTTLS with AUTH, each subscriber gets one correct message; a second run sends nothing")
    func starttlsAuth() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (cert, key) = try makeCertificate(in: folder)
        let server = try AiosmtpdServer(directory: folder + "/server", arguments: ["--tls-cert", cert, "--tls-key", key, "--auth", "digest:s3cret"])
        let fixture = try SendFixture(subscribers: 5, smtp: """
            {"url": "smtp://localhost:\(server.port)", "security": "starttls", "caFile": "\(cert)", "username": "digest",
             "passwordEnv": "SMTP_PASSWORD", "envelopeFrom": "bounces@example.org", "connections": 2}
            """)
        defer { fixture.remove() }
        let result = try fixture.send(environment: ["SMTP_PASSWORD": "s3cret"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sent 5, failed 0, pending 0"))
        #expect(server.receivedCounts() == Dictionary(uniqueKeysWithValues: (1...5).map { ("user\($0)@example.com", 1) }))
        let received = server.received()
        #expect(received.allSatisfy { $0.mailFrom == "bounces@example.org" })
        // Each message is addressed to its recipient only, with the headers the bar asks for.
        for item in received {
            let text = try String(contentsOfFile: folder + "/server/" + item.file, encoding: .utf8)
            #expect(text.contains("\r\nTo: User \(item.recipient.dropFirst(4).prefix { $0 != "@" }) <\(item.recipient)>\r\n"))
            #expect(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
            #expect(!text.lowercased().contains("\nbcc:"))
        }
        #expect(fixture.journal().count == 5)
        let again = try fixture.send(environment: ["SMTP_PASSWORD": "s3cret"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("No new article since the last edition"))
        #expect(server.received().count == 5)
    }

    @Test("--verbose shows the SMTP dialogue with the AUTH exchange redacted")
    func verboseRedactsCredentials() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (cert, key) = try makeCertificate(in: folder)
        let server = try AiosmtpdServer(directory: folder + "/server", arguments: ["--tls-cert", cert, "--tls-key", key, "--auth", "digest:s3cret"])
        let fixture = try SendFixture(subscribers: 2, smtp: """
            {"url": "smtp://localhost:\(server.port)", "caFile": "\(cert)", "username": "digest", "passwordEnv": "SMTP_PASSWORD", "connections": 1}
            """)
        defer { fixture.remove() }
        let result = try fixture.send(["--verbose"], environment: ["SMTP_PASSWORD": "s3cret"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("curl[1]: > RCPT TO:<user1@example.com>"))
        #expect(result.stderr.contains("[redacted]"))
        let plain = Data("\u{0}digest\u{0}s3cret".utf8).base64EncodedString()
        for secret in ["s3cret", plain, Data("s3cret".utf8).base64EncodedString(), Data("digest".utf8).base64EncodedString()] {
            #expect(!result.stderr.contains(secret), "\(secret) leaked")
        }
    }

    @Test("--verbose numbers each connection's lines, so that each dialogue reads in order")
    func verboseNumbersConnections() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--no-store"])
        let fixture = try SendFixture(subscribers: 8, smtp: Self.plain(server.port, ", \"connections\": 2"))
        defer { fixture.remove() }
        let result = try fixture.send(["--verbose"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        for tag in ["curl[1]: ", "curl[2]: "] {
            // One connection's commands, in the order it sent them: MAIL, RCPT, DATA for each of its messages.
            let commands = lines.filter { $0.hasPrefix(tag + "> ") }.map { $0.dropFirst(tag.count + 2).prefix(4) }.filter { ["MAIL", "RCPT", "DATA"].contains($0) }
            #expect(!commands.isEmpty, "no line for \(tag)")
            #expect(commands.count % 3 == 0)
            #expect(stride(from: 0, to: commands.count, by: 3).allSatisfy { Array(commands[$0..<$0 + 3]) == ["MAIL", "RCPT", "DATA"] }, "\(commands)")
        }
        #expect(!lines.contains { $0.hasPrefix("curl: ") || $0.hasPrefix("curl[0]") || $0.hasPrefix("curl[3]") })
    }

    @Test("Off a terminal, a short run prints one progress line on stderr, at its end; --quiet prints none")
    func progressLines() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--no-store", "--reject", "user3@example.com"])
        let fixture = try SendFixture(subscribers: 5, smtp: Self.plain(server.port, ", \"connections\": 2"))
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 0, "\(result.stderr)")
        let progress = result.stderr.split(separator: "\n").filter { $0.hasPrefix("progress: ") }
        #expect(progress.count == 1, "\(result.stderr)")
        #expect(progress.first?.hasPrefix("progress: 5/5, ") == true)
        #expect(progress.first?.hasSuffix(" s left (sent 4, failed 1)") == true, "\(progress)")
        let quiet = try SendFixture(subscribers: 2, smtp: Self.plain(server.port))
        defer { quiet.remove() }
        let silent = try quiet.send(["--quiet"])
        #expect(silent.status == 0, "\(silent.stderr)")
        #expect(!silent.stderr.contains("progress"))
    }

    @Test("smtp.messagesPerConnection bounds the messages each connection carries")
    func messagesPerConnection() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--no-store"])
        let fixture = try SendFixture(subscribers: 20, smtp: Self.plain(server.port, ", \"connections\": 2, \"messagesPerConnection\": 3"))
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 0, "\(result.stderr)")
        let perConnection = Dictionary(server.received().map { ($0.connection, 1) }, uniquingKeysWith: +)
        #expect(perConnection.values.reduce(0, +) == 20)
        #expect(perConnection.values.allSatisfy { $0 <= 3 }, "\(perConnection.values.sorted())")
        #expect(perConnection.count >= 7)
    }

    @Test("A server that refuses the session (554 to EHLO) stops the run; nobody is marked failed")
    func refusedSession() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--refuse-session"])
        let fixture = try SendFixture(subscribers: 30, smtp: Self.plain(server.port))
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("error: cannot connect to"), "\(result.stderr)")
        #expect(fixture.journal().isEmpty)
        #expect(server.received().isEmpty)
    }

    @Test("A stop error while another message is in flight lets that message finish and records it")
    func fatalWithMessageInFlight() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The first message is held for a second at DATA; meanwhile the second connection's MAIL is refused.
        let server = try AiosmtpdServer(directory: folder, arguments: ["--no-store", "--delay", "1", "--reject-mail-number", "2"])
        let fixture = try SendFixture(subscribers: 6, smtp: Self.plain(server.port, ", \"connections\": 2"))
        defer { fixture.remove() }
        let first = try fixture.send()
        #expect(first.status == 1)
        #expect(first.stderr.contains("refused the envelope sender"), "\(first.stderr)")
        let recorded = fixture.journal()
        #expect(recorded.count == server.received().count, "journal \(recorded.count), server \(server.received().count)")
        let second = try fixture.send()
        #expect(second.status == 0, "\(second.stderr)")
        let counts = server.receivedCounts()
        #expect(counts.count == 6)
        #expect(counts.values.allSatisfy { $0 == 1 }, "\(counts)")
    }

    @Test("While one connection waits for a slow reply to its end of data, the other connections go on delivering")
    func slowReplyHoldsUpOnlyItsConnection() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The server takes 3 seconds to accept user1's message; the other 11 need a few milliseconds each.
        let server = try AiosmtpdServer(directory: folder, arguments: ["--no-store", "--slow", "user1@example.com=3"])
        let fixture = try SendFixture(subscribers: 12, smtp: Self.plain(server.port, ", \"connections\": 3"))
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 0, "\(result.stderr)")
        // received.tsv is written in the order the server accepted the messages: user1's comes last, after every
        // message the two other connections carried meanwhile.
        let order = server.received().map(\.recipient)
        #expect(order.count == 12)
        #expect(order.last == "user1@example.com", "\(order)")
        #expect(Set(order) == Set((1...12).map { "user\($0)@example.com" }))
    }

    @Test("A recipient still failing after state.pendingExpiry is recorded as failed, and the next edition is free to go")
    func pendingExpiry() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--no-store", "--tempfail", "user2@example.com"])
        let fixture = try SendFixture(subscribers: 3, smtp: Self.plain(server.port, ", \"retries\": 1"))
        defer { fixture.remove() }
        let first = try fixture.send()
        #expect(first.status == 75)
        #expect(first.stdout.contains("sent 2, failed 0, pending 1"))
        // The next day, past the 24 h expiry: one last try, then recorded as failed; no new article, so nothing else.
        let env = ["NEWSLETTER_SECRET": SendFixture.secret]
        let second = try CLI.run(["send", "--config", fixture.config, "--now", "2024-02-03T09:00:00Z"], environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("(resumed)"))
        #expect(second.stdout.contains("No new article since the last edition"))
        #expect(second.stderr.contains("user2@example.com: failed permanently: expired: still failing 24 h after the edition started"))
        #expect(fixture.journal().filter { $0.hasPrefix("failed\tuser2@example.com\t") }.count == 1)
        #expect(server.receivedCounts() == ["user1@example.com": 1, "user3@example.com": 1])
    }

    @Test("smtp.messagesPerSecond limits the pace of a run")
    func rateLimit() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--no-store"])
        let fixture = try SendFixture(subscribers: 12, smtp: Self.plain(server.port, ", \"messagesPerSecond\": 10"))
        defer { fixture.remove() }
        let start = Date()
        let result = try fixture.send()
        #expect(result.status == 0)
        // 12 messages at 10 per second cannot all start before 1.1 s have passed.
        #expect(Date().timeIntervalSince(start) >= 1.0)
        #expect(server.receivedCounts().count == 12)
    }

    @Test("A server answering 451 to the first RCPTs still gets every message exactly once")
    func temporaryFailures() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--tempfail-first", "6", "--no-store"])
        let fixture = try SendFixture(subscribers: 20, smtp: Self.plain(server.port))
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sent 20, failed 0, pending 0, retried 6"))
        let counts = server.receivedCounts()
        #expect(counts.count == 20 && counts.values.allSatisfy { $0 == 1 })
    }

    @Test("A 550 for one address is reported and recorded; everyone else is delivered")
    func permanentFailure() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--reject", "user3@example.com", "--no-store"])
        let fixture = try SendFixture(subscribers: 10, smtp: Self.plain(server.port))
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: user3@example.com: failed permanently: RCPT failed: 550"))
        #expect(result.stdout.contains("sent 9, failed 1, pending 0"))
        #expect(server.receivedCounts().count == 9)
        #expect(fixture.journal().filter { $0.hasPrefix("failed\tuser3@example.com\t") }.count == 1)
    }

    @Test("A server that drops the connection every 50 messages still gets every message exactly once")
    func droppedConnections() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--drop-every", "50", "--no-store"])
        let fixture = try SendFixture(subscribers: 400, smtp: Self.plain(server.port, ", \"connections\": 2, \"messagesPerConnection\": 1000"))
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 0, "\(result.stderr)")
        let counts = server.receivedCounts()
        #expect(counts.count == 400)
        #expect(counts.values.allSatisfy { $0 == 1 })
    }

    @Test("A send killed with SIGKILL and run again leaves everyone one message, repeating at most one per connection")
    func killNine() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--delay", "0.01", "--no-store"])
        let fixture = try SendFixture(subscribers: 300, smtp: Self.plain(server.port, ", \"connections\": 2"))
        defer { fixture.remove() }
        let first = try fixture.start()
        // Kill it mid-run, once some messages have been recorded.
        for _ in 0..<200 where fixture.journal().count < 50 { Thread.sleep(forTimeInterval: 0.05) }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let before = fixture.journal().count
        #expect(before > 0 && before < 300, "journal had \(before) lines when killed")
        let second = try fixture.send(["--resume-only"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("(resumed)"))
        let third = try fixture.send(["--resume-only"])
        #expect(third.stdout.contains("No unfinished edition; nothing sent."))
        let counts = server.receivedCounts()
        #expect(counts.count == 300)
        let repeats = counts.values.reduce(0) { $0 + $1 - 1 }
        #expect(repeats <= 2, "\(repeats) messages were repeated")
        // A repeat carries the same Message-ID: it is the edition's and the recipient's, not the attempt's.
        let ids = Dictionary(server.received().map { ($0.recipient, Set([$0.messageID])) }, uniquingKeysWith: { $0.union($1) })
        #expect(ids.values.allSatisfy { $0.count == 1 }, "\(ids.filter { $0.value.count > 1 })")
    }

    @Test("SIGTERM finishes the messages in flight, exits 75, and the next run completes with no repeat")
    func sigterm() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder, arguments: ["--delay", "0.01", "--no-store"])
        let fixture = try SendFixture(subscribers: 200, smtp: Self.plain(server.port, ", \"connections\": 2"))
        defer { fixture.remove() }
        let first = try fixture.start(output: folder + "/first.out")
        for _ in 0..<200 where fixture.journal().count < 30 { Thread.sleep(forTimeInterval: 0.05) }
        kill(first.processIdentifier, SIGTERM)
        first.waitUntilExit()
        #expect(first.terminationStatus == 75)
        #expect(fixture.journal().count < 200)
        // The summary accounts for everyone: those never tried are pending, not forgotten.
        let summary = try String(contentsOfFile: folder + "/first.out", encoding: .utf8)
        let counts = try #require(summary.firstMatch(of: /sent (\d+), failed (\d+), pending (\d+)/), "\(summary)")
        #expect(Int(counts.1)! + Int(counts.2)! + Int(counts.3)! == 200, "\(summary)")
        #expect(Int(counts.1)! == fixture.journal().count)
        // Someone not yet served unsubscribes before the resume: they get nothing.
        let served = Set(fixture.journal().map { $0.split(separator: "\t")[1] })
        let leaving = try #require((1...200).map { "user\($0)@example.com" }.first { !served.contains(Substring($0)) })
        let unsubscribe = try CLI.run(["subscribers", "unsubscribe", leaving, "--file", fixture.subscribers])
        #expect(unsubscribe.status == 0)
        let second = try fixture.send()
        #expect(second.status == 0, "\(second.stderr)")
        let received = server.receivedCounts()
        #expect(received.count == 199)
        #expect(received[leaving] == nil)
        #expect(received.values.allSatisfy { $0 == 1 })
    }

    @Test("A second send while one is running exits 75 naming the lock")
    func overlap() throws {
        let fixture = try SendFixture(subscribers: 1, smtp: Self.plain(1))
        defer { fixture.remove() }
        try FileManager.default.createDirectory(atPath: fixture.state, withIntermediateDirectories: true)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [fixture.state + "/send.lock", "sleep", "10"]
        try holder.run()
        defer { holder.terminate() }
        Thread.sleep(forTimeInterval: 0.3)
        let result = try fixture.send()
        #expect(result.status == 75)
        #expect(result.stderr.contains("state/send.lock is locked by another run"))
    }

    @Test("An untrusted certificate stops the run with a clear error and sends nothing")
    func untrustedCertificate() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (cert, key) = try makeCertificate(in: folder)
        let server = try AiosmtpdServer(directory: folder + "/server", arguments: ["--tls-cert", cert, "--tls-key", key])
        let fixture = try SendFixture(subscribers: 3, smtp: "{\"url\": \"smtp://localhost:\(server.port)\", \"security\": \"starttls\", \"timeoutSeconds\": 10}")
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: TLS with smtp://localhost:\(server.port) failed"), "\(result.stderr)")
        #expect(server.received().isEmpty)
        #expect(fixture.journal().isEmpty)
    }

    @Test("A wrong password stops the run with a clear error and sends nothing")
    func wrongPassword() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (cert, key) = try makeCertificate(in: folder)
        let server = try AiosmtpdServer(directory: folder + "/server", arguments: ["--tls-cert", cert, "--tls-key", key, "--auth", "digest:s3cret"])
        let fixture = try SendFixture(subscribers: 3, smtp: """
            {"url": "smtp://localhost:\(server.port)", "caFile": "\(cert)", "username": "digest", "passwordEnv": "SMTP_PASSWORD", "timeoutSeconds": 10}
            """)
        defer { fixture.remove() }
        let result = try fixture.send(environment: ["SMTP_PASSWORD": "wrong"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("refused the login"), "\(result.stderr)")
        #expect(!result.stderr.contains("wrong"))
        #expect(server.received().isEmpty)
    }

    @Test("A server without STARTTLS stops the run when STARTTLS is required")
    func noStarttls() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try AiosmtpdServer(directory: folder)
        let fixture = try SendFixture(subscribers: 3, smtp: "{\"url\": \"smtp://127.0.0.1:\(server.port)\", \"security\": \"starttls\", \"timeoutSeconds\": 10}")
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 1)
        #expect(result.stderr.contains("STARTTLS"), "\(result.stderr)")
        #expect(server.received().isEmpty)
    }

    @Test("A malformed smtp.url is refused at load with exit 65 naming the key; a password in it is never printed")
    func malformedURL() throws {
        for url in ["smtp://127.0.0.1:2527/%0d%0a", "smtp://digest:s3cret@127.0.0.1:2527"] {
            let fixture = try SendFixture(subscribers: 2, smtp: "{\"url\": \"\(url)\", \"security\": \"none\"}")
            defer { fixture.remove() }
            let result = try fixture.send()
            #expect(result.status == 65, "\(result.stderr)")
            #expect(result.stderr.contains("`smtp.url`"), "\(result.stderr)")
            #expect(!result.stderr.contains("s3cret"), "\(result.stderr)")
            #expect(fixture.journal().isEmpty)
        }
    }

    @Test("security \"none\" is refused for a host that is not loopback")
    func noneOnlyForLoopback() throws {
        let fixture = try SendFixture(subscribers: 1, smtp: "{\"url\": \"smtp://mail.example.org:25\", \"security\": \"none\"}")
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 65)
        #expect(result.stderr.contains("`smtp.security`: \"none\" sends mail and passwords in clear text and is allowed only for a loopback host"))
    }

    @Test("--dry-run writes one .eml per subscriber, contacts no server and changes no state")
    func dryRun() throws {
        let fixture = try SendFixture(subscribers: 3, smtp: Self.plain(1))
        defer { fixture.remove() }
        let result = try fixture.send(["--dry-run", fixture.directory + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.directory + "/out").sorted()
        #expect(files == ["000001-user1@example.com.eml", "000002-user2@example.com.eml", "000003-user3@example.com.eml"])
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/editions"))
    }

    @Test("Every active subscriber of a 10,000-entry list receives exactly one message (smtp-sink)")
    func tenThousand() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sink = try SmtpSink(directory: folder)
        let fixture = try SendFixture(subscribers: 10_000, smtp: Self.plain(sink.port), maxArticles: 1)
        defer { fixture.remove() }
        let result = try fixture.send(["--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let counts = sink.receivedCounts()
        #expect(counts.count == 10_000)
        #expect(counts.values.allSatisfy { $0 == 1 })
    }
}
