import Foundation
import Testing

/// The archive: `newsletter archive --out DIR` after a real send, and the same files from `serve` at /archive/.
@Suite("archive")
struct ServeArchiveTests {
    @Test("a sent edition becomes a page with nothing personal, an index and an Atom feed; serve serves the same; the message links to it")
    func archive() throws {
        let mailDirectory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: mailDirectory) }
        let smtp = try AiosmtpdServer(directory: mailDirectory)
        let fixture = try WebFixture(smtpPort: smtp.port)
        defer { fixture.remove() }
        let sent = try CLI.run(
            ["send", "--config", fixture.config, "--now", "2024-02-02T08:00:00Z"], environment: ["NEWSLETTER_SECRET": WebFixture.secret])
        #expect(sent.status == 0, "\(sent.stderr)")
        let editions = try FileManager.default.contentsOfDirectory(atPath: fixture.state + "/editions")
        let id = try #require(editions.first)

        // The message's "View in browser" link names the edition's page.
        let file = mailDirectory + "/" + (try #require(smtp.received().first)).file
        let text = try CLI.runProcess(
            "/usr/bin/python3",
            ["-c", "import sys,email; m=email.message_from_binary_file(open(sys.argv[1],'rb')); print(m.get_payload()[0].get_payload(decode=True).decode())", file]
        ).stdout
        let pageURL = fixture.origin + "/archive/\(id).html"
        #expect(text.contains("View in browser: " + pageURL + "\r\n"))

        let out = fixture.directory + "/archive"
        let result = try CLI.run(["archive", "--config", fixture.config, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Wrote \(out): 1 edition, index.html, feed.atom, style.css.\n")
        let page = try String(contentsOfFile: out + "/\(id).html", encoding: .utf8)
        #expect(page.contains("<html lang=\"en\">"))
        #expect(page.contains("This is the web version of Daily Digest"))
        #expect(page.contains("Hello there, here is what is new."))
        for personal in ["alice", "Alice", "bob@", "token", "unsubscribe", "Unsubscribe", "View in browser"] {
            #expect(!page.contains(personal), "the archive page holds \(personal)")
        }
        let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(index.contains("<a href=\"\(id).html\">Friday, 2 February 2024</a>"))
        #expect(index.contains("<link rel=\"stylesheet\" href=\"style.css\">"))
        #expect(index.contains("<a href=\"\(fixture.origin)/subscribe\">Subscribe</a>"))
        #expect(FileManager.default.fileExists(atPath: out + "/style.css"))
        let feed = try String(contentsOfFile: out + "/feed.atom", encoding: .utf8)
        #expect(feed.contains("<link rel=\"alternate\" type=\"text/html\" href=\"\(pageURL)\"/>"))
        let parse = try CLI.runProcess(
            "/usr/bin/python3",
            ["-c", "import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); print(r.tag, len(r.findall('{http://www.w3.org/2005/Atom}entry')))", out + "/feed.atom"])
        #expect(parse.stdout == "{http://www.w3.org/2005/Atom}feed 1\n", "\(parse.stderr)")

        // serve: the same bytes at /archive/.
        let service = try fixture.start()
        defer { service.stop() }
        let served = try HTTPClient.request("GET", pageURL)
        #expect(served.status == 200)
        #expect(served.body == page)
        #expect(served.headers["content-security-policy"]?.contains("script") == false)
        #expect(served.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
        #expect(try HTTPClient.request("GET", fixture.origin + "/archive/").body == index)
        #expect(try HTTPClient.request("GET", fixture.origin + "/archive/feed.atom").headers["content-type"] == "application/atom+xml; charset=utf-8")
        #expect(try HTTPClient.request("GET", fixture.origin + "/archive").status == 301)
        for missing in ["/archive/20990101T000000Z.html", "/archive/..%2Fconfig.json", "/archive/%2e%2e%2fsubscribers.json", "/archive/x"] {
            #expect(try HTTPClient.request("GET", fixture.origin + missing).status == 404, "\(missing)")
        }
    }
}
