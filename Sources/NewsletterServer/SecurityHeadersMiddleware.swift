import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Security headers on every response, one log line per request, and errors turned into the error page.
///
/// The log line holds the method, the path without its query (tokens travel in the query and are never logged),
/// the status and the time taken.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    /// The pages' policy: no script at all, styles from this origin, forms only to this origin, no framing.
    static let pagePolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    let logger: Logger
    let errorPage: @Sendable (HTTPResponse.Status, String) -> Response

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = errorPage(error.status, Self.message(for: error.status))
        } catch {
            logger.error("\(request.method) \(request.uri.path): \(error)")
            response = errorPage(.internalServerError, Self.message(for: .internalServerError))
        }
        var headers = response.headers
        if headers[.contentSecurityPolicy] == nil { headers[.contentSecurityPolicy] = Self.pagePolicy }
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        response.headers = headers
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        logger.info("\(request.method) \(Self.loggablePath(request.uri.path)) \(response.status.code) \(String(format: "%.1f", milliseconds)) ms")
        return response
    }

    /// The path for the log: printable ASCII, at most 200 characters.
    static func loggablePath(_ path: String) -> String {
        String(path.unicodeScalars.map { $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F ? Character($0) : "?" }.prefix(200))
    }

    static func message(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: return "There is no page at this address."
        case 405: return "This page does not take that kind of request."
        case 413: return "The form sent was too large."
        case 415: return "The form was not sent as a web form."
        case 429: return "Too many requests from your network. Please try again in an hour."
        case 503: return "The service is busy. Please try again in a minute."
        default: return status.code >= 500 ? "Something went wrong on our side. Please try again later." : "The request could not be understood."
        }
    }
}
