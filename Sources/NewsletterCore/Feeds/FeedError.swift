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

    public var description: String {
        switch self {
        case .tooLarge(let feed, let limit): return "\(feed): the feed is larger than feeds.maxBytes (\(limit) bytes); refused"
        case .malformed(let feed, let line?, let reason): return "\(feed):\(line): not well-formed XML: \(reason)"
        case .malformed(let feed, nil, let reason): return "\(feed): not well-formed XML: \(reason)"
        case .notAFeed(let feed, let root): return "\(feed): not an RSS or Atom feed (the root element is <\(root)>)"
        case .httpStatus(let feed, let status): return "\(feed): the server answered HTTP \(status)"
        case .transfer(let feed, let reason): return "\(feed): \(reason)"
        case .unreadable(let feed, let reason): return "\(feed): cannot read the feed: \(reason)"
        case .setup(let feed, let reason): return "\(feed): \(reason)"
        }
    }
}
