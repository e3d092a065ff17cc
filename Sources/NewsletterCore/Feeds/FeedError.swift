import Foundation

/// Why a feed could not be fetched or read: each names the feed (its URL or path).
public enum FeedError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The document is larger than `feeds.maxBytes`.
    case tooLarge(feed: String, limit: Int)
    /// The XML is not well-formed, or uses what the parser refuses (external entities, entity expansion past the
    /// bound); `line` is where libxml2 stopped.
    case malformed(feed: String, line: Int?, reason: String)
    /// Well-formed XML that is not RSS 2.0, RSS 1.0 or Atom 1.0.
    case notAFeed(feed: String, root: String)
    /// The server answered with an HTTP status other than 200 or 304.
    case httpStatus(feed: String, status: Int)
    /// The transfer failed: connection, TLS, timeout, redirects, a refused https→http redirect.
    case transfer(feed: String, reason: String)
    /// A local feed file cannot be read.
    case unreadable(feed: String, reason: String)
    /// Setting up the download failed (libcurl).
    case setup(feed: String, reason: String)

    /// The feed at fault: its URL or path.
    public var feed: String {
        switch self {
        case .tooLarge(let feed, _), .malformed(let feed, _, _), .notAFeed(let feed, _), .httpStatus(let feed, _), .transfer(let feed, _),
            .unreadable(let feed, _), .setup(let feed, _):
            return feed
        }
    }

    /// What is wrong, without the feed's name.
    public var reason: String {
        switch self {
        case .tooLarge(_, let limit): return "the feed is larger than feeds.maxBytes (\(limit) bytes); refused"
        case .malformed(_, let line?, let reason): return "line \(line): not well-formed XML: \(reason)"
        case .malformed(_, nil, let reason): return "not well-formed XML: \(reason)"
        case .notAFeed(_, let root): return "not an RSS or Atom feed (the root element is <\(root)>)"
        case .httpStatus(_, let status): return "the server answered HTTP \(status)"
        case .transfer(_, let reason), .setup(_, let reason): return reason
        case .unreadable(_, let reason): return "cannot read the feed: \(reason)"
        }
    }

    public var description: String { "\(feed): \(reason)" }
}
