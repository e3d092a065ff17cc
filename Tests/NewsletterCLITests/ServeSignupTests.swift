import Foundation
import Testing

/// Double opt-in against the real service and a real SMTP server (aiosmtpd): the form, the confirmation mail,
/// expired and forged links, the anti-forgery check, the honeypot and the rate limits.
@Suite("serve: sign-up")
struct ServeSignupTests {
    /// Posts the sign-up form as a browser would: GET for the cookie and the form token, then POST.
    func signUp(_ origin: String, email: String, name: String = "", honeypot: String = "", client: String = "192.0.2.1") throws -> HTTPClient.Response {
        let form = try HTTPClient.request("GET", origin + "/subscribe")
        let token = try #require(form.inputValue("formToken"))
        let cookie = try #require(form.cookie)
        let body = "formToken=\(token)&email=\(percent(email))&name=\(percent(name))&website=\(percent(honeypot))"
        return try HTTPClient.request("POST", origin + "/subscribe", body: body, headers: ["X-Forwarded-For: \(client)"], cookie: cookie)
    }

    func percent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// Waits (10 s at most) for `count` messages at the capture and returns the confirmation link of the last.
    func confirmationLink(_ smtp: AiosmtpdServer, count: Int) throws -> String {
        let deadline = Date().addingTimeInterval(10)
        while smtp.received().count < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let received = smtp.received()
        try #require(received.count == count, "expected \(count) messages, got \(received.count)")
        let raw = try String(contentsOfFile: smtp.directory + "/" + (try #require(received.last)).file, encoding: .utf8)
        // The text part is quoted-printable or 7bit: undo soft line breaks before looking for the link.
        let text = raw.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "=\n", with: "").replacingOccurrences(of: "=3D", with: "=").replacingOccurrences(of: "=2E", with: ".")
        guard let start = text.range(of: "http://127.0.0.1") else { throw TestSetupError("no link in the confirmation") }
        return String(text[start.lowerBound...].prefix { !$0.isWhitespace && $0 != "\"" && $0 != "<" })
    }

    @Test("sign up, confirmation mail, confirm: the entry is added with subscribedAt and source web")
    func doubleOptIn() throws {
        let mailDirectory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: mailDirectory) }
        let smtp = try AiosmtpdServer(directory: mailDirectory)
        let fixture = try WebFixture(smtpPort: smtp.port)
        defer { fixture.remove() }
        let service = try fixture.start()
        defer { service.stop() }
        let before = fixture.listText()

        let answer = try signUp(fixture.origin, email: "Dana@Example.com", name: "Dana Scully")
        #expect(answer.status == 200)
        #expect(answer.body.contains("Check your inbox"))
        #expect(answer.body.contains("The link stays valid for 48 hours"))
        let link = try confirmationLink(smtp, count: 1)
        #expect(link.hasPrefix(fixture.origin + "/confirm?token="))
        #expect(smtp.received().first?.recipient.lowercased() == "dana@example.com")
        #expect(fixture.listText() == before)

        // GET changes nothing; the Confirm button's POST adds the entry.
        let page = try HTTPClient.request("GET", link)
        #expect(page.status == 200)
        #expect(page.body.contains("Confirm your subscription"))
        #expect(fixture.listText() == before)
        let confirmed = try HTTPClient.request(
            "POST", fixture.origin + (try #require(page.formAction)), body: "formToken=" + (try #require(page.inputValue("formToken"))),
            cookie: try #require(page.cookie))
        #expect(confirmed.status == 200)
        #expect(confirmed.body.contains("You are subscribed"))
        let list = fixture.listText()
        #expect(list.contains("\"email\": \"dana@example.com\", \"name\": \"Dana Scully\""))
        #expect(list.contains("\"subscribedAt\": \"20"))
        #expect(list.contains("\"source\": \"web\""))

        // An address already listed gets the same answer (no enumeration); one confirmation per address per hour.
        let known = try signUp(fixture.origin, email: "alice@example.org")
        #expect(known.status == 200)
        #expect(known.body.replacingOccurrences(of: "alice@example.org", with: "X") == answer.body.replacingOccurrences(of: "Dana@example.com", with: "X"))
        _ = try confirmationLink(smtp, count: 2)
        let again = try signUp(fixture.origin, email: "alice@example.org")
        #expect(again.status == 200)
        Thread.sleep(forTimeInterval: 1)
        #expect(smtp.received().count == 2)
    }

    @Test("without an smtp section sign-up is not offered: no link on any page, /subscribe answers 404")
    func signupOff() throws {
        let fixture = try WebFixture()
        defer { fixture.remove() }
        let service = try fixture.start()
        defer { service.stop() }
        let form = try HTTPClient.request("GET", fixture.origin + "/subscribe")
        #expect(form.status == 404)
        #expect(!form.body.contains("<form"))
        let archive = try HTTPClient.request("GET", fixture.origin + "/archive/")
        #expect(!archive.body.contains("href=\"/subscribe\""))
    }

    @Test("with dkim configured, the confirmation mail is signed and verifies with dkimpy and Mail::DKIM")
    func confirmationSigned() throws {
        let mailDirectory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: mailDirectory) }
        let smtp = try AiosmtpdServer(directory: mailDirectory)
        let fixture = try WebFixture(smtpPort: smtp.port)
        defer { fixture.remove() }
        let key = try DKIMCommandTests.TestKey(selector: "web", type: "rsa", in: fixture.directory)
        var config = try String(contentsOfFile: fixture.config, encoding: .utf8)
        config = config.replacingOccurrences(
            of: "\"state\": {", with: "\"dkim\": {\"domain\": \"example.org\", \"signatures\": [{\"selector\": \"web\", \"privateKeyFile\": \"\(key.file)\"}]},\n  \"state\": {")
        try config.write(toFile: fixture.config, atomically: true, encoding: .utf8)
        let service = try fixture.start()
        defer { service.stop() }

        #expect(try signUp(fixture.origin, email: "dana@example.com").status == 200)
        _ = try confirmationLink(smtp, count: 1)
        let file = smtp.directory + "/" + (try #require(smtp.received().first)).file
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("DKIM-Signature: v=1; a=rsa-sha256;"))
        try DKIMCommandTests.expectVerified([file], keys: [key])
    }

    @Test("expired and forged confirmation links, a missing form token and the honeypot change nothing")
    func refusals() throws {
        let mailDirectory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: mailDirectory) }
        let smtp = try AiosmtpdServer(directory: mailDirectory)
        let fixture = try WebFixture(smtpPort: smtp.port, extraServer: ", \"confirmationExpiry\": \"1m\"")
        defer { fixture.remove() }
        let service = try fixture.start()
        defer { service.stop() }
        let before = fixture.listText()

        // Forged: a link for another address with the MAC of a real one; a made-up token.
        _ = try signUp(fixture.origin, email: "eve@example.com")
        let link = try confirmationLink(smtp, count: 1)
        let token = String(link.split(separator: "=", maxSplits: 1).last ?? "")
        let parts = token.split(separator: ".")
        try #require(parts.count == 2, "not a signed token: \(token)")
        let otherPayload = Data("mallory@example.com\n\n9999999999".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        for forged in [otherPayload + "." + parts[1], "abc.def", token + "x", ""] {
            let page = try HTTPClient.request("GET", fixture.origin + "/confirm?token=" + forged)
            #expect(page.status == 400)
            #expect(page.body.contains("This link is not valid"))
        }
        // Expired: a link made with the same secret whose expiry has passed (made here as the service would).
        let expired = try HTTPClient.request("GET", fixture.origin + "/confirm?token=" + expiredToken(for: "eve@example.com"))
        #expect(expired.status == 410)
        #expect(expired.body.contains("expired"))

        // The confirm POST without the page's form token, or with another form's token, is refused.
        let page = try HTTPClient.request("GET", link)
        let cookie = try #require(page.cookie)
        #expect(try HTTPClient.request("POST", link, body: "formToken=", cookie: cookie).status == 403)
        let subscribeForm = try HTTPClient.request("GET", fixture.origin + "/subscribe", cookie: cookie)
        #expect(try HTTPClient.request("POST", link, body: "formToken=" + (try #require(subscribeForm.inputValue("formToken"))), cookie: cookie).status == 403)
        // The sign-up POST without a form token, or from another browser (another cookie).
        #expect(try HTTPClient.request("POST", fixture.origin + "/subscribe", body: "email=x%40example.com").status == 403)
        #expect(
            try HTTPClient.request(
                "POST", fixture.origin + "/subscribe", body: "formToken=\(try #require(subscribeForm.inputValue("formToken")))&email=x%40example.com",
                cookie: "nl_form=AAAAAAAAAAAAAAAAAAAAAA"
            ).status == 403)

        // The honeypot: the usual answer, nothing sent.
        let bot = try signUp(fixture.origin, email: "bot@example.com", honeypot: "http://spam.example")
        #expect(bot.status == 200)
        #expect(bot.body.contains("Check your inbox"))
        #expect(bot.body.contains("The link stays valid for 1 minute;"))
        // Not an address: the form again, with the error.
        let bad = try signUp(fixture.origin, email: "not an address")
        #expect(bad.status == 400)
        #expect(bad.body.contains("is not an email address"))
        Thread.sleep(forTimeInterval: 1)
        #expect(smtp.received().count == 1)
        #expect(fixture.listText() == before)
    }

    @Test("a client posting more sign-ups than server.signupsPerClientPerHour gets 429")
    func clientRateLimit() throws {
        let mailDirectory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: mailDirectory) }
        let smtp = try AiosmtpdServer(directory: mailDirectory)
        let fixture = try WebFixture(smtpPort: smtp.port, extraServer: ", \"signupsPerClientPerHour\": 3")
        defer { fixture.remove() }
        let service = try fixture.start()
        defer { service.stop() }
        for number in 1...3 {
            #expect(try signUp(fixture.origin, email: "user\(number)@example.com", client: "198.51.100.7").status == 200)
        }
        let limited = try signUp(fixture.origin, email: "user4@example.com", client: "198.51.100.7")
        #expect(limited.status == 429)
        #expect(limited.body.contains("Too many requests"))
        // Another client is not affected.
        #expect(try signUp(fixture.origin, email: "user5@example.com", client: "198.51.100.8").status == 200)
        _ = try confirmationLink(smtp, count: 4)
    }

    /// A confirmation token that expired a minute ago, sealed as `SignedToken` does (documented format).
    func expiredToken(for email: String) throws -> String {
        let script = """
            import base64,hmac,hashlib,sys,time
            def b64(b): return base64.urlsafe_b64encode(b).decode().rstrip('=')
            key=hmac.new(sys.argv[2].encode(), b'newsletter signed token v1', hashlib.sha256).digest()
            payload=(sys.argv[1]+'\\n\\n'+str(int(time.time())-60)).encode()
            mac=hmac.new(key, b'confirm\\x00'+payload, hashlib.sha256).digest()[:16]
            print(b64(payload)+'.'+b64(mac))
            """
        return try CLI.runProcess("/usr/bin/python3", ["-c", script, email, WebFixture.secret]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
