import Foundation

/// `newsletter check`: validates the source list without fetching anything.
///
/// The configuration has already loaded (so every key is valid); this looks at each source as the next run would
/// find it: a folder that exists and can be listed, a local feed that parses, a remote feed's last fetch, and
/// calls out a feed that has failed for `feeds.failingDays` days or more.
public struct SourceCheck: Sendable {
    /// One source's state.
    public struct Finding: Sendable, Equatable {
        /// The folder's path or the feed's URL.
        public var source: String
        /// What was found, one line.
        public var summary: String
        /// Whether it needs attention: unreadable, not a feed, or failing for too long.
        public var isProblem: Bool
        /// Whether its last fetch failed (for less than `feeds.failingDays` when it is no problem yet).
        public var isFailing = false
    }

    public var configuration: Configuration
    public var now: Date

    public init(configuration: Configuration, now: Date) {
        self.configuration = configuration
        self.now = now
    }

    public func run() -> [Finding] {
        configuration.sources.map { setting in
            switch setting {
            case .folder(let path, _): return folder(path)
            case .feed(let location, let name): return feed(location, name: name)
            }
        }
    }

    func folder(_ path: String) -> Finding {
        do {
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
            let count = names.filter { $0.hasSuffix(".txt") && !$0.hasPrefix(".") }.count
            return Finding(source: path, summary: "folder, \(count) article file\(count == 1 ? "" : "s")", isProblem: false)
        } catch {
            return Finding(source: path, summary: "cannot read the article folder: \(FileSystem.reason(error))", isProblem: true)
        }
    }

    func feed(_ location: SourceSetting.FeedLocation, name: String?) -> Finding {
        let label = location.display
        let named = name.map { " \"\($0)\"" } ?? ""
        guard let stateDirectory = configuration.stateDirectory else {
            return Finding(source: label, summary: "feed\(named): needs state.directory", isProblem: true)
        }
        let store = FeedStore(stateDirectory: stateDirectory)
        let state = store.state(location)
        if case .local(let path) = location {
            do {
                let feed = try FeedParser.parse(
                    try FeedArticleSource.readLocal(path, feed: label, maxBytes: configuration.feeds.maxBytes),
                    url: URL(fileURLWithPath: path).absoluteString, feed: label, maxBytes: configuration.feeds.maxBytes)
                return Finding(source: label, summary: "local \(feed.format.rawValue) feed\(named), \(feed.items.count) item\(feed.items.count == 1 ? "" : "s")", isProblem: false)
            } catch {
                return Finding(source: label, summary: "local feed\(named): \(error.reason)", isProblem: true)
            }
        }
        guard let state else {
            return Finding(source: label, summary: "feed\(named): not fetched yet", isProblem: false)
        }
        if let since = state.failingSince {
            let days = now.timeIntervalSince(since) / 86_400
            let limit = configuration.feeds.failingDays
            let last = state.lastSuccess.map { "last worked \(Instant.iso($0))" } ?? "never worked"
            let text = "feed\(named): failing since \(Instant.iso(since)) (\(String(format: "%.1f", days)) days; \(last)): \(state.lastError ?? "unknown error")"
            return Finding(
                source: label, summary: days >= Double(limit) ? text + " — failing for \(limit) days or more" : text, isProblem: days >= Double(limit),
                isFailing: true)
        }
        let last = state.lastSuccess.map(Instant.iso) ?? "never"
        return Finding(source: label, summary: "feed\(named): fetched \(last)", isProblem: false)
    }
}
