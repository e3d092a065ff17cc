import Foundation
import Hummingbird

/// A form body, read with a size bound: `application/x-www-form-urlencoded` (the service's own forms, and the
/// one-click POST as Gmail and Yahoo send it) or `multipart/form-data` (which RFC 8058 §3.1 says a one-click POST
/// SHOULD use).
struct FormBody {
    /// The largest body read; anything larger is refused with 413.
    static let maximumBytes = 8192

    /// The fields, first occurrence of a name winning.
    let fields: [String: String]

    subscript(name: String) -> String? { fields[name] }

    init(fields: [String: String]) {
        self.fields = fields
    }

    /// Parses an urlencoded body: `name=value` pairs separated by `&`, `+` for space, percent-escapes decoded.
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

    /// Parses a `multipart/form-data` body (RFC 7578) with `boundary`: each part's `name` from its
    /// Content-Disposition and its content as text; parts with a filename are ignored. Nil when it is malformed.
    init?(multipart bytes: [UInt8], boundary: String) {
        guard !boundary.isEmpty, boundary.utf8.count <= 70 else { return nil }
        let delimiter = Array(("--" + boundary).utf8)
        var fields: [String: String] = [:]
        var positions: [Int] = []
        var index = 0
        while index + delimiter.count <= bytes.count {
            if bytes[index] == delimiter[0], Array(bytes[index..<(index + delimiter.count)]) == delimiter,
                index == 0 || (index >= 2 && bytes[index - 2] == 0x0D && bytes[index - 1] == 0x0A)
            {
                positions.append(index)
                index += delimiter.count
            } else {
                index += 1
            }
        }
        guard positions.count >= 2 else { return nil }
        for (start, end) in zip(positions, positions.dropFirst()) {
            // The part: after the delimiter's line break, up to the CRLF before the next delimiter.
            var from = start + delimiter.count
            guard from + 2 <= end, bytes[from] == 0x0D, bytes[from + 1] == 0x0A else { return nil }
            from += 2
            let to = end - 2
            guard to >= from else { return nil }
            let part = Array(bytes[from..<to])
            guard let (headerBytes, content) = FormBody.split(part) else { return nil }
            let headers = String(decoding: headerBytes, as: UTF8.self)
            var name: String?
            var isFile = false
            for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                for parameter in line.split(separator: ";").dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard pair.count == 2 else { continue }
                    let value = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
                    if pair[0].lowercased() == "name" { name = value }
                    if pair[0].lowercased() == "filename" { isFile = true }
                }
            }
            guard let name, !isFile, let text = String(validating: content, as: UTF8.self) else { continue }
            if fields[name] == nil { fields[name] = text }
        }
        self.fields = fields
    }

    /// A part's headers and content, split at the blank line between them.
    static func split(_ part: [UInt8]) -> (headers: ArraySlice<UInt8>, content: [UInt8])? {
        if part.starts(with: [0x0D, 0x0A]) { return (part[0..<0], Array(part[2...])) }
        guard part.count >= 4 else { return nil }
        for index in 0...(part.count - 4) where part[index] == 0x0D && part[index + 1] == 0x0A && part[index + 2] == 0x0D && part[index + 3] == 0x0A {
            return (part[..<index], Array(part[(index + 4)...]))
        }
        return nil
    }

    /// Reads the body of `request`, which must be a form.
    ///
    /// - Throws: ``HTTPError`` 415 for another content type, 413 for a body over ``maximumBytes``, 400 for one
    ///   that is not UTF-8 or not well-formed.
    static func read(_ request: Request) async throws -> FormBody {
        let contentType = request.headers[.contentType] ?? ""
        let parameters = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let type = parameters.first?.lowercased()
        guard type == "application/x-www-form-urlencoded" || type == "multipart/form-data" else {
            throw HTTPError(.unsupportedMediaType, message: "expected application/x-www-form-urlencoded or multipart/form-data")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBytes)
        } catch {
            throw HTTPError(.contentTooLarge, message: "the form is too large")
        }
        let bytes = Array(buffer.readableBytesView)
        if type == "multipart/form-data" {
            let boundary = parameters.dropFirst().first { $0.lowercased().hasPrefix("boundary=") }.map { String($0.dropFirst("boundary=".count)) }
            let unquoted = boundary.map { $0.hasPrefix("\"") && $0.hasSuffix("\"") && $0.count >= 2 ? String($0.dropFirst().dropLast()) : $0 }
            guard let unquoted, let form = FormBody(multipart: bytes, boundary: unquoted) else {
                throw HTTPError(.badRequest, message: "the multipart form is not well-formed")
            }
            return form
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw HTTPError(.badRequest, message: "the form is not UTF-8")
        }
        return FormBody(parsing: text)
    }
}
