import Foundation
import Testing

/// `newsletter serve`, started for real: the RFC 8058 one-click POST, the GET page, bad tokens, the resubscribe form.
@Suite("serve: unsubscribe")
struct ServeUnsubscribeTests {
    @Test("the one-click POST from a message's List-Unsubscribe URL unsubscribes, idempotently, and is journalled")
    func oneClick() throws {
        let fixture = try WebFixture()
        defer { fixture.remove() }
        let url = try fixture.unsubscribeURL(for: "bob@example.net")
        #expect(url.hasPrefix(fixture.origin + "/unsubscribe?token="))
        // The service usually runs as its own user in the list's group: the file keeps its mode and group.
        #expect(chmod(fixture.list, 0o640) == 0)
        // Another group than the user's own when the tests may give it (as root).
        let group: gid_t = getuid() == 0 ? 65534 : getgid()
        #expect(chown(fixture.list, getuid(), group) == 0)
        let service = try fixture.start()
        let before = fixture.listText()

        // Exactly what a mailbox provider sends (RFC 8058 §3.2): no cookie, no form token.
        let first = try HTTPClient.request("POST", url, body: "List-Unsubscribe=One-Click")
        #expect(first.status == 200)
        let after = fixture.listText()
        #expect(after == before.replacingOccurrences(
            of: "{ \"email\": \"bob@example.net\" }", with: "{ \"email\": \"bob@example.net\", \"subscribed\": false, \"unsubscribedAt\": \"\(unsubscribedAt(after))\" }"))
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.list)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        #expect((attributes[.groupOwnerAccountID] as? NSNumber)?.intValue == Int(group))
        let journal = fixture.suppressions()
        #expect(journal.hasPrefix("suppress\tbob@example.net\t"))
        #expect(journal.contains("\tweb\tunsubscribed\n"))

        // Idempotent: the same answer, the list and the journal untouched.
        let second = try HTTPClient.request("POST", url, body: "List-Unsubscribe=One-Click")
        #expect(second.status == 200)
        #expect(fixture.listText() == after)
        #expect(fixture.suppressions() == journal)

        // Nothing that identifies a token reaches the log: one line per request, the path only.
        let token = String(url.split(separator: "=").last ?? "")
        service.stop()
        let log = service.logText
        #expect(!log.contains(token))
        #expect(log.contains("POST /unsubscribe 200"))
        #expect(log.contains("stopped"))
    }

    @Test("the one-click POST as multipart/form-data (RFC 8058 §3.1: SHOULD) unsubscribes too; a malformed one changes nothing")
    func oneClickMultipart() throws {
        let fixture = try WebFixture()
        defer { fixture.remove() }
        let url = try fixture.unsubscribeURL(for: "bob@example.net")
        let service = try fixture.start()
        defer { service.stop() }
        let before = fixture.listText()
        let broken = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click"
        #expect(try HTTPClient.request("POST", url, body: broken, contentType: "multipart/form-data; boundary=XyZ").status == 400)
        #expect(try HTTPClient.request("POST", url, body: "List-Unsubscribe=One-Click", contentType: "multipart/form-data").status == 400)
        #expect(fixture.listText() == before)
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n"
        let answer = try HTTPClient.request("POST", url, body: body, contentType: "multipart/form-data; boundary=\"XyZ\"")
        #expect(answer.status == 200)
        #expect(fixture.listText().contains("{ \"email\": \"bob@example.net\", \"subscribed\": false"))
    }

    @Test("GET shows the newsletter and the address with a button, and changes nothing; every response has the security headers")
    func getPage() throws {
        let fixture = try WebFixture()
        defer { fixture.remove() }
        let url = try fixture.unsubscribeURL(for: "alice@example.org")
        let service = try fixture.start()
        defer { service.stop() }
        let before = fixture.listText()
        let page = try HTTPClient.request("GET", url)
        #expect(page.status == 200)
        #expect(page.body.contains("Unsubscribe from Daily Digest?"))
        #expect(page.body.contains("alice@example.org"))
        #expect(page.body.contains("<html lang=\"en\">"))
        #expect(page.body.contains("<button type=\"submit\" class=\"primary\">Unsubscribe</button>"))
        #expect(!page.body.contains("<script"))
        #expect(fixture.listText() == before)
        #expect(fixture.suppressions().isEmpty)
        for response in [page, try HTTPClient.request("GET", fixture.origin + "/healthz"), try HTTPClient.request("GET", fixture.origin + "/nowhere")] {
            #expect(response.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
            #expect(response.headers["content-security-policy"]?.contains("default-src 'none'") == true)
            #expect(response.headers["x-content-type-options"] == "nosniff")
            #expect(response.headers["referrer-policy"] == "no-referrer")
        }
        #expect(try HTTPClient.request("GET", fixture.origin + "/healthz").body == "ok\n")
        #expect(try HTTPClient.request("GET", fixture.origin + "/nowhere").status == 404)

        // The page's own form: One-Click plus the anti-forgery token bound to the cookie.
        let cookie = try #require(page.cookie)
        let formToken = try #require(page.inputValue("formToken"))
        let action = try #require(page.formAction)
        let body = "List-Unsubscribe=One-Click&formToken=" + formToken
        let forged = try HTTPClient.request("POST", fixture.origin + action, body: body, cookie: "nl_form=AAAAAAAAAAAAAAAAAAAAAA")
        #expect(forged.status == 403)
        #expect(fixture.listText() == before)
        let done = try HTTPClient.request("POST", fixture.origin + action, body: body, cookie: cookie)
        #expect(done.status == 200)
        #expect(done.body.contains("You are unsubscribed"))
        #expect(fixture.listText().contains("{ \"email\": \"alice@example.org\", \"name\": \"Alice Martin\", \"subscribed\": false"))

        // The confirmation page offers to subscribe again; that takes its form token.
        let again = try #require(done.formAction)
        let resubscribeToken = try #require(done.inputValue("formToken"))
        let withoutToken = try HTTPClient.request("POST", fixture.origin + again, body: "formToken=", cookie: done.cookie ?? cookie)
        #expect(withoutToken.status == 403)
        let back = try HTTPClient.request("POST", fixture.origin + again, body: "formToken=" + resubscribeToken, cookie: done.cookie ?? cookie)
        #expect(back.status == 200)
        #expect(back.body.contains("Welcome back"))
        #expect(fixture.listText().contains("\"email\": \"alice@example.org\", \"name\": \"Alice Martin\", \"subscribed\": true"))
        #expect(fixture.listText().contains("\"source\": \"web\""))
        #expect(fixture.suppressions().contains("lift\talice@example.org\t"))
    }

    @Test("a bad, foreign or tampered token gets the same 400 page whether or not the address is listed, and nothing changes")
    func badTokens() throws {
        let fixture = try WebFixture()
        defer { fixture.remove() }
        let good = try fixture.unsubscribeURL(for: "bob@example.net")
        let token = String(good.split(separator: "=").last ?? "")
        // A token made with another secret, for a listed and for an unknown address (as a Python verifier would).
        func foreign(_ email: String) -> String {
            let script = """
                import base64,hmac,hashlib,sys
                a=sys.argv[1].encode(); m=hmac.new(b'another-secret-0123456789abcdef', a, hashlib.sha256).digest()[:16]
                print(base64.urlsafe_b64encode(a+m).decode().rstrip('='))
                """
            return ((try? CLI.runProcess("/usr/bin/python3", ["-c", script, email]).stdout) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let service = try fixture.start()
        defer { service.stop() }
        let before = fixture.listText()
        var flipped = Array(token.utf8)
        flipped[flipped.count - 3] = flipped[flipped.count - 3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let tokens = [foreign("bob@example.net"), foreign("nobody@example.com"), String(decoding: flipped, as: UTF8.self), "", "%00", String(repeating: "A", count: 5000)]
        var bodies: Set<String> = []
        for bad in tokens {
            let get = try HTTPClient.request("GET", fixture.origin + "/unsubscribe?token=" + bad)
            let post = try HTTPClient.request("POST", fixture.origin + "/unsubscribe?token=" + bad, body: "List-Unsubscribe=One-Click")
            #expect(get.status == 400)
            #expect(post.status == 400)
            bodies.insert(get.body)
            bodies.insert(post.body)
        }
        #expect(bodies.count == 1)
        #expect(try HTTPClient.request("GET", fixture.origin + "/unsubscribe").status == 400)
        // Not a one-click request: a wrong body, a wrong content type, an oversized body.
        #expect(try HTTPClient.request("POST", good, body: "List-Unsubscribe=Please").status == 400)
        #expect(try HTTPClient.request("POST", good, body: "List-Unsubscribe=One-Click", contentType: "text/plain").status == 415)
        #expect(try HTTPClient.request("POST", good, body: "List-Unsubscribe=One-Click&x=" + String(repeating: "y", count: 20_000)).status == 413)
        #expect(fixture.listText() == before)
        #expect(fixture.suppressions().isEmpty)
    }

    private func unsubscribedAt(_ text: String) -> String {
        guard let range = text.range(of: "\"unsubscribedAt\": \"") else { return "" }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}
