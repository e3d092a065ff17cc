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
    /// Per-subscriber skeletons of both bodies; see ``BodySkeleton``.
    let skeletons = SkeletonCache()
    /// Each subscriber's unsubscribe URL, from `newsletter.unsubscribeURL`.
    let unsubscribeLink: UnsubscribeLink
    /// The Subject and the `mailto:` unsubscribe URI, the same for every reader: made once, not per message.
    let subject: String
    let mailtoURI: String?

    /// The token used when no secret is configured; only a preview may use it.
    public static let placeholderToken = "preview-token-no-secret-configured"

    /// - Parameter archiveURL: the edition's page in the web archive, `{{archiveURL}}` in templates ("View in
    ///   browser"); nil leaves it out.
    public init(
        configuration: Configuration, templates: TemplateSet, articles: [PreparedArticle], date: Date, tokens: UnsubscribeToken?, archiveURL: String? = nil
    ) {
        self.configuration = configuration
        self.templates = templates
        self.articles = articles
        self.date = date
        self.tokens = tokens
        unsubscribeLink = UnsubscribeLink(templates: templates, source: "\(configuration.file): newsletter.unsubscribeURL")
        let zone = configuration.newsletter.timeZone
        let articleContexts: [[String: Any]] = articles.enumerated().map { index, prepared in
            let article = prepared.article
            var context: [String: Any] = [
                "number": index + 1,
                "title": article.title,
                "published": DisplayDate.short(article.published, zone),
                "publishedISO": Instant.iso(article.published),
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
        if let archiveURL { base["archiveURL"] = archiveURL }
        base["subject"] = templates.subjectLine(base)
        // The article partials are the same for every reader: render them once per edition, here, and hand the
        // results to the per-subscriber render as `renderedHTML` and `renderedText`.
        let renderedArticles = articleContexts.map { article -> [String: Any] in
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
        base["articles"] = renderedArticles
        // The whole run of articles as one string, so that the per-subscriber render inserts it in one step
        // instead of walking the list for every reader.
        base["articlesHTML"] = renderedArticles.map { $0["renderedHTML"] as? String ?? "" }.joined(separator: "\n")
        base["articlesText"] = renderedArticles.map { $0["renderedText"] as? String ?? "" }.joined(separator: "\n")
        baseContext = base
        subject = base["subject"] as? String ?? configuration.newsletter.title
        mailtoURI = configuration.newsletter.unsubscribeMailto.map { "mailto:\($0)?subject=unsubscribe" }
    }

    /// Builds the message for `subscriber`.
    ///
    /// - Throws: ``RenderError`` when the unsubscribe URL template gives something that is not an https URL.
    public func message(for subscriber: Subscriber, identity: inout some MessageIdentity) throws(RenderError) -> MailMessage {
        let token = tokens?.token(for: subscriber.address) ?? DigestRenderer.placeholderToken
        let unsubscribeURL = try unsubscribeLink.url(token: token, address: subscriber.address)
        let (textBody, htmlBody) = bodies(for: subscriber, unsubscribeURL: unsubscribeURL)
        return envelope(for: subscriber, unsubscribeURL: unsubscribeURL, textBody: textBody, htmlBody: htmlBody, identity: &identity)
    }

    /// The message around the given bodies: headers, identity, unsubscribe URIs.
    func envelope(for subscriber: Subscriber, unsubscribeURL: String, textBody: String, htmlBody: String, identity: inout some MessageIdentity) -> MailMessage {
        var uris = [unsubscribeURL]
        if let mailtoURI { uris.append(mailtoURI) }
        let from = configuration.newsletter.from
        return MailMessage(
            from: from, to: subscriber.mailbox, subject: subject,
            date: date, timeZone: configuration.newsletter.timeZone,
            messageID: identity.messageID(domain: from.address.domain, date: date, recipient: subscriber.address), listID: configuration.newsletter.listID,
            unsubscribeURIs: uris, textBody: textBody, htmlBody: htmlBody, boundary: identity.boundary())
    }

    /// The message for `subscriber` in wire form, with its Message-ID: the same bytes as
    /// `message(for:identity:).serialized()`, made faster.
    ///
    /// Once a skeleton has been checked against a full render, and its encoded form against the encoding of that
    /// render, messages are written straight from the skeleton's fixed text, whose encodings are made once per
    /// run (see ``BodyStream``). Each part's transfer encoding is then the one chosen for the skeleton.
    public func wireMessage(for subscriber: Subscriber, identity: inout some MessageIdentity) throws(RenderError) -> (messageID: String, bytes: [UInt8]) {
        let hasName = subscriber.name != nil
        let eligible = subscriber.fields.isEmpty || !templates.mentionsFields
        if eligible, !skeletons.isDisabled, let wire = skeletons.wire(hasName: hasName), skeletons.isWireVerified(hasName: hasName) {
            let token = tokens?.token(for: subscriber.address) ?? DigestRenderer.placeholderToken
            let unsubscribeURL = try unsubscribeLink.url(token: token, address: subscriber.address)
            let values = [subscriber.address.description, subscriber.name ?? "", unsubscribeURL]
            let headers = envelope(for: subscriber, unsubscribeURL: unsubscribeURL, textBody: "", htmlBody: "", identity: &identity)
            return (headers.messageID, wire.message(headers, values: values, escaped: values.map(BodySkeleton.htmlEscape), fixed: fixedFields(headers)))
        }
        let message = try self.message(for: subscriber, identity: &identity)
        let bytes = message.serialized()
        // The first message of a checked skeleton also checks its encoded form; a difference turns skeletons off.
        if eligible, !skeletons.isDisabled, skeletons.isVerified(hasName: hasName), let (text, html) = skeletons.made(hasName: hasName) {
            let wire = skeletons.wire(hasName: hasName) ?? skeletons.setWire(WireMessage(text: text.wirePieces, html: html.wirePieces), hasName: hasName)
            let values = [subscriber.address.description, subscriber.name ?? "", message.unsubscribeURIs[0]]
            if wire.message(message, values: values, escaped: values.map(BodySkeleton.htmlEscape), fixed: fixedFields(message)) == message.serialized(textEncoding: wire.text.encoding, htmlEncoding: wire.html.encoding) {
                skeletons.markWireVerified(hasName: hasName)
            } else {
                skeletons.disable()
            }
        }
        return (message.messageID, bytes)
    }

    /// The header fields every message of this renderer shares, encoded on first use.
    func fixedFields(_ message: MailMessage) -> MailMessage.FixedFields {
        if let made = skeletons.fixedFields { return made }
        let made = MailMessage.FixedFields(message)
        skeletons.fixedFields = made
        return made
    }

    /// The full Mustache render of both bodies for `subscriber`.
    func renderBodies(for subscriber: Subscriber, unsubscribeURL: String) -> (text: String, html: String) {
        var context = baseContext
        var subscriberContext: [String: Any] = ["email": subscriber.address.description]
        if let name = subscriber.name { subscriberContext["name"] = name }
        subscriberContext["fields"] = JSONValue.object(subscriber.fields).mustacheValue
        context["subscriber"] = subscriberContext
        context["unsubscribeURL"] = unsubscribeURL
        return (templates.text(context), templates.html(context))
    }

    /// Both bodies for `subscriber`: filled in from a skeleton when one applies, rendered in full otherwise.
    ///
    /// The skeletons are the templates rendered once with marker values for the subscriber's email, name and
    /// unsubscribe URL. The first message made from each skeleton is compared with a full render; if they differ
    /// (a template doing something with those values other than inserting them), skeletons are off for the run.
    func bodies(for subscriber: Subscriber, unsubscribeURL: String) -> (text: String, html: String) {
        let values = [subscriber.address.description, subscriber.name ?? "", unsubscribeURL]
        guard !skeletons.isDisabled, subscriber.fields.isEmpty || !templates.mentionsFields else {
            return renderBodies(for: subscriber, unsubscribeURL: unsubscribeURL)
        }
        let hasName = subscriber.name != nil
        guard let skeleton = skeletons.skeleton(hasName: hasName, make: { makeSkeleton(hasName: hasName) }) else {
            return renderBodies(for: subscriber, unsubscribeURL: unsubscribeURL)
        }
        let filled = (skeleton.text.fill(values), skeleton.html.fill(values))
        if !skeletons.isVerified(hasName: hasName) {
            let full = renderBodies(for: subscriber, unsubscribeURL: unsubscribeURL)
            guard full == filled else {
                skeletons.disable()
                return full
            }
            skeletons.markVerified(hasName: hasName)
        }
        return filled
    }

    func makeSkeleton(hasName: Bool) -> (text: BodySkeleton, html: BodySkeleton)? {
        var context = baseContext
        var subscriberContext: [String: Any] = ["email": BodySkeleton.marker(0), "fields": [String: Any]()]
        if hasName { subscriberContext["name"] = BodySkeleton.marker(1) }
        context["subscriber"] = subscriberContext
        context["unsubscribeURL"] = BodySkeleton.marker(2)
        guard let text = BodySkeleton(templates.text(context)), let html = BodySkeleton(templates.html(context)) else { return nil }
        // A probe with mixed case, markup characters and CJK: a template that transforms a value (upper-cases a
        // name, say) renders it differently from the skeleton, and skeletons are not used.
        guard let probeAddress = try? EmailAddress("Probe.Mixed+Case@Example.org") else { return nil }
        let probe = Subscriber(address: probeAddress, name: hasName ? "Probe <Mixed> & 'Case' \"Name\" 张伟" : nil)
        let probeURL = "https://example.org/u?t=AbC&e=Probe%40Example.org"
        let values = [probe.address.description, probe.name ?? "", probeURL]
        guard renderBodies(for: probe, unsubscribeURL: probeURL) == (text.fill(values), html.fill(values)) else { return nil }
        return (text, html)
    }
}

extension DigestRenderer {
    /// The HTML body for the web archive: the digest as sent, with nothing personal in it (no address, no name,
    /// no unsubscribe link). Templates see `archive` set (to leave out the subscriber's footer) and no
    /// `subscriber` or `unsubscribeURL`.
    public func archiveHTML() -> String {
        var context = baseContext
        context["archive"] = true
        context["archiveURL"] = nil
        context["subscriber"] = [String: Any]()
        return templates.html(context)
    }

    /// Checks the unsubscribe-URL template before anything is sent. Only the token and the address (both
    /// URL-safe) vary between subscribers, so one good URL means every URL is good.
    public func validateUnsubscribeURL(for subscriber: Subscriber) throws(RenderError) {
        let token = tokens?.token(for: subscriber.address) ?? DigestRenderer.placeholderToken
        try unsubscribeLink.validate(try unsubscribeLink.url(token: token, address: subscriber.address))
    }
}
