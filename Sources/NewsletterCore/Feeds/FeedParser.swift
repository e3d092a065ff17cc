import CLibXML2
import Foundation

/// Parses RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 documents with libxml2's XML parser, safely.
///
/// The parser is given `XML_PARSE_NONET` and neither `XML_PARSE_NOENT` nor `XML_PARSE_DTDLOAD`: no external DTD or
/// entity is ever loaded, from the network or from a file (an XXE feed naming `file:///etc/passwd` reads nothing).
/// Nor `XML_PARSE_HUGE`: libxml2 then stops a document whose entities expand out of proportion to its size ("billion
/// laughs") with "Detected an entity reference loop", and the text this type reads through entity references is
/// bounded again by its own budget. The document's own declared encoding is honoured (GB18030, ISO-8859-1…).
public enum FeedParser {
    static let atomNS = "http://www.w3.org/2005/Atom"
    static let rdfNS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    static let contentNS = "http://purl.org/rss/1.0/modules/content/"
    static let dcNS = "http://purl.org/dc/elements/1.1/"
    static let mediaNS = "http://search.yahoo.com/mrss/"
    static let xhtmlNS = "http://www.w3.org/1999/xhtml"

    private static let initialised: Bool = {
        nlxml_init()
        return true
    }()

    /// Parses `bytes`, the feed fetched from `url` (the base of its relative links); `feed` names it in errors.
    ///
    /// - Throws: ``FeedError`` `.tooLarge`, `.malformed` (with libxml2's line and reason) or `.notAFeed`.
    public static func parse(_ bytes: [UInt8], url: String, feed: String, maxBytes: Int) throws(FeedError) -> ParsedFeed {
        guard bytes.count <= maxBytes else { throw .tooLarge(feed: feed, limit: maxBytes) }
        guard !bytes.isEmpty else { throw .malformed(feed: feed, line: nil, reason: "the document is empty") }
        _ = initialised
        nlxml_init()  // The silent error handler is per thread.
        xmlResetLastError()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                xmlReadMemory(pointer, Int32(buffer.count), url, nil, options)
            }
        }
        guard let document else {
            if let error = xmlGetLastError() {
                let message = error.pointee.message.map { String(cString: $0) } ?? "parse error"
                let line = Int(error.pointee.line)
                throw .malformed(feed: feed, line: line > 0 ? line : nil, reason: Sanitize.collapsedLine(message))
            }
            throw .malformed(feed: feed, line: nil, reason: "libxml2 could not parse it")
        }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { throw .notAFeed(feed: feed, root: "") }
        var reader = Reader(document: document, budget: max(maxBytes, 1 << 20) * 2, feed: feed)
        let name = localName(root)
        let namespace = namespaceOf(root)
        if name == "rss" && namespace == nil {
            return try reader.rss2(root)
        } else if name == "RDF" && namespace == rdfNS {
            return try reader.rss1(root)
        } else if name == "feed" && namespace == atomNS {
            return try reader.atom(root)
        }
        throw .notAFeed(feed: feed, root: Sanitize.printable(String(name.prefix(40))))
    }

    static func localName(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    static func namespaceOf(_ node: xmlNodePtr) -> String? {
        node.pointee.ns?.pointee.href.map { String(cString: $0) }
    }

    static func elements(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    static func attribute(_ node: xmlNodePtr, _ name: String, namespace: String? = nil) -> String? {
        let value = namespace.map { xmlGetNsProp(node, name, $0) } ?? xmlGetNoNsProp(node, name)
        guard let value else { return nil }
        defer { nlxml_free(value) }
        return String(cString: value)
    }

    /// The base URL in force at `node`: `xml:base` attributes up the tree, over the document's URL.
    static func base(_ document: xmlDocPtr, _ node: xmlNodePtr) -> String? {
        guard let value = xmlNodeGetBase(document, node) else { return nil }
        defer { nlxml_free(value) }
        return String(cString: value)
    }

    /// Reads one document's items, counting the text it takes through entity references.
    struct Reader {
        let document: xmlDocPtr
        /// Bytes of text still allowed; entity references spend it.
        var budget: Int
        let feed: String

        // MARK: Formats

        mutating func rss2(_ root: xmlNodePtr) throws(FeedError) -> ParsedFeed {
            guard let channel = FeedParser.elements(root).first(where: { FeedParser.localName($0) == "channel" }) else {
                throw .notAFeed(feed: feed, root: "rss without a channel")
            }
            var parsed = ParsedFeed(format: .rss2, title: "", link: nil, items: [])
            for child in FeedParser.elements(channel) where FeedParser.namespaceOf(child) == nil {
                switch FeedParser.localName(child) {
                case "title": parsed.title = Sanitize.collapsedLine(try text(child))
                case "link": parsed.link = ArticleFileParser.httpURL(resolve(try text(child), at: child))
                case "item": parsed.items.append(try rssItem(child))
                default: break
                }
            }
            return parsed
        }

        mutating func rss1(_ root: xmlNodePtr) throws(FeedError) -> ParsedFeed {
            var parsed = ParsedFeed(format: .rss1, title: "", link: nil, items: [])
            for child in FeedParser.elements(root) {
                switch FeedParser.localName(child) {
                case "channel":
                    for part in FeedParser.elements(child) {
                        if FeedParser.localName(part) == "title" { parsed.title = Sanitize.collapsedLine(try text(part)) }
                        if FeedParser.localName(part) == "link" { parsed.link = ArticleFileParser.httpURL(resolve(try text(part), at: part)) }
                    }
                case "item":
                    var item = try rssItem(child)
                    if item.id.hasPrefix("hash:"), let about = FeedParser.attribute(child, "about", namespace: FeedParser.rdfNS), !about.isEmpty {
                        item.id = FeedParser.boundedID(about)
                    }
                    parsed.items.append(item)
                default: break
                }
            }
            return parsed
        }

        /// An RSS 2.0 or RSS 1.0 item.
        mutating func rssItem(_ node: xmlNodePtr) throws(FeedError) -> FeedItem {
            var title = ""
            var link = ""
            var guid: String?
            var guidIsPermalink = true
            var description: String?
            var encoded: String?
            var date: Date?
            var author: String?
            for child in FeedParser.elements(node) {
                let namespace = FeedParser.namespaceOf(child)
                switch (FeedParser.localName(child), namespace) {
                case ("title", _) where namespace != FeedParser.dcNS && namespace != FeedParser.mediaNS:
                    title = Sanitize.collapsedLine(try text(child))
                case ("link", _) where namespace != FeedParser.atomNS:
                    link = resolve(try text(child).trimmingCharacters(in: .whitespacesAndNewlines), at: child)
                case ("guid", nil):
                    guid = try text(child).trimmingCharacters(in: .whitespacesAndNewlines)
                    guidIsPermalink = FeedParser.attribute(child, "isPermaLink")?.lowercased() != "false"
                case ("description", _) where namespace != FeedParser.dcNS && namespace != FeedParser.mediaNS:
                    description = try markup(child)
                case ("encoded", FeedParser.contentNS?):
                    encoded = try markup(child)
                case ("pubDate", nil), ("date", FeedParser.dcNS?):
                    if date == nil { date = FeedDate.parse(try text(child)) }
                case ("creator", FeedParser.dcNS?), ("author", nil):
                    if author == nil { author = Sanitize.collapsedLine(try text(child)) }
                default: break
                }
            }
            if link.isEmpty, let guid, guidIsPermalink, ArticleFileParser.httpURL(guid) != nil { link = guid }
            let html = encoded ?? description ?? ""
            let id = FeedParser.boundedID(nonEmpty(guid) ?? nonEmpty(link) ?? FeedParser.hashID(title + "\n" + html))
            return FeedItem(id: id, title: title, link: link, published: date, author: author, html: html, contentBase: nil)
        }

        mutating func atom(_ root: xmlNodePtr) throws(FeedError) -> ParsedFeed {
            var parsed = ParsedFeed(format: .atom, title: "", link: nil, items: [])
            for child in FeedParser.elements(root) where FeedParser.namespaceOf(child) == FeedParser.atomNS {
                switch FeedParser.localName(child) {
                case "title": parsed.title = try atomText(child)
                case "link":
                    let rel = FeedParser.attribute(child, "rel") ?? "alternate"
                    if rel == "alternate", parsed.link == nil, let href = FeedParser.attribute(child, "href") {
                        parsed.link = ArticleFileParser.httpURL(resolve(href, at: child))
                    }
                case "entry": parsed.items.append(try atomEntry(child))
                default: break
                }
            }
            return parsed
        }

        mutating func atomEntry(_ node: xmlNodePtr) throws(FeedError) -> FeedItem {
            var id: String?
            var title = ""
            var link = ""
            var published: Date?
            var updated: Date?
            var author: String?
            var content: (html: String, base: String?)?
            var summary: String?
            var media: (description: String?, thumbnail: String?)
            for child in FeedParser.elements(node) {
                let namespace = FeedParser.namespaceOf(child)
                if namespace == FeedParser.mediaNS, FeedParser.localName(child) == "group" {
                    for part in FeedParser.elements(child) {
                        switch FeedParser.localName(part) {
                        case "description": media.description = try text(part)
                        case "thumbnail": media.thumbnail = media.thumbnail ?? FeedParser.attribute(part, "url")
                        default: break
                        }
                    }
                    continue
                }
                guard namespace == FeedParser.atomNS else { continue }
                switch FeedParser.localName(child) {
                case "id": id = try text(child).trimmingCharacters(in: .whitespacesAndNewlines)
                case "title": title = try atomText(child)
                case "link":
                    let rel = FeedParser.attribute(child, "rel") ?? "alternate"
                    if rel == "alternate", link.isEmpty, let href = FeedParser.attribute(child, "href") {
                        link = resolve(href.trimmingCharacters(in: .whitespaces), at: child)
                    }
                case "published": published = FeedDate.parse(try text(child))
                case "updated": updated = FeedDate.parse(try text(child))
                case "author":
                    if let name = FeedParser.elements(child).first(where: { FeedParser.localName($0) == "name" }) {
                        if author == nil { author = Sanitize.collapsedLine(try text(name)) }
                    }
                case "content":
                    // An out-of-line content (src=) has no text here: the summary stands in for it.
                    if FeedParser.attribute(child, "src") == nil {
                        content = (try atomHTML(child), FeedParser.base(document, child))
                    }
                case "summary": summary = try atomHTML(child)
                default: break
                }
            }
            var html = content?.html ?? summary ?? ""
            if html.isEmpty, media.description != nil || media.thumbnail != nil {
                // YouTube's feed: a thumbnail and a plain-text description in media:group.
                if let thumbnail = media.thumbnail { html += "<p><img src=\"\(FeedParser.escape(thumbnail))\" alt=\"\"></p>" }
                if let description = media.description { html += FeedParser.textAsHTML(description) }
            }
            var contentBase: URL?
            if let base = content?.base, base != link { contentBase = URL(string: base) }
            let identifier = FeedParser.boundedID(nonEmpty(id) ?? nonEmpty(link) ?? FeedParser.hashID(title + "\n" + html))
            return FeedItem(
                id: identifier, title: title, link: link, published: published ?? updated, author: author, html: html, contentBase: contentBase)
        }

        // MARK: Text

        /// An Atom text construct (title) as plain text: `type="html"` and `"xhtml"` lose their markup.
        mutating func atomText(_ node: xmlNodePtr) throws(FeedError) -> String {
            switch FeedParser.attribute(node, "type") ?? "text" {
            case "html", "xhtml", "text/html", "application/xhtml+xml":
                return Sanitize.collapsedLine(HTMLParser.parseFragment(try atomHTML(node)).map(\.textContent).joined())
            default:
                return Sanitize.collapsedLine(try text(node))
            }
        }

        /// An Atom text construct (content, summary) as HTML source, by its `type`.
        mutating func atomHTML(_ node: xmlNodePtr) throws(FeedError) -> String {
            switch FeedParser.attribute(node, "type") ?? "text" {
            case "html", "text/html":
                return try text(node)
            case "xhtml", "application/xhtml+xml":
                // The content is one xhtml:div whose children are the markup (RFC 4287 section 3.1.1.3).
                if let div = FeedParser.elements(node).first(where: { FeedParser.localName($0) == "div" }) {
                    return try children(of: div)
                }
                return try children(of: node)
            default:
                return FeedParser.textAsHTML(try text(node))
            }
        }

        /// The text of `node`: its text and CDATA, and what entity references stand for, within the budget.
        mutating func text(_ node: xmlNodePtr) throws(FeedError) -> String {
            var result = ""
            try appendText(of: node, to: &result, depth: 0)
            return result
        }

        private mutating func appendText(of node: xmlNodePtr, to result: inout String, depth: Int) throws(FeedError) {
            var child = node.pointee.children
            while let current = child {
                switch current.pointee.type {
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = current.pointee.content { try spend(&result, String(cString: content)) }
                case XML_ENTITY_REF_NODE:
                    // An internal entity's replacement (an external one was never loaded: no children).
                    guard depth < 8 else { throw .malformed(feed: feed, line: Int(current.pointee.line), reason: "entities nested too deep") }
                    if let entity = current.pointee.children { try appendText(of: entity, to: &result, depth: depth + 1) }
                case XML_ELEMENT_NODE:
                    try appendText(of: current, to: &result, depth: depth)
                default: break
                }
                child = current.pointee.next
            }
        }

        /// An RSS description or `content:encoded`: its text is HTML source; stray child elements (unescaped HTML
        /// that happens to be well-formed) are kept as markup.
        mutating func markup(_ node: xmlNodePtr) throws(FeedError) -> String {
            if FeedParser.elements(node).isEmpty { return try text(node) }
            return try children(of: node)
        }

        /// The children of `node` serialised as markup.
        mutating func children(of node: xmlNodePtr) throws(FeedError) -> String {
            var result = ""
            var child = node.pointee.children
            while let current = child {
                switch current.pointee.type {
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = current.pointee.content { try spend(&result, FeedParser.escape(String(cString: content))) }
                case XML_ELEMENT_NODE:
                    guard let buffer = xmlBufferCreate() else { break }
                    defer { xmlBufferFree(buffer) }
                    _ = xmlNodeDump(buffer, document, current, 0, 0)
                    if let content = xmlBufferContent(buffer) { try spend(&result, String(cString: content)) }
                case XML_ENTITY_REF_NODE:
                    var expanded = ""
                    if let entity = current.pointee.children { try appendText(of: entity, to: &expanded, depth: 1) }
                    try spend(&result, FeedParser.escape(expanded))
                default: break
                }
                child = current.pointee.next
            }
            return result
        }

        private mutating func spend(_ result: inout String, _ text: String) throws(FeedError) {
            budget -= text.utf8.count
            guard budget >= 0 else {
                throw .malformed(feed: feed, line: nil, reason: "entity expansion exceeds the bound (2 × feeds.maxBytes of text); refused")
            }
            result += text
        }

        /// `link` resolved against the base in force at `node` (`xml:base`, the feed's URL).
        func resolve(_ link: String, at node: xmlNodePtr) -> String {
            guard !link.isEmpty, ArticleFileParser.httpURL(link) == nil else { return link }
            guard let base = FeedParser.base(document, node), let baseURL = URL(string: base),
                let resolved = URL(string: link, relativeTo: baseURL)?.absoluteURL
            else { return link }
            return resolved.absoluteString
        }

        func nonEmpty(_ text: String?) -> String? {
            guard let text, !text.isEmpty else { return nil }
            return text
        }
    }

    /// Plain text as HTML paragraphs, line breaks kept.
    static func textAsHTML(_ text: String) -> String {
        let paragraphs = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return paragraphs.map { "<p>" + escape($0).replacingOccurrences(of: "\n", with: "<br>") + "</p>" }.joined()
    }

    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }

    /// An id as remembered in the state folder: one line of at most 1,000 bytes (a longer one is hashed).
    static func boundedID(_ id: String) -> String {
        let line = Sanitize.collapsedLine(id)
        return line.utf8.count <= 1000 ? line : hashID(line)
    }

    /// A stable id for an item with neither id nor link: FNV-1a 64 of its title and content.
    static func hashID(_ text: String) -> String {
        "hash:" + FeedParser.fnv1a(text)
    }

    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
