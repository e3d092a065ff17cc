import Foundation

/// A mailbox: an optional display name and an address.
public struct Mailbox: Hashable, Sendable {
    /// The display name, any text; it is sanitised and encoded when written.
    public var displayName: String?
    /// The address.
    public var address: EmailAddress

    public init(displayName: String?, address: EmailAddress) {
        self.displayName = displayName
        self.address = address
    }

    /// Parses `Name <local@domain>` or a bare `local@domain`.
    ///
    /// - Throws: ``EmailAddressError`` when the address part is not valid.
    public init(parsing text: String) throws(EmailAddressError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            var name = String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
                name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            self.init(displayName: name.isEmpty ? nil : name, address: try EmailAddress(address))
        } else {
            self.init(displayName: nil, address: try EmailAddress(trimmed))
        }
    }
}

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

    /// The header block, each field folded, separated and ended by CRLF.
    public func headerBlock() -> String {
        var fields = [
            HeaderEncoding.mailboxField("From", displayName: from.displayName, address: from.address),
            HeaderEncoding.mailboxField("To", displayName: to.displayName, address: to.address),
            HeaderEncoding.unstructuredField("Subject", subject),
            "Date: " + RFC5322Date.string(from: date, timeZone: timeZone),
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            HeaderEncoding.fold(name: "List-Id", tokens: listIDTokens()),
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

    private func listIDTokens() -> [String] {
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
        let textEncoding = BodyEncoding.choose(for: textBody)
        let htmlEncoding = BodyEncoding.choose(for: htmlBody)
        var message: [UInt8] = []
        message.reserveCapacity(htmlBody.utf8.count * 3 / 2 + textBody.utf8.count * 3 / 2 + 2048)
        func add(_ text: String) { message.append(contentsOf: text.utf8) }
        add(headerBlock())
        add("\r\nThis is a multi-part message in MIME format.\r\n")
        add("\r\n--\(boundary)\r\n")
        add("Content-Type: text/plain; charset=UTF-8\r\n")
        add("Content-Transfer-Encoding: \(textEncoding.rawValue)\r\n\r\n")
        message.append(contentsOf: textEncoding.encodedBytes(textBody))
        add("\r\n--\(boundary)\r\n")
        add("Content-Type: text/html; charset=UTF-8\r\n")
        add("Content-Transfer-Encoding: \(htmlEncoding.rawValue)\r\n\r\n")
        message.append(contentsOf: htmlEncoding.encodedBytes(htmlBody))
        add("\r\n--\(boundary)--\r\n")
        return message
    }
}
