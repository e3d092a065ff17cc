import Foundation

/// One finished email: the digest for one subscriber, ready to serialise.
///
/// The same bytes go to a preview file, a dry-run folder and the SMTP server.
public struct MailMessage: Sendable {
    public var from: Mailbox
    public var to: Mailbox
    public var subject: String
    public var date: Date
    public var timeZone: TimeZone
    /// The Message-ID without angle brackets: `unique@domain`.
    public var messageID: String
    /// The List-Id value (RFC 2919), e.g. `Daily Digest <daily-digest.example.org>`.
    public var listID: String
    /// The List-Unsubscribe URIs (RFC 2369), https first; RFC 8058 one-click is announced when one is https.
    public var unsubscribeURIs: [String]
    public var textBody: String
    public var htmlBody: String
    /// The multipart boundary; it starts with `=_`, which neither quoted-printable nor base64 can produce.
    public var boundary: String

    public init(
        from: Mailbox, to: Mailbox, subject: String, date: Date, timeZone: TimeZone, messageID: String, listID: String,
        unsubscribeURIs: [String], textBody: String, htmlBody: String, boundary: String
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.timeZone = timeZone
        self.messageID = messageID
        self.listID = listID
        self.unsubscribeURIs = unsubscribeURIs
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.boundary = boundary
    }

    /// The header fields that are the same in every message of a run, encoded once for all of them.
    struct FixedFields: Equatable {
        let from: String
        let subject: String
        let date: String
        let listID: String

        init(_ message: MailMessage) {
            from = HeaderEncoding.mailboxField("From", displayName: message.from.displayName, address: message.from.address)
            subject = HeaderEncoding.unstructuredField("Subject", message.subject)
            date = "Date: " + RFC5322Date.string(from: message.date, timeZone: message.timeZone)
            listID = HeaderEncoding.fold(name: "List-Id", tokens: message.listIDTokens())
        }
    }

    /// The header block, each field folded, separated and ended by CRLF.
    public func headerBlock() -> String {
        headerBlock(fixed: FixedFields(self))
    }

    /// The header block with From, Subject, Date and List-Id taken from `fixed`, which must have been made from a
    /// message with the same values.
    func headerBlock(fixed: FixedFields) -> String {
        var fields = [
            fixed.from,
            HeaderEncoding.mailboxField("To", displayName: to.displayName, address: to.address),
            fixed.subject,
            fixed.date,
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            fixed.listID,
        ]
        if !unsubscribeURIs.isEmpty {
            let uris = unsubscribeURIs.enumerated().map { "<\($1)>" + ($0 < unsubscribeURIs.count - 1 ? "," : "") }
            fields.append(HeaderEncoding.fold(name: "List-Unsubscribe", tokens: uris))
            if unsubscribeURIs.contains(where: { $0.hasPrefix("https:") }) {
                fields.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
            }
        }
        fields.append("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")
        return fields.joined(separator: "\r\n") + "\r\n"
    }

    func listIDTokens() -> [String] {
        MailMessage.listIDTokens(listID)
    }

    /// The tokens of a List-Id field: the phrase quoted or encoded, then the `<id>`.
    static func listIDTokens(_ listID: String) -> [String] {
        guard let open = listID.lastIndex(of: "<") else { return [listID] }
        let phrase = Sanitize.collapsedLine(String(listID[..<open]))
        let id = String(listID[open...])
        if phrase.isEmpty { return [id] }
        if phrase.unicodeScalars.allSatisfy({ $0.value < 0x7F }) {
            return ["\"" + phrase.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"", id]
        }
        return HeaderEncoding.encodedWords(phrase, firstLineUsed: "List-Id: ".count) + [id]
    }

    /// The whole message in wire form: CRLF line ends, every body line at most 76 characters.
    public func serialized() -> [UInt8] {
        serialized(textEncoding: BodyEncoding.choose(for: textBody), htmlEncoding: BodyEncoding.choose(for: htmlBody))
    }

    /// The whole message with the given transfer encodings.
    func serialized(textEncoding: BodyEncoding, htmlEncoding: BodyEncoding) -> [UInt8] {
        assembled(
            textEncoding: textEncoding, htmlEncoding: htmlEncoding, bodySize: htmlBody.utf8.count + textBody.utf8.count,
            text: { $0.append(textBody) }, html: { $0.append(htmlBody) })
    }

    /// The whole message, with each body written by a function into its part's encoder (this message's own
    /// bodies are not used): the one place where the layout of a message is made.
    func assembled(
        textEncoding: BodyEncoding, htmlEncoding: BodyEncoding, bodySize: Int, fixed: FixedFields? = nil, text: (inout BodyStream) -> Void,
        html: (inout BodyStream) -> Void
    ) -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(bodySize * 3 / 2 + 2048)
        func add(_ text: String) { message.append(contentsOf: text.utf8) }
        func addPart(_ encoding: BodyEncoding, _ write: (inout BodyStream) -> Void) {
            var stream = BodyStream(encoding: encoding, output: message)
            message = []
            write(&stream)
            stream.finish()
            message = stream.output
        }
        add(fixed.map(headerBlock(fixed:)) ?? headerBlock())
        add("\r\nThis is a multi-part message in MIME format.\r\n")
        add("\r\n--\(boundary)\r\n")
        add("Content-Type: text/plain; charset=UTF-8\r\n")
        add("Content-Transfer-Encoding: \(textEncoding.rawValue)\r\n\r\n")
        addPart(textEncoding, text)
        add("\r\n--\(boundary)\r\n")
        add("Content-Type: text/html; charset=UTF-8\r\n")
        add("Content-Transfer-Encoding: \(htmlEncoding.rawValue)\r\n\r\n")
        addPart(htmlEncoding, html)
        add("\r\n--\(boundary)--\r\n")
        return message
    }
}
