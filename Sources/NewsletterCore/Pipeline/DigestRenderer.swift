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
    }

    /// Builds the message for `subscriber`.
    ///
    /// - Throws: ``RenderError`` when the unsubscribe URL template gives something that is not an https URL.
    public func message(for subscriber: Subscriber, identity: inout some MessageIdentity) throws(RenderError) -> MailMessage {
        let token = tokens?.token(for: subscriber.address) ?? DigestRenderer.placeholderToken
        let unsubscribeURL = try self.unsubscribeURL(token: token, address: subscriber.address)
        let (textBody, htmlBody) = bodies(for: subscriber, unsubscribeURL: unsubscribeURL)
        return envelope(for: subscriber, unsubscribeURL: unsubscribeURL, textBody: textBody, htmlBody: htmlBody, identity: &identity)
    }

    /// The message around the given bodies: headers, identity, unsubscribe URIs.
    func envelope(for subscriber: Subscriber, unsubscribeURL: String, textBody: String, htmlBody: String, identity: inout some MessageIdentity) -> MailMessage {
        var uris = [unsubscribeURL]
        if let mailto = configuration.newsletter.unsubscribeMailto {
            uris.append("mailto:\(mailto)?subject=unsubscribe")
        }
        let from = configuration.newsletter.from
        return MailMessage(
            from: from, to: subscriber.mailbox, subject: baseContext["subject"] as? String ?? configuration.newsletter.title,
            date: date, timeZone: configuration.newsletter.timeZone,
            messageID: identity.messageID(domain: from.address.domain, date: date), listID: configuration.newsletter.listID,
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
            let unsubscribeURL = try self.unsubscribeURL(token: token, address: subscriber.address)
            let values = [subscriber.address.description, subscriber.name ?? "", unsubscribeURL]
            let headers = envelope(for: subscriber, unsubscribeURL: unsubscribeURL, textBody: "", htmlBody: "", identity: &identity)
            return (headers.messageID, wire.message(headers, values: values, fixed: fixedFields(headers)))
        }
        let message = try self.message(for: subscriber, identity: &identity)
        let bytes = message.serialized()
        // The first message of a checked skeleton also checks its encoded form; a difference turns skeletons off.
        if eligible, !skeletons.isDisabled, skeletons.isVerified(hasName: hasName), let (text, html) = skeletons.made(hasName: hasName) {
            let wire = skeletons.wire(hasName: hasName) ?? skeletons.setWire(WireMessage(text: text, html: html), hasName: hasName)
            let values = [subscriber.address.description, subscriber.name ?? "", message.unsubscribeURIs[0]]
            if wire.message(message, values: values, fixed: fixedFields(message)) == message.serialized(textEncoding: wire.text.encoding, htmlEncoding: wire.html.encoding) {
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
        subscriberContext["fields"] = DigestRenderer.mustacheValue(.object(subscriber.fields))
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

    /// Checks the unsubscribe-URL template before anything is sent. Only the token (hex) and the address
    /// (percent-encoded) vary between subscribers, so one good URL means every URL is good.
    public func validateUnsubscribeURL(for subscriber: Subscriber) throws(RenderError) {
        let url = try unsubscribeURL(token: tokens?.token(for: subscriber.address) ?? DigestRenderer.placeholderToken, address: subscriber.address)
        guard URL(string: url) != nil else {
            throw .invalidOutput(source: "\(configuration.file): newsletter.unsubscribeURL", reason: "gave '\(url)', which is not a valid URL")
        }
    }

    func unsubscribeURL(token: String, address: EmailAddress) throws(RenderError) -> String {
        let encodedEmail = DigestRenderer.percentEncoded(address.description)
        // The token is hex and the address percent-encoded: once the template's own text has passed the checks
        // below, a URL filled in from its skeleton passes them too, but for its length.
        if let skeleton = skeletons.unsubscribeSkeleton {
            let url = skeleton.fill([token, encodedEmail])
            if url.utf8.count <= 900 { return url }
        }
        let url = templates.unsubscribeLink(["token": token, "email": encodedEmail])
        let isClean = !url.unicodeScalars.contains { Sanitize.isControl($0) || $0 == " " || $0 == "<" || $0 == ">" || $0 == "\"" }
        guard url.lowercased().hasPrefix("https://"), isClean, url.utf8.count <= 900 else {
            throw .invalidOutput(
                source: "\(configuration.file): newsletter.unsubscribeURL",
                reason: "gave '\(Sanitize.printable(url))' for \(address), which is not a usable https URL")
        }
        if !skeletons.triedUnsubscribeSkeleton {
            skeletons.triedUnsubscribeSkeleton = true
            let rendered = templates.unsubscribeLink(["token": BodySkeleton.marker(0), "email": BodySkeleton.marker(1)])
            if let skeleton = BodySkeleton(rendered), skeleton.fill([token, encodedEmail]) == url {
                skeletons.unsubscribeSkeleton = skeleton
            }
        }
        return url
    }

    /// `text` percent-encoded for a URL query value: every octet but ASCII letters, digits and `-._~`
    /// (RFC 3986 unreserved) as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
                output.append(byte)
            default:
                output += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

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

/// A rendered body with holes where the subscriber's values go: static text, and slots that take a value as is
/// or HTML-escaped, the way the template asked for it (`{{{x}}}` or `{{x}}`).
struct BodySkeleton: Equatable {
    enum Segment: Equatable {
        case text(String)
        case value(Int, escaped: Bool)
    }

    let segments: [Segment]

    /// The marker rendered in place of value `index`. The `&` shows whether Mustache escaped it.
    static func marker(_ index: Int) -> String { "\u{E000}\(index)&\u{E001}" }

    /// Splits `rendered` at its markers; nil if a marker was altered (a template transformed the value).
    init?(_ rendered: String) {
        var segments: [Segment] = []
        var rest = Substring(rendered)
        while let open = rest.firstIndex(of: "\u{E000}") {
            segments.append(.text(String(rest[..<open])))
            guard let close = rest[open...].firstIndex(of: "\u{E001}") else { return nil }
            let inner = rest[rest.index(after: open)..<close]
            switch inner {
            case "0&", "1&", "2&": segments.append(.value(Int(String(inner.prefix(1)))!, escaped: false))
            case "0&amp;", "1&amp;", "2&amp;": segments.append(.value(Int(String(inner.prefix(1)))!, escaped: true))
            default: return nil
            }
            rest = rest[rest.index(after: close)...]
        }
        segments.append(.text(String(rest)))
        self.segments = segments
    }

    /// The body with `values` in its slots.
    func fill(_ values: [String]) -> String {
        var output = ""
        output.reserveCapacity(segments.reduce(0) { if case .text(let t) = $1 { return $0 + t.utf8.count } else { return $0 + 64 } })
        for segment in segments {
            switch segment {
            case .text(let text): output += text
            case .value(let index, let escaped): output += escaped ? BodySkeleton.htmlEscape(values[index]) : values[index]
            }
        }
        return output
    }

    /// Mustache's own escaping: `< > & " '`.
    static func htmlEscape(_ text: String) -> String {
        guard text.utf8.contains(where: { entity($0) != nil }) else { return text }
        // Mustache escapes whole characters: a special character followed by a combining mark is one character
        // that it leaves alone. Such text goes character by character; all other text octet by octet.
        let utf8 = Array(text.utf8)
        for index in utf8.indices.dropLast() where utf8[index + 1] >= 0x80 && entity(utf8[index]) != nil {
            var result = ""
            for character in text {
                if let entity = character.asciiValue.flatMap(entity) { result += entity } else { result.append(character) }
            }
            return result
        }
        var result: [UInt8] = []
        result.reserveCapacity(utf8.count + 32)
        for byte in utf8 {
            if let entity = entity(byte) { result += entity.utf8 } else { result.append(byte) }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The entity Mustache writes for an ASCII octet it escapes.
    private static func entity(_ byte: UInt8) -> String? {
        switch byte {
        case 0x3C: return "&lt;"
        case 0x3E: return "&gt;"
        case 0x26: return "&amp;"
        case 0x22: return "&quot;"
        case 0x27: return "&#39;"
        default: return nil
        }
    }
}

/// A body skeleton for the wire: its fixed text with the encodings made of it, and the transfer encoding chosen
/// once for the run from that text.
final class WireSkeleton {
    enum Part {
        case fixed(FixedText)
        case value(Int, escaped: Bool)
    }

    let parts: [Part]
    let encoding: BodyEncoding
    /// Octets of fixed text.
    let fixedSize: Int

    init(_ skeleton: BodySkeleton) {
        var parts: [Part] = []
        var fixed: [UInt8] = []
        for segment in skeleton.segments {
            switch segment {
            case .text(let text):
                let piece = FixedText(text)
                fixed += piece.normalized
                parts.append(.fixed(piece))
            case .value(let index, let escaped):
                parts.append(.value(index, escaped: escaped))
            }
        }
        self.parts = parts
        fixedSize = fixed.count
        encoding = fixed.withUnsafeBufferPointer { BodyEncoding.choose(for: $0) }
    }

    /// Writes the body with `values` in its slots (`escaped` holds their HTML-escaped forms).
    func write(_ values: [String], escaped: [String], to stream: inout BodyStream) {
        for part in parts {
            switch part {
            case .fixed(let text): stream.append(text)
            case .value(let index, let isEscaped): stream.append(isEscaped ? escaped[index] : values[index])
            }
        }
    }
}

/// Both wire skeletons of a message.
final class WireMessage {
    let text: WireSkeleton
    let html: WireSkeleton

    init(text: BodySkeleton, html: BodySkeleton) {
        self.text = WireSkeleton(text)
        self.html = WireSkeleton(html)
    }

    /// `envelope` in wire form with the skeletons' bodies filled with `values` (email, name, unsubscribe URL).
    func message(_ envelope: MailMessage, values: [String], fixed: MailMessage.FixedFields) -> [UInt8] {
        let escaped = values.map(BodySkeleton.htmlEscape)
        return envelope.assembled(
            textEncoding: text.encoding, htmlEncoding: html.encoding, bodySize: text.fixedSize + html.fixedSize + 512, fixed: fixed,
            text: { self.text.write(values, escaped: escaped, to: &$0) }, html: { self.html.write(values, escaped: escaped, to: &$0) })
    }
}

/// The skeletons of one renderer, made on first use; used from the one thread that renders.
final class SkeletonCache: @unchecked Sendable {
    private var made: [Bool: (text: BodySkeleton, html: BodySkeleton)?] = [:]
    private var verified: Set<Bool> = []
    private var wires: [Bool: WireMessage] = [:]
    private var wireVerified: Set<Bool> = []
    /// The unsubscribe URL's template rendered with markers for the token and the address, once one URL made
    /// from it has matched the full render.
    var unsubscribeSkeleton: BodySkeleton?
    var triedUnsubscribeSkeleton = false
    /// The shared header fields (From, Subject, Date, List-Id), made once.
    var fixedFields: MailMessage.FixedFields?
    private(set) var isDisabled = false

    func made(hasName: Bool) -> (text: BodySkeleton, html: BodySkeleton)? { made[hasName] ?? nil }
    func wire(hasName: Bool) -> WireMessage? { wires[hasName] }
    func setWire(_ wire: WireMessage, hasName: Bool) -> WireMessage {
        wires[hasName] = wire
        return wire
    }
    func isWireVerified(hasName: Bool) -> Bool { wireVerified.contains(hasName) }
    func markWireVerified(hasName: Bool) { wireVerified.insert(hasName) }

    func skeleton(hasName: Bool, make: () -> (text: BodySkeleton, html: BodySkeleton)?) -> (text: BodySkeleton, html: BodySkeleton)? {
        if let existing = made[hasName] { return existing }
        let skeleton = make()
        made[hasName] = skeleton
        return skeleton
    }

    func isVerified(hasName: Bool) -> Bool { verified.contains(hasName) }
    func markVerified(hasName: Bool) { verified.insert(hasName) }
    func disable() { isDisabled = true }
}
