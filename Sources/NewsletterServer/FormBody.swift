import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body (the one-click POST of RFC 8058 and the service's forms), read
/// with a size bound.
struct FormBody {
    /// The largest body read; anything larger is refused with 413.
    static let maximumBytes = 8192

    /// The fields, first occurrence of a name winning.
    let fields: [String: String]

    subscript(name: String) -> String? { fields[name] }

    /// Parses `text`: `name=value` pairs separated by `&`, `+` for space, percent-escapes decoded.
    init(parsing text: String) {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String? {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
            guard let name = decode(parts[0]) else { continue }
            let value = parts.count > 1 ? decode(parts[1]) : ""
            if let value, fields[name] == nil { fields[name] = value }
        }
        self.fields = fields
    }

    /// Reads the body of `request`, which must be a form.
    ///
    /// - Throws: ``HTTPError`` 415 for another content type, 413 for a body over ``maximumBytes``, 400 for one
    ///   that is not UTF-8.
    static func read(_ request: Request) async throws -> FormBody {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else {
            throw HTTPError(.unsupportedMediaType, message: "expected application/x-www-form-urlencoded")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBytes)
        } catch {
            throw HTTPError(.contentTooLarge, message: "the form is too large")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw HTTPError(.badRequest, message: "the form is not UTF-8")
        }
        return FormBody(parsing: text)
    }
}
