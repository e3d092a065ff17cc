/// One MIME entity (RFC 2045/2046): a whole message or a part of one, with its parts when it is a multipart and
/// its enclosed message when it is a `message/rfc822` or `text/rfc822-headers` part.
///
/// A reader for reports, not a general MIME library: it walks what a bounce, a feedback report or a reply holds,
/// within bounds (``maxDepth``, ``maxParts``), and never fails: malformed structure reads as text.
public struct MIMEPart: Sendable {
    /// Multiparts nested deeper than this are read as opaque bodies.
    public static let maxDepth = 8
    /// Parts of one multipart beyond this many are ignored.
    public static let maxParts = 64

    public let headers: MessageHeaders
    /// The body as it was on the wire, before transfer decoding.
    public let rawBody: ArraySlice<UInt8>
    /// The Content-Type, RFC 2045's default when absent or unreadable (`message/rfc822` inside a multipart/digest).
    public let contentType: ContentType
    /// The parts of a multipart, in order; empty otherwise.
    public let parts: [MIMEPart]
    let depth: Int

    /// Parses a message or part from its bytes.
    public init(bytes: [UInt8]) {
        self.init(slice: bytes[...], depth: 0, defaultType: .plainText)
    }

    init(slice: ArraySlice<UInt8>, depth: Int, defaultType: ContentType) {
        let (headers, bodyStart) = MessageHeaders.parse(slice)
        self.headers = headers
        self.depth = depth
        rawBody = slice[bodyStart...]
        let type = headers["Content-Type"].flatMap(ContentType.init) ?? defaultType
        contentType = type
        if type.type == "multipart", let boundary = type.parameters["boundary"], !boundary.isEmpty, depth < MIMEPart.maxDepth {
            let childDefault = type.subtype == "digest" ? ContentType(type: "message", subtype: "rfc822") : .plainText
            parts = MIMEPart.split(rawBody, boundary: Array(("--" + boundary).utf8)).prefix(MIMEPart.maxParts).map {
                MIMEPart(slice: $0, depth: depth + 1, defaultType: childDefault)
            }
        } else {
            parts = []
        }
    }

    /// The body after Content-Transfer-Encoding decoding.
    public var body: [UInt8] {
        TransferDecoding.decode(rawBody, encoding: headers["Content-Transfer-Encoding"])
    }

    /// The body as text in its charset.
    public var text: String {
        TransferDecoding.text(body, charset: contentType.parameters["charset"])
    }

    /// The message enclosed by a `message/rfc822` (or `message/global`) part, or the headers of a
    /// `text/rfc822-headers` part (RFC 6522) as a message without a body.
    public var enclosedMessage: MIMEPart? {
        guard depth < MIMEPart.maxDepth else { return nil }
        switch contentType.mimeType {
        case "message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers":
            return MIMEPart(slice: body[...], depth: depth + 1, defaultType: .plainText)
        default:
            return nil
        }
    }

    /// This entity and every part below it, depth first, not entering enclosed messages.
    public var allParts: [MIMEPart] {
        [self] + parts.flatMap(\.allParts)
    }

    /// The text of every `text/plain` part (or the body of a message that is not multipart), outside enclosed
    /// messages, at most `limit` characters in all.
    public func plainText(limit: Int = 200_000) -> String {
        var result = ""
        for part in allParts where part.parts.isEmpty && part.contentType.mimeType == "text/plain" {
            result += part.text + "\n"
            if result.count > limit { return String(result.prefix(limit)) }
        }
        return result
    }

    /// Splits a multipart body at its boundary lines (RFC 2046 5.1.1): the preamble and the epilogue are dropped, and
    /// the CRLF before each boundary belongs to the boundary.
    static func split(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        let end = body.endIndex
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end && body[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd < end ? lineEnd + 1 : end
            if lineEnd - lineStart >= boundary.count, body[lineStart..<(lineStart + boundary.count)].elementsEqual(boundary) {
                var after = lineStart + boundary.count
                let isClosing = after + 2 <= lineEnd && body[after] == 0x2D && body[after + 1] == 0x2D
                if isClosing { after += 2 }
                // Only white space may follow the boundary on its line.
                if body[after..<lineEnd].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    if let start = partStart {
                        var partEnd = lineStart
                        if partEnd > start, body[partEnd - 1] == 0x0A { partEnd -= 1 }
                        if partEnd > start, body[partEnd - 1] == 0x0D { partEnd -= 1 }
                        parts.append(body[start..<max(start, partEnd)])
                    }
                    if isClosing { return parts }
                    partStart = next
                }
            }
            lineStart = next
        }
        // No closing boundary (a truncated report): keep the last part.
        if let start = partStart, start < end { parts.append(body[start..<end]) }
        return parts
    }
}
