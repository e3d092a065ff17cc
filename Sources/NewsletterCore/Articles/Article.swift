import Foundation

/// One article as read from its file, before cleaning.
public struct Article: Sendable, Equatable {
    /// The title as text: control characters became spaces and white space is collapsed.
    public var title: String
    /// The URL as written on line 2.
    public var url: String
    /// The URL when it is an absolute http(s) URL, the only kind the digest links to.
    public var link: URL?
    /// When it was published (line 1).
    public var published: Date
    /// The file it came from, for messages.
    public var file: String
    /// The article's HTML, untrusted, as written after the dashes.
    public var html: String
    /// The name of the source it came from (a feed's `name`, or its title), when the source has one.
    public var sourceName: String?
    /// For a feed item: `<feed URL> <item id>`, remembered in the state folder once an edition carried it, so
    /// that an item edited later, or a feed that reorders, does not come back.
    public var itemKey: String?
    /// The URL that relative links in ``html`` resolve against when it is not ``link`` (a feed's `xml:base`).
    public var contentBase: URL?

    public init(
        title: String, url: String, link: URL?, published: Date, file: String, html: String, sourceName: String? = nil,
        itemKey: String? = nil, contentBase: URL? = nil
    ) {
        self.title = title
        self.url = url
        self.link = link
        self.published = published
        self.file = file
        self.html = html
        self.sourceName = sourceName
        self.itemKey = itemKey
        self.contentBase = contentBase
    }

    /// The "source" shown beside the title (`{{source}}`): the source's name when it has one, else the host of
    /// ``link`` without a leading `www.`.
    public var source: String? {
        if let sourceName, !sourceName.isEmpty { return sourceName }
        guard var host = link?.host, !host.isEmpty else { return nil }
        if host.hasPrefix("www.") { host.removeFirst(4) }
        return host
    }
}

/// Why an article file was skipped.
public struct ArticleFileProblem: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file at fault.
    public var file: String
    /// The 1-based line at fault, when one line is.
    public var line: Int?
    /// What is wrong with it.
    public var reason: String

    public init(file: String, line: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { return "\(file):\(line): \(reason)" }
        return "\(file): \(reason)"
    }
}
