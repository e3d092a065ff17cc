import Foundation

/// What the state folder remembers of one feed between runs (`state/feeds/<key>/state.json`).
public struct FeedState: Sendable, Equatable {
    /// The feed's URL or path.
    public var feed: String
    /// The validators of the last 200, sent back for a conditional GET.
    public var etag: String?
    public var lastModified: String?
    /// The last fetch attempt.
    public var lastAttempt: Date?
    /// The last fetch that worked (200 or 304, or a local file read and parsed).
    public var lastSuccess: Date?
    /// The first failure of the current run of failures; nil while the feed works.
    public var failingSince: Date?
    /// The last failure's message.
    public var lastError: String?

    public init(feed: String) {
        self.feed = feed
    }

    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("feed", .string(feed))]
        func add(_ key: String, _ value: String?) {
            if let value { members.append((key, .string(value))) }
        }
        add("etag", etag)
        add("lastModified", lastModified)
        add("lastAttempt", lastAttempt.map(Instant.iso))
        add("lastSuccess", lastSuccess.map(Instant.iso))
        add("failingSince", failingSince.map(Instant.iso))
        add("lastError", lastError)
        return .object(members)
    }

    init?(json: JSONValue) {
        guard case .string(let feed)? = json["feed"] else { return nil }
        self.feed = feed
        func string(_ key: String) -> String? {
            if case .string(let value)? = json[key] { return value }
            return nil
        }
        etag = string("etag")
        lastModified = string("lastModified")
        lastAttempt = string("lastAttempt").flatMap(Instant.parse)
        lastSuccess = string("lastSuccess").flatMap(Instant.parse)
        failingSince = string("failingSince").flatMap(Instant.parse)
        lastError = string("lastError")
    }
}
