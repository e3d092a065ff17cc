import Foundation
import Testing

/// scripts/install and scripts/uninstall, into a temporary --destdir, as a packager would run them.
struct InstallTests {
    static let files = [
        "usr/local/bin/newsletter",
        "usr/local/share/man/man1/newsletter.1",
        "usr/local/share/bash-completion/completions/newsletter",
        "usr/local/share/zsh/site-functions/_newsletter",
        "usr/local/share/fish/vendor_completions.d/newsletter.fish",
        "usr/local/share/newsletter/templates/digest.html.mustache",
        "usr/local/share/newsletter/templates/digest.txt.mustache",
        "usr/local/share/newsletter/templates/partials/article.html.mustache",
        "usr/local/share/newsletter/templates/partials/article.txt.mustache",
        "usr/local/share/newsletter/templates/web/unsubscribe.html.mustache",
        "usr/local/share/newsletter/templates/web/partials/head.html.mustache",
        "usr/local/share/newsletter/templates/web/style.css",
        "usr/local/share/newsletter/example/config.json",
        "usr/local/share/newsletter/example/subscribers.json",
        "usr/local/share/newsletter/install-manifest.txt",
        "usr/local/lib/systemd/system/newsletter-send.service",
        "usr/local/lib/systemd/system/newsletter-send.timer",
        "usr/local/lib/systemd/system/newsletter-retry.service",
        "usr/local/lib/systemd/system/newsletter-retry.timer",
        "usr/local/lib/systemd/system/newsletter-serve.service",
        "usr/local/etc/newsletter/config.json",
    ]

    @Test("install writes every file, the man page renders, the installed binary previews the installed example; uninstall removes it all but the config")
    func installAndUninstall() throws {
        let destdir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: destdir) }
        let generator = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().appendingPathComponent("generate-manual").path
        #expect(FileManager.default.isExecutableFile(atPath: generator), "build it first: swift build --product generate-manual (scripts/test does)")
        let install = try CLI.runProcess(
            CLI.repositoryRoot + "/scripts/install", ["--destdir", destdir, "--binary", CLI.binary, "--generator", generator])
        #expect(install.status == 0, "\(install.stderr)")
        for file in Self.files {
            #expect(FileManager.default.fileExists(atPath: destdir + "/" + file), "missing \(file)")
        }
        let articles = try FileManager.default.contentsOfDirectory(atPath: destdir + "/usr/local/share/newsletter/example/articles")
        #expect(articles.count == 6)
        let unit = try String(contentsOfFile: destdir + "/usr/local/lib/systemd/system/newsletter-send.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/newsletter send --config /usr/local/etc/newsletter/config.json --quiet"))
        #expect(!unit.contains("@"))

        let man = try CLI.runProcess("/usr/bin/man", ["-l", destdir + "/usr/local/share/man/man1/newsletter.1"], environment: ["MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat"])
        #expect(man.status == 0, "man -l failed (Debian package man-db): \(man.stderr)")
        #expect(man.stdout.contains("NAME"))
        #expect(man.stdout.contains("newsletter"))
        #expect(man.stdout.contains("--dry-run"))

        // The installed binary finds the installed templates: the example config names no templates folder.
        let example = destdir + "/usr/local/share/newsletter/example/config.json"
        #expect(!(try String(contentsOfFile: example, encoding: .utf8)).contains("\"templates\""))
        let out = destdir + "/preview.eml"
        let preview = try CLI.runProcess(
            destdir + "/usr/local/bin/newsletter", ["preview", "--config", example, "--now", "2024-02-02T08:00:00Z", "--out", out], directory: destdir)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("8 articles"))
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))

        // Installing again keeps the operator's config.
        try "{ \"edited\": true }\n".write(toFile: destdir + "/usr/local/etc/newsletter/config.json", atomically: true, encoding: .utf8)
        let again = try CLI.runProcess(CLI.repositoryRoot + "/scripts/install", ["--destdir", destdir, "--binary", CLI.binary, "--generator", generator])
        #expect(again.status == 0)
        #expect(again.stdout.contains("kept /usr/local/etc/newsletter/config.json"))
        #expect(try String(contentsOfFile: destdir + "/usr/local/etc/newsletter/config.json", encoding: .utf8) == "{ \"edited\": true }\n")

        let uninstall = try CLI.runProcess(CLI.repositoryRoot + "/scripts/uninstall", ["--destdir", destdir])
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        for file in Self.files where !file.hasPrefix("usr/local/etc/") {
            #expect(!FileManager.default.fileExists(atPath: destdir + "/" + file), "left behind: \(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: destdir + "/usr/local/share/newsletter"))
        #expect(FileManager.default.fileExists(atPath: destdir + "/usr/local/etc/newsletter/config.json"))
    }
}
