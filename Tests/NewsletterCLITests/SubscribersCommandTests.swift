import Foundation
import Testing

struct SubscribersCommandTests {
    static var fixtures: String { CLI.repositoryRoot + "/Tests/NewsletterCoreTests/Fixtures/subscribers" }

    @Test("check prints one line per mistake and a summary; exit 0 when entries were only skipped")
    func checkMistakes() throws {
        let result = try CLI.run(["subscribers", "check", "--file", Self.fixtures + "/mistakes.json"])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 10)
        #expect(lines.filter { $0.hasPrefix("warning: ") }.count == 8)
        #expect(lines.filter { $0.hasPrefix("notice: ") }.count == 2)
        #expect(result.stdout.hasSuffix("mistakes.json: 2 active, 1 unsubscribed, 8 skipped, 2 duplicates (of 13 entries)\n"))
    }

    @Test("check names an entry too large to read (skipped) and a name too long to keep (dropped)")
    func checkBounds() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/s.json"
        let list = "[{\"email\": \"a@example.com\", \"name\": \"\(String(repeating: "A", count: 300))\"},\n"
            + " {\"email\": \"b@example.com\", \"name\": \"\(String(repeating: "B", count: 20_000))\"}]\n"
        try list.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CLI.run(["subscribers", "check", "--file", file])
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: \(file): entry 1 ('a@example.com'): the name is longer than 200 characters; sent without a name"), "\(result.stderr)")
        #expect(result.stderr.contains("warning: \(file): entry 2 ('b@example.com'): skipped: the entry is 20038 bytes, more than the 16 KiB"), "\(result.stderr)")
        #expect(result.stdout.hasSuffix("s.json: 1 active, 0 unsubscribed, 1 skipped, 0 duplicates (of 2 entries)\n"), "\(result.stdout)")
        #expect(result.stderr.count < 1000)
    }

    @Test("Terminal escapes in a file name and in list values are quoted, never written raw")
    func escapesQuoted() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/s\u{1b}[2J.json"
        try "[{\"email\": \"a\\u001b]0;pwned\\u0007@example.com\"}, {\"email\": \"b@example.com\", \"subscribed\": \"\\u001b[31m\"}]\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        for arguments in [["subscribers", "check", "--file", file], ["subscribers", "list", "--file", file], ["send", "--config", folder + "/c\u{1b}[31m.json"]] {
            let result = try CLI.run(arguments)
            for stream in [result.stdout, result.stderr] {
                #expect(!stream.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(arguments[1]): \(stream.debugDescription)")
            }
            #expect(result.stderr.contains("\\u{1b}"), "\(arguments[1]): \(result.stderr)")
        }
    }

    @Test("check rejects a broken file with exit 65 and file:line:column")
    func checkBroken() throws {
        let result = try CLI.run(["subscribers", "check", "--file", Self.fixtures + "/broken.json"])
        #expect(result.status == 65)
        #expect(result.stderr == "error: \(Self.fixtures)/broken.json:4:1: unexpected ']' after a trailing ','\n")
        #expect(result.stdout == "")
    }

    @Test("add, unsubscribe and remove edit the file in place; a broken file is left untouched")
    func edits() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/s.json"
        try "[\n  { \"email\": \"a@example.com\" }\n]\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["subscribers", "add", "b@example.com", "--name", "Bee", "--file", file]).status == 0)
        #expect(try CLI.run(["subscribers", "unsubscribe", "a@example.com", "--file", file]).status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "[\n  { \"email\": \"a@example.com\", \"subscribed\": false },\n  { \"email\": \"b@example.com\", \"name\": \"Bee\" }\n]\n")
        let list = try CLI.run(["subscribers", "list", "--file", file])
        #expect(list.stdout == "b@example.com\tBee\n")
        #expect(try CLI.run(["subscribers", "remove", "a@example.com", "--file", file]).status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "[\n  { \"email\": \"b@example.com\", \"name\": \"Bee\" }\n]\n")

        let broken = "[\n  { \"email\": \"a@example.com\" },\n]\n"
        try broken.write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["subscribers", "add", "c@example.com", "--file", file])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("s.json:3:1: unexpected ']' after a trailing ','; the file was not changed"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == broken)
    }

    @Test("An invalid address on the command line is a usage error (64)")
    func badAddress() throws {
        let result = try CLI.run(["subscribers", "add", "not-an-address", "--file", "/tmp/none.json"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("'not-an-address' is not a valid email address: it has no '@'"))
    }

    @Test("An edit waits for the list's lock and gives up with exit 75 while another run holds it")
    func locked() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/s.json"
        try "[]\n".write(toFile: file, atomically: true, encoding: .utf8)
        // Hold the lock from another process (flock(1) from util-linux) for longer than the edit waits.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [file + ".lock", "sleep", "15"]
        try holder.run()
        defer { holder.terminate() }
        Thread.sleep(forTimeInterval: 0.5)
        let result = try CLI.run(["subscribers", "add", "x@example.com", "--file", file])
        #expect(result.status == 75)
        #expect(result.stderr.contains("s.json.lock is locked by another run"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "[]\n")
    }

    @Test("check reports an entry subscribed in the file that the suppression journal overrides (an old copy saved over an opt-out)")
    func checkOverridden() throws {
        let fixture = try WebFixture()
        defer { fixture.remove() }
        let before = fixture.listText()
        #expect(try CLI.run(["subscribers", "unsubscribe", "bob@example.net", "--config", fixture.config]).status == 0)
        try before.write(toFile: fixture.list, atomically: true, encoding: .utf8)
        let check = try CLI.run(["subscribers", "check", "--config", fixture.config])
        #expect(check.status == 0)
        #expect(check.stderr.contains("bob@example.net is subscribed in the list but opted out on "))
        #expect(check.stderr.contains("(cli: unsubscribed); send skips it. With their consent: subscribers add --resubscribe"))
        #expect(!check.stderr.contains("alice@example.org"))
    }
}
