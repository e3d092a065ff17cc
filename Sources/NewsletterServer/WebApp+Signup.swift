import Foundation
import HTTPTypes
import Hummingbird
import NewsletterCore

/// Double opt-in: the form, the confirmation mail with its signed, expiring link, and the confirmation.
extension WebApp {
    /// The hidden field people never fill in; a bot that fills every field gets the usual answer and nothing sent.
    static let honeypotField = "website"

    func subscribePage(_ request: Request, error: String? = nil, email: String = "", name: String = "", status: HTTPResponse.Status = .ok) -> Response {
        guard signupAvailable else {
            return errorPage(.notFound, "This newsletter does not take sign-ups here.", heading: "No sign-up here")
        }
        let (formToken, cookie) = formGuard.issue(for: "subscribe", request: request)
        var context: [String: Any] = ["formToken": formToken, "email": email, "name": name, "honeypotField": WebApp.honeypotField]
        if let error { context["error"] = error }
        return page("subscribe.html", context, status: status, setCookie: cookie)
    }

    /// The client a rate limit counts: the peer, or, behind a reverse proxy on loopback, the last address of
    /// `X-Forwarded-For` (the one the proxy added).
    func clientKey(_ request: Request, context: WebRequestContext) -> String {
        let peer = context.peerAddress ?? "unknown"
        if SMTPSettings.isLoopback(peer), let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!] {
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces) ?? ""
            if !last.isEmpty, last.count <= 64 { return last }
        }
        return peer
    }

    func subscribe(_ request: Request, context: WebRequestContext) async throws -> Response {
        guard await clientLimiter.allow(clientKey(request, context: context)) else {
            throw HTTPError(.tooManyRequests)
        }
        let form = try await FormBody.read(request)
        guard formGuard.check(form["formToken"], for: "subscribe", request: request) else { return expiredForm() }
        let emailText = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
        let name = String(Sanitize.collapsedLine(form["name"] ?? "").prefix(100))
        if !(form[WebApp.honeypotField] ?? "").isEmpty {
            logger.notice("sign-up: honeypot filled, nothing sent")
            return page("subscribe-sent.html", ["email": String(emailText.prefix(254)), "expiresIn": expiresIn])
        }
        let address: EmailAddress
        do {
            guard emailText.utf8.count <= 254 else { throw EmailAddressError.invalid(emailText, "too long") }
            address = try EmailAddress(emailText)
        } catch {
            return subscribePage(
                request, error: "“\(String(emailText.prefix(80)))” is not an email address. Please check it.", email: String(emailText.prefix(254)), name: name,
                status: .badRequest)
        }
        guard let sender, let origin = settings.publicURL else {
            logger.error("sign-up: needs an smtp section and server.publicURL")
            return errorPage(.serviceUnavailable, "Sign-up is not available at the moment. Please try again later.", heading: "Sign-up unavailable")
        }
        // The same answer whether or not the address is known, and whether or not a confirmation went out.
        if await addressLimiter.allow(address.normalized) {
            let now = Date()
            let token = signedTokens.seal(purpose: "confirm", fields: [address.normalized, name], expires: now.addingTimeInterval(settings.confirmationExpiry))
            let link = origin + WebApp.path("/confirm", token: token)
            sendConfirmation(to: Mailbox(displayName: name.isEmpty ? nil : name, address: address), link: link, now: now, sender: sender)
        } else {
            logger.notice("sign-up: a confirmation went to this address within the hour; none sent")
        }
        return page("subscribe-sent.html", ["email": address.description, "expiresIn": expiresIn])
    }

    /// How long a confirmation link stays valid, for people: `48 hours`, `30 minutes`.
    var expiresIn: String {
        let minutes = Int((settings.confirmationExpiry / 60).rounded())
        if minutes % 60 != 0 || minutes < 60 { return minutes == 1 ? "1 minute" : "\(minutes) minutes" }
        return minutes == 60 ? "1 hour" : "\(minutes / 60) hours"
    }

    /// Sends the confirmation on a thread of its own (libcurl blocks), after the answer: its timing tells nothing.
    func sendConfirmation(to mailbox: Mailbox, link: String, now: Date, sender: SingleMessageSender) {
        let context: [String: Any] = [
            "newsletterTitle": configuration.newsletter.title, "confirmURL": link, "email": mailbox.address.description, "expiresIn": expiresIn,
        ]
        let text = pages.render("confirmation-mail.txt", context)
        let html = pages.render("confirmation-mail.html", context)
        let subject = "Confirm your subscription to \(configuration.newsletter.title)"
        let logger = self.logger
        let thread = Thread {
            var identity = RandomMessageIdentity()
            let message = sender.message(to: mailbox, subject: subject, text: text, html: html, date: now, identity: &identity)
            do {
                switch try sender.send(message) {
                case .sent: logger.info("sign-up: confirmation sent")
                case .failed(_, let reply), .deferred(_, let reply): logger.warning("sign-up: confirmation not sent: \(Sanitize.printable(reply))")
                case .unknown(_, let reply): logger.warning("sign-up: confirmation sent, but the server did not answer its end of data: \(Sanitize.printable(reply))")
                }
            } catch {
                logger.error("sign-up: confirmation not sent: \(error)")
            }
        }
        thread.start()
    }

    /// The confirmation link's address and name, or the page to answer instead.
    func confirmation(_ request: Request) -> Result<(token: String, address: EmailAddress, name: String?), ResponseError> {
        guard let token = request.uri.queryParameters.get("token") else { return .failure(ResponseError(invalidLink())) }
        switch signedTokens.open(token, purpose: "confirm", now: Date()) {
        case .valid(let fields):
            guard fields.count == 2, let address = try? EmailAddress(fields[0]) else { return .failure(ResponseError(invalidLink())) }
            return .success((token, address, fields[1].isEmpty ? nil : fields[1]))
        case .expired:
            return .failure(
                ResponseError(
                    errorPage(
                        .gone, "This confirmation link has expired. Please sign up again to get a new one.", heading: "This link has expired")))
        case .invalid:
            return .failure(ResponseError(invalidLink()))
        }
    }

    /// GET shows a Confirm button and changes nothing (link scanners follow links).
    func confirmPage(_ request: Request) throws -> Response {
        switch confirmation(request) {
        case .failure(let error): return error.response
        case .success(let (token, address, _)):
            let (formToken, cookie) = formGuard.issue(for: "confirm", request: request)
            return page(
                "confirm.html", ["email": address.description, "action": WebApp.path("/confirm", token: token), "formToken": formToken], setCookie: cookie)
        }
    }

    /// The confirmed sign-up: adds the entry, or resubscribes it, recording when and how consent was given.
    func confirm(_ request: Request) async throws -> Response {
        switch confirmation(request) {
        case .failure(let error): return error.response
        case .success(let (_, address, name)):
            let form = try await FormBody.read(request)
            guard formGuard.check(form["formToken"], for: "confirm", request: request) else { return expiredForm() }
            let now = Date()
            _ = try await edit(.add(address, name: name, fields: [("subscribedAt", .string(Instant.iso(now))), ("source", .string("web"))], resubscribe: true))
            return page("confirmed.html", ["email": address.description])
        }
    }
}

/// A page answered instead of the normal one.
struct ResponseError: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}
