import Foundation

/// Decides what a message in the bounce mailbox means: a bounce (RFC 3464 DSN or plain text), a complaint
/// (RFC 5965 ARF), an unsubscribe request to `newsletter.unsubscribeMailto`, or nothing for the list.
///
/// Every effect names a current subscriber, found through the VERP token of the address the report came back to,
/// the report's own fields, or a valid unsubscribe token; an address that is not on the list is never acted on.
/// An auto-reply (RFC 3834) never unsubscribes anyone, and an unsubscribe request counts only from the subscriber's
/// own address or with their token.
public struct MailClassifier: Sendable {
    /// The subscribers and their tokens.
    public var index: RecipientIndex
    /// `newsletter.unsubscribeMailto`.
    public var unsubscribeAddress: EmailAddress?

    public init(index: RecipientIndex, unsubscribeAddress: EmailAddress?) {
        self.index = index
        self.unsubscribeAddress = unsubscribeAddress
    }

    /// Where the message says it was delivered: the headers a bounce's envelope recipient (our envelope sender,
    /// with its VERP token) shows up in.
    static let envelopeHeaders = ["Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"]

    /// Classifies one message.
    public func classify(_ message: MIMEPart) -> MailClassification {
        let parts = message.allParts
        let reportType = message.contentType.parameters["report-type"]?.lowercased()
        if let status = parts.first(where: { ["message/delivery-status", "message/global-delivery-status"].contains($0.contentType.mimeType) }) {
            return classifyDSN(message, statusPart: status)
        }
        if let feedback = parts.first(where: { $0.contentType.mimeType == "message/feedback-report" }) {
            return classifyComplaint(message, feedbackPart: feedback)
        }
        if reportType == "disposition-notification" || parts.contains(where: { $0.contentType.mimeType == "message/disposition-notification" }) {
            return .ignored("a read receipt (RFC 8098)")
        }
        if let why = bounceSign(message.headers) {
            return classifyPlainBounce(message, sign: why)
        }
        if let why = autoReplySign(message.headers) {
            return .ignored("an auto-reply (\(why))")
        }
        if let unsubscribeAddress, isAddressed(message.headers, to: unsubscribeAddress) {
            return classifyUnsubscribe(message)
        }
        return .ignored("not a report: a reply or other mail")
    }

    // MARK: - Bounces

    func classifyDSN(_ message: MIMEPart, statusPart: MIMEPart) -> MailClassification {
        let status = DeliveryStatus(text: statusPart.text)
        let original = message.allParts.lazy.compactMap(\.enclosedMessage).first
        let verpAddress = verpRecipient(message.headers, original: original)
        var findings: [MailClassification.Finding] = []
        var delivered = 0
        for recipient in status.recipients {
            let effect: MailClassification.Finding.Effect
            switch recipient.action {
            case "failed": effect = recipient.statusClass == 5 ? .hardBounce : .softBounce
            case "delayed": effect = .softBounce
            default:
                delivered += 1
                continue
            }
            // VERP names the one recipient of the message that bounced; otherwise the address as we sent it
            // (Original-Recipient), then as the server last knew it (Final-Recipient).
            var address = verpAddress
            if address == nil {
                address = [recipient.originalRecipient, recipient.finalRecipient].compactMap { $0 }.lazy.compactMap(index.subscriber).first
            }
            if address == nil, status.recipients.count == 1, let original {
                address = original.headers.addresses(["To"]).lazy.compactMap(index.subscriber).first
            }
            guard let address else { continue }
            var detail = "\(recipient.action) \(recipient.status.isEmpty ? "(no status)" : recipient.status)"
            if let diagnostic = recipient.diagnostic { detail += ": " + diagnostic }
            add(MailClassification.Finding(effect: effect, address: address, detail: MailClassifier.clean(detail)), to: &findings)
        }
        if findings.isEmpty {
            if delivered > 0 && delivered == status.recipients.count { return .ignored("a delivery report without failure") }
            return MailClassification(kind: .bounce, note: "a delivery status notification that names no subscriber")
        }
        return MailClassification(kind: .bounce, findings: findings)
    }

    func classifyPlainBounce(_ message: MIMEPart, sign: String) -> MailClassification {
        let original = message.allParts.lazy.compactMap(\.enclosedMessage).first
        let text = (message.headers["Subject"] ?? "") + "\n" + message.plainText()
        let effect: MailClassification.Finding.Effect
        let detail: String
        switch BounceText.severity(of: text) {
        case .permanent(let why):
            effect = .hardBounce
            detail = "plain-text bounce, permanent: " + why
        case .temporary(let why):
            effect = .softBounce
            detail = "plain-text bounce, temporary: " + why
        case .unknown:
            effect = .softBounce
            detail = "plain-text bounce without a recognisable reason"
        }
        var address = verpRecipient(message.headers, original: original)
        if address == nil {
            // Exim names the failed addresses in a header of its own; the returned message names its recipient.
            let named = message.headers.addresses(["X-Failed-Recipients"]) + (original?.headers.addresses(["To"]) ?? [])
            address = named.lazy.compactMap(index.subscriber).first
        }
        guard let address else {
            return MailClassification(kind: .bounce, note: "a bounce (\(sign)) that names no subscriber")
        }
        return MailClassification(kind: .bounce, findings: [.init(effect: effect, address: address, detail: MailClassifier.clean(detail))])
    }

    /// Why the headers look like a bounce written for people, if they do.
    func bounceSign(_ headers: MessageHeaders) -> String? {
        let from = headers.addresses(["From"]).first?.localPart.lowercased() ?? ""
        if ["mailer-daemon", "postmaster", "mail-delivery-subsystem", "mailerdaemon"].contains(from) { return "from \(from)" }
        if headers["X-Failed-Recipients"] != nil { return "X-Failed-Recipients" }
        let subject = (headers["Subject"] ?? "").lowercased()
        let subjects = [
            "undelivered mail", "undeliverable", "delivery status notification", "mail delivery failed", "failure notice",
            "returned mail", "delivery failure", "could not send message", "mail delivery failure", "delivery has failed",
            "delayed mail", "warning: message", "non remis", "unzustellbar",
        ]
        if let phrase = subjects.first(where: subject.contains), headers["Return-Path"]?.trimmingCharacters(in: .whitespaces) == "<>" {
            return "subject \"\(phrase)\" from the null sender"
        }
        return nil
    }

    // MARK: - Complaints

    func classifyComplaint(_ message: MIMEPart, feedbackPart: MIMEPart) -> MailClassification {
        let fields = MessageHeaders.parse(Array(feedbackPart.text.utf8)[...]).headers
        let type = (fields["Feedback-Type"] ?? "abuse").trimmingCharacters(in: .whitespaces).lowercased()
        guard type != "not-spam" else { return .ignored("a feedback report of type not-spam") }
        let original = message.allParts.lazy.compactMap(\.enclosedMessage).first
        var candidates: [(EmailAddress?, String)] = []
        // The envelope sender of the reported message carries the VERP token.
        for value in fields.values("Original-Mail-From") + (original?.headers.values("Return-Path") ?? []) {
            candidates.append((index.address(forVERP: value), "VERP"))
        }
        candidates.append((verpRecipient(message.headers, original: nil), "VERP"))
        for address in fields.addresses(["Original-Rcpt-To"]) { candidates.append((index.subscriber(address), "Original-Rcpt-To")) }
        if let original {
            let unsubscribeText = original.headers.values("List-Unsubscribe").joined(separator: " ")
            candidates.append((tokenAddress(in: unsubscribeText), "List-Unsubscribe token"))
            for address in original.headers.addresses(["To"]) { candidates.append((index.subscriber(address), "To of the reported message")) }
        }
        guard let (address, how) = candidates.first(where: { $0.0 != nil }), let address else {
            return MailClassification(kind: .complaint, note: "a feedback report (\(type)) that names no subscriber")
        }
        return MailClassification(
            kind: .complaint,
            findings: [.init(effect: .complaint, address: address, detail: MailClassifier.clean("feedback report \(type), by \(how)"))])
    }

    // MARK: - Unsubscribe requests and everything else

    func classifyUnsubscribe(_ message: MIMEPart) -> MailClassification {
        let subject = message.headers["Subject"] ?? ""
        if let address = tokenAddress(in: subject + "\n" + message.plainText(limit: 64 * 1024)) {
            return MailClassification(kind: .unsubscribe, findings: [.init(effect: .unsubscribe, address: address, detail: "unsubscribe mail with a valid token")])
        }
        let senders = message.headers.addresses(["From"])
        guard senders.count == 1, let sender = index.subscriber(senders[0]) else {
            return .ignored("a mail to the unsubscribe address from someone not on the list, without a valid token")
        }
        // The receiving server's verdict, when it recorded one: a From that fails DMARC is not the subscriber.
        let results = message.headers.values("Authentication-Results").joined(separator: ";").lowercased()
        if results.contains("dmarc=fail") {
            return .ignored("a mail to the unsubscribe address whose From failed DMARC")
        }
        return MailClassification(kind: .unsubscribe, findings: [.init(effect: .unsubscribe, address: sender, detail: "unsubscribe mail from the subscriber")])
    }

    /// Why the headers mark an automatic reply (RFC 3834 and the common non-standard signs), if they do.
    func autoReplySign(_ headers: MessageHeaders) -> String? {
        if let value = headers["Auto-Submitted"], value.trimmingCharacters(in: .whitespaces).lowercased() != "no" {
            return "Auto-Submitted: " + MailClassifier.clean(value)
        }
        for name in ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "X-Autogenerated"] where headers[name] != nil {
            return name
        }
        if let precedence = headers["Precedence"]?.trimmingCharacters(in: .whitespaces).lowercased(),
            ["bulk", "junk", "list", "auto_reply"].contains(precedence)
        {
            return "Precedence: " + precedence
        }
        let subject = EncodedWords.decode(headers["Subject"] ?? "").lowercased()
        let prefixes = ["auto:", "automatic reply", "autoreply", "auto-reply", "out of office", "abwesenheitsnotiz", "réponse automatique"]
        if let prefix = prefixes.first(where: subject.hasPrefix) { return "subject \"\(prefix)\"" }
        return nil
    }

    /// Whether `address` is among the message's recipients as its headers show them.
    func isAddressed(_ headers: MessageHeaders, to address: EmailAddress) -> Bool {
        headers.addresses(MailClassifier.envelopeHeaders + ["Cc"]).contains { $0.normalized == address.normalized }
    }

    /// The subscriber named by a VERP token in the addresses a report came back to.
    func verpRecipient(_ headers: MessageHeaders, original: MIMEPart?) -> EmailAddress? {
        guard index.verp != nil else { return nil }
        let values = MailClassifier.envelopeHeaders.flatMap { headers.values($0) } + (original?.headers.values("Return-Path") ?? [])
        for value in values {
            for address in MessageHeaders.addresses(in: value) {
                if let found = index.address(forVERP: address.description) { return found }
            }
        }
        return nil
    }

    /// The subscriber whose unsubscribe token appears in `text` (a URL's `token=`, a subject), if any.
    func tokenAddress(in text: String) -> EmailAddress? {
        var word = ""
        var checked = 0
        func check() -> EmailAddress? {
            defer { word = "" }
            guard word.count >= 24, word.count <= UnsubscribeToken.maximumLength else { return nil }
            checked += 1
            return index.address(forUnsubscribeToken: word)
        }
        for character in text.prefix(100_000) {
            if character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_") {
                word.append(character)
            } else if let found = check() {
                return found
            }
            if checked > 10_000 { return nil }
        }
        return check()
    }

    /// Untrusted text made fit for one line of output or a journal field.
    static func clean(_ text: String) -> String {
        String(Sanitize.collapsedLine(EncodedWords.decode(text)).prefix(200))
    }

    private func add(_ finding: MailClassification.Finding, to findings: inout [MailClassification.Finding]) {
        if let existing = findings.firstIndex(where: { $0.address == finding.address }) {
            // One message, one effect per subscriber: the permanent one wins.
            if finding.effect == .hardBounce { findings[existing] = finding }
        } else {
            findings.append(finding)
        }
    }
}
