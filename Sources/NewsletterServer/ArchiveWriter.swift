import Foundation
import NewsletterCore

/// The web archive: each completed edition as a page (the HTML body as sent, with nothing personal), an index
/// page and an Atom feed. `newsletter archive --out DIR` writes it for any static host; `serve` serves the same
/// at `/archive/`.
public struct ArchiveWriter: Sendable {
    /// One file of the archive.
    public struct File: Sendable {
        /// Its name within the archive: `index.html`, `feed.atom`, `<edition>.html`.
        public var name: String
        public var bytes: [UInt8]
        public var contentType: String
    }

    let configuration: Configuration
    let pages: WebPages
    /// Where the archive is published (`https://news.example.org/archive/`), for the feed's absolute links.
    let baseURL: String?

    /// - Parameters:
    ///   - baseURL: the archive's public address, ending in `/`; by default `server.publicURL` + `/archive/`.
    /// - Throws: ``RenderError`` when the page templates are missing or broken.
    public init(configuration: Configuration, baseURL: String? = nil) throws(RenderError) {
        let directory = configuration.server?.templatesDirectory ?? configuration.templates.directory + "/web"
        self.init(configuration: configuration, pages: try WebPages(directory: directory), baseURL: baseURL)
    }

    init(configuration: Configuration, pages: WebPages, baseURL: String?) {
        self.configuration = configuration
        self.pages = pages
        var base = baseURL ?? configuration.server?.publicURL.map { $0 + "/archive/" }
        if let text = base, !text.hasSuffix("/") { base = text + "/" }
        self.baseURL = base
    }

    /// The completed editions, newest first.
    ///
    /// - Throws: ``ArchiveError`` when there is no state folder; what reading an edition throws.
    public func editions() throws -> [Edition] {
        guard let state = configuration.stateDirectory else { throw ArchiveError.noStateDirectory(file: configuration.file) }
        return try EditionStore(directory: state).completedEditions()
    }

    /// Whether `name` can be an edition's id (what an archive URL may ask for).
    static func isEditionID(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
    }

    /// The page of `edition`: its digest as sent, for nobody in particular.
    public func page(for edition: Edition, templates: TemplateSet) -> File {
        let digest = Digest(configuration: configuration, templates: templates, articles: edition.articles, date: edition.date, tokens: nil)
        return File(name: edition.id + ".html", bytes: Array(digest.renderer.archiveHTML().utf8), contentType: "text/html; charset=utf-8")
    }

    func entries(_ editions: [Edition]) -> [[String: Any]] {
        let zone = configuration.newsletter.timeZone
        return editions.map { edition in
            [
                "id": edition.id, "href": edition.id + ".html", "url": (baseURL ?? "") + edition.id + ".html",
                "dateLong": DisplayDate.long(edition.date, zone), "dateISO": Instant.iso(edition.date),
                "articleCount": edition.articles.count,
                "articleCountText": edition.articles.count == 1 ? "1 article" : "\(edition.articles.count) articles",
                "articles": edition.articles.prefix(20).map { ["title": $0.title] },
                "atomID": atomID(edition.id),
            ]
        }
    }

    /// A stable Atom id (RFC 4151 tag URI) for an edition, or for the feed with `nil`.
    func atomID(_ edition: String?) -> String {
        let domain = configuration.newsletter.from.address.domain
        let list = configuration.newsletter.listID.split(separator: "<").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "> ")) } ?? "newsletter"
        return "tag:\(domain),2024:\(list)" + (edition.map { "/" + $0 } ?? "")
    }

    /// The index page.
    public func index(_ editions: [Edition]) -> File {
        var context: [String: Any] = [
            "newsletterTitle": configuration.newsletter.title, "editions": entries(editions), "hasEditions": !editions.isEmpty, "feedHref": "feed.atom",
            "stylesheetURL": "style.css",
        ]
        if let origin = configuration.server?.publicURL { context["subscribeURL"] = origin + "/subscribe" }
        return File(name: "index.html", bytes: Array(pages.render("archive-index.html", context).utf8), contentType: "text/html; charset=utf-8")
    }

    /// The Atom feed (RFC 4287) of the editions.
    public func feed(_ editions: [Edition], now: Date = Date()) -> File {
        var context: [String: Any] = [
            "newsletterTitle": configuration.newsletter.title, "feedID": atomID(nil), "editions": entries(editions),
            "updated": Instant.iso(editions.first?.date ?? now), "authorName": configuration.newsletter.from.displayName ?? configuration.newsletter.title,
        ]
        if let baseURL {
            context["baseURL"] = baseURL
            context["feedURL"] = baseURL + "feed.atom"
        }
        return File(name: "feed.atom", bytes: Array(pages.render("archive-feed.atom", context).utf8), contentType: "application/atom+xml; charset=utf-8")
    }

    /// The index page's stylesheet (the pages' own), beside it.
    public var stylesheet: File {
        File(name: "style.css", bytes: pages.stylesheet, contentType: "text/css; charset=utf-8")
    }

    /// Every file of the archive.
    public func files(templates: TemplateSet) throws -> [File] {
        let editions = try editions()
        return editions.map { page(for: $0, templates: templates) } + [index(editions), feed(editions), stylesheet]
    }
}

/// The archive cannot be made.
public enum ArchiveError: Error, CustomStringConvertible, Sendable {
    /// There is no `state.directory`, so no edition was ever recorded.
    case noStateDirectory(file: String)

    public var description: String {
        switch self {
        case .noStateDirectory(let file): return "\(file): the archive is made from the editions in state.directory, and there is none"
        }
    }
}
