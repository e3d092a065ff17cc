import Foundation
import Hummingbird
import NewsletterCore

/// Anti-forgery tokens for the service's forms (the synchroniser pattern bound to a cookie).
///
/// A page with a form sets a random cookie (`nl_form`, HttpOnly, SameSite=Lax) and puts a token in a hidden field:
/// the cookie's value and an expiry, signed for that form. A POST is accepted only when the field opens for that
/// form and names the cookie the browser sent. Another site can neither read the token nor make the browser send
/// the cookie with a cross-site POST.
struct FormGuard: Sendable {
    static let cookieName = "nl_form"
    /// How long a page's form stays usable.
    static let lifetime: TimeInterval = 4 * 3600

    let tokens: SignedToken
    /// Adds `Secure` to the cookie (when the public origin is https).
    let isSecure: Bool

    /// The browser's form cookie, when it sent a well-formed one.
    static func cookie(in request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.value, value.utf8.count == 22, Base64URL.decode(value)?.count == 16 else { return nil }
        return value
    }

    /// A token for `form`, and the `Set-Cookie` value to send when the browser has no cookie yet.
    func issue(for form: String, request: Request, now: Date = Date()) -> (token: String, setCookie: String?) {
        var setCookie: String?
        let nonce: String
        if let existing = FormGuard.cookie(in: request) {
            nonce = existing
        } else {
            var bytes = [UInt8](repeating: 0, count: 16)
            for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
            nonce = Base64URL.encode(bytes)
            setCookie = "\(FormGuard.cookieName)=\(nonce); Path=/; HttpOnly; SameSite=Lax" + (isSecure ? "; Secure" : "")
        }
        return (tokens.seal(purpose: "form " + form, fields: [nonce], expires: now.addingTimeInterval(FormGuard.lifetime)), setCookie)
    }

    /// Whether `token`, posted with `form`, is ours, fresh, and bound to the cookie the browser sent.
    func check(_ token: String?, for form: String, request: Request, now: Date = Date()) -> Bool {
        guard let token, let cookie = FormGuard.cookie(in: request) else { return false }
        guard case .valid(let fields) = tokens.open(token, purpose: "form " + form, now: now), fields == [cookie] else { return false }
        return true
    }
}
