import Foundation

/// Renders one edition of the digest into a personalised message per subscriber.
///
/// Everything that is the same for every reader (the cleaned articles, their template contexts) is built once;
/// per subscriber only the subscriber's own fields, the unsubscribe link and the headers change.
public struct DigestRenderer {
    public let configuration: Configuration
    public let templates: TemplateSet
    public let articles: [PreparedArticle]
    /// The edition's time: the Date header and `{{date}}`.
    public let date: Date
    let tokens: UnsubscribeToken?
    let baseContext: [String: Any]

    /// The token used when no secret is configured; only a preview may use it.
    public static let placeholderToken = "preview-token-no-secret-configured"

    public init(configuration: Configuration, templates: TemplateSet, articles: [PreparedArticle], date: Date, tokens: UnsubscribeToken?) {
        self.configuration = configuration
        self.templates = templates
        self.articles = articles
        self.date = date
        self.tokens = tokens
        let zone = configuration.newsletter.timeZone
        let articleContexts: [[String: Any]] = articles.enumerated().map { index, prepared in
            let article = prepared.article
            var context: [String: Any] = [
                "number": index + 1,
                "title": article.title,
                "published": DisplayDate.short(article.published, zone),
                "publishedISO": ISO8601DateFormatter().string(from: article.published),
                "excerptHTML": prepared.excerptHTML,
                "excerptText": prepared.excerptText,
                "contentHTML": prepared.contentHTML,
                "contentText": prepared.contentText,
                "isTruncated": prepared.isExcerptTruncated,
            ]
            if let link = article.link { context["url"] = link.absoluteString }
            if let source = article.source { context["source"] = source }
            if let image = prepared.leadImage { context["image"] = ["src": image.src, "alt": image.alt] }
            return context
        }
        let preheader = articles.prefix(3).map(\.article.title).joined(separator: " · ")
        var base: [String: Any] = [
            "title": configuration.newsletter.title,
            "date": DisplayDate.iso(date, zone),
            "dateLong": DisplayDate.long(date, zone),
            "articleCount": articles.count,
            "articleCountText": articles.count == 1 ? "1 new article" : "\(articles.count) new articles",
            "hasArticles": !articles.isEmpty,
            "preheader": preheader,
            "listId": configuration.newsletter.listID,
            "fromName": configuration.newsletter.from.displayName ?? configuration.newsletter.title,
            "fromEmail": configuration.newsletter.from.address.description,
        ]
        if let mailto = configuration.newsletter.unsubscribeMailto { base["unsubscribeMailto"] = mailto.description }
        base["subject"] = templates.subjectLine(base)
        // The article partials are the same for every reader: render them once per edition, here, and hand the
        // results to the per-subscriber render as `renderedHTML` and `renderedText`.
        base["articles"] = articleContexts.map { article -> [String: Any] in
            var context = base.merging(article) { $1 }
            // A partial's file ends with a newline that the digest template's own line already gives.
            func rendered(_ name: String) -> String {
                var text = templates.partial(name, context) ?? ""
                if text.hasSuffix("\n") { text.removeLast() }
                return text
            }
            context["renderedHTML"] = rendered(TemplateSet.articleHTMLPartial)
            context["renderedText"] = rendered(TemplateSet.articleTextPartial)
            return article.merging(["renderedHTML": context["renderedHTML"]!, "renderedText": context["renderedText"]!]) { $1 }
        }
        baseContext = base
    }

    /// Builds the message for `subscriber`.
    ///
    /// - Throws: ``RenderError`` when the unsubscribe URL template gives something that is not an https URL.
    public func message(for subscriber: Subscriber, identity: inout some MessageIdentity) throws(RenderError) -> MailMessage {
        var context = baseContext
        var subscriberContext: [String: Any] = ["email": subscriber.address.description]
        if let name = subscriber.name { subscriberContext["name"] = name }
        subscriberContext["fields"] = DigestRenderer.mustacheValue(.object(subscriber.fields))
        context["subscriber"] = subscriberContext
        let token = tokens?.token(for: subscriber.address) ?? DigestRenderer.placeholderToken
        let unsubscribeURL = try self.unsubscribeURL(token: token, address: subscriber.address)
        context["unsubscribeURL"] = unsubscribeURL

        var uris = [unsubscribeURL]
        if let mailto = configuration.newsletter.unsubscribeMailto {
            uris.append("mailto:\(mailto)?subject=unsubscribe")
        }
        let from = configuration.newsletter.from
        return MailMessage(
            from: from, to: subscriber.mailbox, subject: context["subject"] as? String ?? configuration.newsletter.title,
            date: date, timeZone: configuration.newsletter.timeZone,
            messageID: identity.messageID(domain: from.address.domain, date: date), listID: configuration.newsletter.listID,
            unsubscribeURIs: uris, textBody: templates.text(context), htmlBody: templates.html(context), boundary: identity.boundary())
    }

    /// Checks the unsubscribe-URL template before anything is sent. Only the token (hex) and the address
    /// (percent-encoded) vary between subscribers, so one good URL means every URL is good.
    public func validateUnsubscribeURL(for subscriber: Subscriber) throws(RenderError) {
        _ = try unsubscribeURL(token: tokens?.token(for: subscriber.address) ?? DigestRenderer.placeholderToken, address: subscriber.address)
    }

    func unsubscribeURL(token: String, address: EmailAddress) throws(RenderError) -> String {
        let encodedEmail = address.description.addingPercentEncoding(withAllowedCharacters: DigestRenderer.queryValueAllowed) ?? ""
        let url = templates.unsubscribeLink(["token": token, "email": encodedEmail])
        let isClean = !url.unicodeScalars.contains { Sanitize.isControl($0) || $0 == " " || $0 == "<" || $0 == ">" || $0 == "\"" }
        guard url.lowercased().hasPrefix("https://"), isClean, url.utf8.count <= 900, URL(string: url) != nil else {
            throw .invalidOutput(
                source: "\(configuration.file): newsletter.unsubscribeURL",
                reason: "gave '\(Sanitize.printable(url))' for \(address), which is not a usable https URL")
        }
        return url
    }

    static let queryValueAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        set.insert(charactersIn: "-._~")
        return set
    }()

    /// Converts JSON into values Mustache can walk: dictionaries, arrays, strings, numbers, booleans.
    static func mustacheValue(_ value: JSONValue) -> Any {
        switch value {
        case .null: return false
        case .bool(let bool): return bool
        case .number(let text): return Int(text).map { $0 as Any } ?? (Double(text).map { $0 as Any } ?? text)
        case .string(let string): return string
        case .array(let elements): return elements.map(mustacheValue)
        case .object(let members):
            var dictionary: [String: Any] = [:]
            for member in members { dictionary[member.key] = mustacheValue(member.value) }
            return dictionary
        }
    }
}
