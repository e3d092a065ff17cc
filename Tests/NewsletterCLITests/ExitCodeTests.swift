import Foundation
import Testing

/// Issue 12: README's exit-code table and the code agree.
struct ExitCodeTests {
    @Test("An invalid address on the command line is a usage error (64), as README says", arguments: [
        ["preview", "--config", "config.example.json", "--to", "not-an-address", "--out", "/dev/null"],
        ["subscribers", "add", "not-an-address", "--file", "/nonexistent/list.json"],
    ])
    func badAddressIs64(_ arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("not-an-address"))
    }

    @Test("A configuration value that cannot go into a header is bad data (65), naming the key")
    func badListIDIs65() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try String(contentsOfFile: CLI.repositoryRoot + "/config.example.json", encoding: .utf8)
        try original.replacingOccurrences(of: "<daily-digest.example.org>", with: "<日报.example.org>")
            .write(toFile: folder + "/c.json", atomically: true, encoding: .utf8)
        let result = try CLI.run(["preview", "--config", folder + "/c.json", "--out", "/dev/null"])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("error: \(folder)/c.json: `newsletter.listId`: the identifier contains the non-ASCII character U+65E5"), "\(result.stderr)")
    }

    /// The codes of README's "Exit codes" table.
    static func documentedCodes() throws -> Set<Int> {
        let readme = try String(contentsOfFile: CLI.repositoryRoot + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "### Exit codes\n").last?.components(separatedBy: "\n## ").first)
        var codes: Set<Int> = []
        for line in section.split(separator: "\n") where line.hasPrefix("| ") {
            if let code = Int(line.dropFirst(2).prefix { $0 != " " && $0 != "|" }) { codes.insert(code) }
        }
        return codes
    }

    @Test("Every exit code the executable uses is in README's table, and every code in the table is used")
    func tableMatchesCode() throws {
        var used: Set<Int> = [0, 64]  // success, and argument-parser's ValidationError
        let folder = CLI.repositoryRoot + "/Sources/newsletter"
        let files = try #require(FileManager.default.enumerator(atPath: folder)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        let pattern = try NSRegularExpression(pattern: #"ExitCode\((\d+)\)|ExitCode\.(failure|validationFailure|success)"#)
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text), let code = Int(text[range]) { used.insert(code) }
                if let range = Range(match.range(at: 2), in: text) {
                    used.insert(["failure": 1, "validationFailure": 64, "success": 0][String(text[range])] ?? -1)
                }
            }
        }
        used.insert(1)  // Terminal.exitCode's default
        #expect(try Self.documentedCodes() == used)
    }
}

/// Issue 12: every problem with an article file is a warning on stderr naming the file.
struct ArticleWarningTests {
    @Test("articles and preview warn on stderr about a non-http(s) URL, a timestamp in seconds and a big file, naming each")
    func warnings() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/articles", withIntermediateDirectories: true)
        try "<!--1706860000000-->\n[FTP](ftp://bob:hunter2@e.org/x)\n---\n<p>x</p>".write(toFile: folder + "/articles/ftp.txt", atomically: true, encoding: .utf8)
        try "<!--1706860000-->\n[Seconds](https://e.org/s)\n---\n<p>x</p>".write(toFile: folder + "/articles/seconds.txt", atomically: true, encoding: .utf8)
        try ("<!--1706860000000-->\n[Big](https://e.org/b)\n---\n<p>" + String(repeating: "big ", count: 5000) + "</p>")
            .write(toFile: folder + "/articles/big.txt", atomically: true, encoding: .utf8)
        let example = try String(contentsOfFile: CLI.repositoryRoot + "/config.example.json", encoding: .utf8)
        try example
            .replacingOccurrences(of: "\"directory\": \"examples/articles\"", with: "\"directory\": \"\(folder)/articles\"")
            .replacingOccurrences(of: "\"maxFileBytes\": 1048576", with: "\"maxFileBytes\": 4096")
            .replacingOccurrences(of: "\"directory\": \"templates\"", with: "\"directory\": \"\(CLI.repositoryRoot)/templates\"")
            .replacingOccurrences(of: "\"file\": \"examples/subscribers.json\"", with: "\"file\": \"\(CLI.repositoryRoot)/examples/subscribers.json\"")
            .write(toFile: folder + "/c.json", atomically: true, encoding: .utf8)
        for command in [["articles"], ["preview", "--out", folder + "/p.eml"]] {
            let result = try CLI.run(command + ["--config", folder + "/c.json", "--now", "2024-02-02T08:00:00Z"])
            #expect(result.status == 0, "\(result.stderr)")
            // The terminal layer drops the user name and password from every URL it prints.
            #expect(result.stderr.contains("warning: \(folder)/articles/ftp.txt:2: the URL 'ftp://e.org/x' is not an http(s) URL"), "\(result.stderr)")
            #expect(!result.stdout.contains("hunter2") && !result.stderr.contains("hunter2"), "\(result.stdout)")
            #expect(result.stderr.contains("warning: \(folder)/articles/seconds.txt:1: the timestamp 1706860000 is 1970-01-20"), "\(result.stderr)")
            #expect(result.stderr.contains("warning: \(folder)/articles/big.txt: the file is 20055 bytes, over articles.maxFileBytes (4096)"), "\(result.stderr)")
        }
    }
}
