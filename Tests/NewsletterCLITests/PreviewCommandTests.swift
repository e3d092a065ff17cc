import Foundation
import Testing

struct PreviewCommandTests {
    @Test("preview on the shipped example writes an .eml, HTML and text for the first subscriber")
    func example() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run([
            "preview", "--config", "config.example.json", "--now", "2024-02-02T08:00:00Z",
            "--out", folder + "/p.eml", "--html", folder + "/p.html", "--text", folder + "/p.txt",
        ], environment: ["NEWSLETTER_SECRET": "cli-test-secret-0123456789"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Wrote \(folder)/p.eml for zhang.wei@example.com: 8 articles"))
        #expect(result.stderr == "")
        let eml = try String(contentsOfFile: folder + "/p.eml", encoding: .utf8)
        #expect(eml.contains("To: =?UTF-8?B?5byg5Lyf?= <zhang.wei@example.com>"))
        let html = try String(contentsOfFile: folder + "/p.html", encoding: .utf8)
        #expect(html.contains("澳方宣布将于今年派官员访问新西兰"))
        #expect(html.contains("Hello 张伟,"))
        for boilerplate in ["分享", "share-button", "获取更多RSS", "feedx", "facebook.com", "whatsapp", "<script", "onclick", "tracker.example.com"] {
            #expect(!html.contains(boilerplate), "\(boilerplate)")
        }
        let text = try String(contentsOfFile: folder + "/p.txt", encoding: .utf8)
        #expect(text.contains("Hello 张伟,"))
        #expect(!text.contains("&amp;") && !text.contains("<p"))
    }

    @Test("preview --to uses the subscriber's name from the list")
    func to() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run([
            "preview", "--config", "config.example.json", "--now", "2024-02-02T08:00:00Z", "--to", "ALICE@example.org",
            "--out", folder + "/p.eml", "--text", folder + "/p.txt",
        ])
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: no unsubscribe secret"))
        #expect(try String(contentsOfFile: folder + "/p.txt", encoding: .utf8).contains("Hello Alice Martin,"))
        #expect(try String(contentsOfFile: folder + "/p.eml", encoding: .utf8).contains("To: Alice Martin <alice@example.org>"))
    }

    @Test("Two previews with fixed IDs and a fixed clock are identical")
    func reproducible() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["a", "b"] {
            try CLI.run(["preview", "--config", "config.example.json", "--now", "2024-02-02T08:00:00Z", "--fixed-ids", "--out", "\(folder)/\(name).eml"])
        }
        #expect(FileManager.default.contentsEqual(atPath: folder + "/a.eml", andPath: folder + "/b.eml"))
    }

    @Test("A bad --now is a usage error (64)")
    func badNow() throws {
        let result = try CLI.run(["preview", "--config", "config.example.json", "--now", "yesterday"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--now 'yesterday' is not an ISO 8601 instant"))
    }

    @Test("A configuration with an unknown key is bad data (65), one line naming the key")
    func badConfig() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try String(contentsOfFile: CLI.repositoryRoot + "/config.example.json", encoding: .utf8)
        try original.replacingOccurrences(of: "\"maxArticles\"", with: "\"maxArticle\"").write(toFile: folder + "/c.json", atomically: true, encoding: .utf8)
        let result = try CLI.run(["preview", "--config", folder + "/c.json"])
        #expect(result.status == 65)
        #expect(result.stderr == "error: \(folder)/c.json: unknown key `articles.maxArticle`\n")
    }

    @Test("A missing configuration file is bad data (65) naming the file")
    func missingConfig() throws {
        let result = try CLI.run(["articles", "--config", "/nonexistent/config.json"])
        #expect(result.status == 65)
        #expect(result.stderr == "error: /nonexistent/config.json: cannot read the configuration: No such file or directory\n")
    }

    @Test("articles lists the digest and the skipped files with reasons")
    func articles() throws {
        let result = try CLI.run(["articles", "--config", "config.example.json", "--now", "2024-02-02T08:00:00Z"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("2024-02-01 21:15  澳新举行首次外长防长“2+2”会谈 深化安全合作关系"))
        #expect(result.stdout.contains("2024-02-02 07:10  Moving the digest to feeds\n    https://blog.example.org/posts/moving-the-digest-to-feeds/  [Example blog]\n"))
        #expect(result.stdout.hasSuffix("8 in the digest, 0 left out, 0 unreadable, 1 outside the window, of 6 files and 3 items of 1 feed.\n"))
    }
}
