import Foundation
import Hummingbird
import Logging
import NewsletterCore

/// What the routes share: the configuration, the pages, the token makers, the list writer and the limits.
final class WebApp: Sendable {
    let configuration: Configuration
    let settings: ServerSettings
    let pages: WebPages
    let unsubscribeTokens: UnsubscribeToken
    let signedTokens: SignedToken
    let formGuard: FormGuard
    let listWriter: ListWriter
    let sender: SingleMessageSender?
    /// Sign-ups per client (IP address) per hour.
    let clientLimiter: RateLimiter
    /// At most one confirmation per address per hour.
    let addressLimiter: RateLimiter
    /// One line per request, and what the service does.
    let logger: Logger
    /// Hummingbird's own logger: warnings only (its info lines would repeat ours).
    let quietLogger: Logger

    init(configuration: Configuration, settings: ServerSettings, secret: [UInt8], pages: WebPages, sender: SingleMessageSender?, logger: Logger) {
        self.configuration = configuration
        self.settings = settings
        self.pages = pages
        unsubscribeTokens = UnsubscribeToken(secret: secret)
        signedTokens = SignedToken(secret: secret)
        formGuard = FormGuard(tokens: signedTokens, isSecure: settings.publicURL?.lowercased().hasPrefix("https://") ?? false)
        var store = SubscriberStore(configuration: configuration)
        store.cache = ParsedListCache()
        listWriter = ListWriter(store: store, logger: logger)
        self.sender = sender
        clientLimiter = RateLimiter(limit: settings.signupsPerClientPerHour, window: 3600)
        addressLimiter = RateLimiter(limit: 1, window: 3600)
        self.logger = logger
        var quiet = logger
        quiet.logLevel = .warning
        quietLogger = quiet
    }

    func addRoutes(to router: Router<WebRequestContext>) {
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/style.css") { [self] _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(bytes: pages.stylesheet)))
        }
        router.get("/unsubscribe") { [self] request, _ in try unsubscribePage(request) }
        router.post("/unsubscribe") { [self] request, _ in try await unsubscribe(request) }
        router.post("/resubscribe") { [self] request, _ in try await resubscribe(request) }
        router.get("/subscribe") { [self] request, _ in subscribePage(request) }
        router.post("/subscribe") { [self] request, context in try await subscribe(request, context: context) }
        router.get("/confirm") { [self] request, _ in try confirmPage(request) }
        router.post("/confirm") { [self] request, _ in try await confirm(request) }
        addArchiveRoutes(to: router)
    }

    // MARK: Pages

    /// Sign-up works only with a mail server to send confirmations and a public origin for their links; without
    /// them no page offers it.
    var signupAvailable: Bool { sender != nil && settings.publicURL != nil }

    /// What every page may show.
    var baseContext: [String: Any] {
        var context: [String: Any] = ["newsletterTitle": configuration.newsletter.title, "stylesheetURL": "/style.css"]
        if signupAvailable { context["subscribeURL"] = "/subscribe" }
        if configuration.stateDirectory != nil { context["archiveURL"] = "/archive/" }
        return context
    }

    func page(_ name: String, _ context: [String: Any], status: HTTPResponse.Status = .ok, setCookie: String? = nil) -> Response {
        let html = pages.render(name, baseContext.merging(context) { $1 })
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        if let setCookie { headers[.setCookie] = setCookie }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func errorPage(_ status: HTTPResponse.Status, _ message: String, heading: String? = nil) -> Response {
        page("error.html", ["status": Int(status.code), "heading": heading ?? status.reasonPhrase, "message": message], status: status)
    }

    /// The same page for every bad or foreign token, whether or not its address is on the list (the list is not
    /// even read).
    func invalidLink() -> Response {
        errorPage(
            .badRequest, "Please use the link from the latest message you received, unchanged: a link cut short or changed does not work.",
            heading: "This link is not valid")
    }

    func expiredForm() -> Response {
        errorPage(.forbidden, "This form has expired or was not sent from this site. Please go back, reload the page and try again.", heading: "Please try again")
    }

    /// The address of the `token` query parameter, if it is a token of ours.
    func tokenAddress(_ request: Request) -> (token: String, address: EmailAddress)? {
        guard let token = request.uri.queryParameters.get("token"), let address = unsubscribeTokens.address(fromToken: token) else { return nil }
        return (token, address)
    }

    /// A path and query with the token percent-encoded (it is base64url, so this only guards the template).
    static func path(_ path: String, token: String, name: String = "token") -> String {
        path + "?" + name + "=" + PercentEncoding.queryValue(token)
    }

    // MARK: Unsubscribe

    /// GET never changes anything: link scanners and prefetchers follow links.
    func unsubscribePage(_ request: Request) throws -> Response {
        guard let (token, address) = tokenAddress(request) else { return invalidLink() }
        let (formToken, cookie) = formGuard.issue(for: "unsubscribe", request: request)
        return page(
            "unsubscribe.html", ["email": address.description, "action": WebApp.path("/unsubscribe", token: token), "formToken": formToken],
            setCookie: cookie)
    }

    /// The one-click POST of RFC 8058 (`List-Unsubscribe=One-Click`), from a mailbox provider or from our page.
    func unsubscribe(_ request: Request) async throws -> Response {
        guard let (token, address) = tokenAddress(request) else { return invalidLink() }
        let form = try await FormBody.read(request)
        guard form["List-Unsubscribe"] == "One-Click" else {
            return errorPage(.badRequest, "An unsubscribe request must carry List-Unsubscribe=One-Click.", heading: "Not an unsubscribe request")
        }
        // A provider's one-click POST carries no form token; one from our page must carry a good one.
        if let formToken = form["formToken"], !formGuard.check(formToken, for: "unsubscribe", request: request) { return expiredForm() }
        let now = Date()
        _ = try await edit(.unsubscribe(address, fields: [("unsubscribedAt", .string(Instant.iso(now)))]))
        let (formToken, cookie) = formGuard.issue(for: "resubscribe", request: request)
        return page(
            "unsubscribed.html", ["email": address.description, "action": WebApp.path("/resubscribe", token: token), "formToken": formToken],
            setCookie: cookie)
    }

    /// Undoing an unsubscribe from the confirmation page: the token proves the mailbox, the form token the page.
    func resubscribe(_ request: Request) async throws -> Response {
        guard let (_, address) = tokenAddress(request) else { return invalidLink() }
        let form = try await FormBody.read(request)
        guard formGuard.check(form["formToken"], for: "resubscribe", request: request) else { return expiredForm() }
        let now = Date()
        _ = try await edit(.add(address, name: nil, fields: [("subscribedAt", .string(Instant.iso(now))), ("source", .string("web"))], resubscribe: true))
        return page("resubscribed.html", ["email": address.description])
    }

    /// Applies one edit through the batching writer; a failure is logged and answered 503 (nothing identifying).
    func edit(_ edit: SubscriberFileEditor.Edit) async throws -> SubscriberStore.Result {
        do {
            return try await listWriter.apply(edit)
        } catch {
            logger.error("list edit failed: \(error)")
            throw HTTPError(.serviceUnavailable)
        }
    }
}
