import Foundation

/// A feed as parsed: its title and link, and its items in document order.
public struct ParsedFeed: Sendable, Equatable {
    /// Which format it was read as.
    public enum Format: String, Sendable {
        case rss2 = "RSS 2.0"
        case rss1 = "RSS 1.0"
        case atom = "Atom 1.0"
    }

    public var format: Format
    /// The feed's own title, as text.
    public var title: String
    /// The feed's home page, when it names one.
    public var link: URL?
    public var items: [FeedItem]
}

/// One item (RSS) or entry (Atom), its HTML untrusted.
public struct FeedItem: Sendable, Equatable {
    /// What identifies it across fetches: the guid or Atom id, else the link, else a hash of title and content.
    public var id: String
    /// The title as text.
    public var title: String
    /// The link as resolved against `xml:base` and the feed's URL, as text.
    public var link: String
    /// When it was published (or, failing that, updated); nil when the feed gives no date it can read.
    public var published: Date?
    /// The author, when named (`dc:creator`, `author`).
    public var author: String?
    /// The content as HTML: `content:encoded`, Atom `content`, else the description or summary.
    public var html: String
    /// The base URL of the content's relative links (`xml:base`), when it differs from the link.
    public var contentBase: URL?
}
