import Foundation
import Synchronization

/// `newsletter fetch`, and the first step of `send` and `preview`: downloads every remote feed into the state
/// folder, at most `feeds.parallel` at a time, and reads every local one, recording when each item was first seen.
///
/// A feed that fails keeps its last good copy, and its failure is recorded (`failingSince`, for `check`); the others
/// go on. Only a state folder that cannot be written stops the run.
public struct FeedFetch: Sendable {
    /// What happened to one feed.
    public struct Outcome: Sendable {
        public enum Status: Sendable, Equatable {
            /// A new document (200), or a local file read: how many items it holds.
            case updated(items: Int)
            /// 304: the copy in the state folder is current.
            case notModified
            case failed(FeedError)
        }

        public var location: SourceSetting.FeedLocation
        public var status: Status
        /// How long the feed has failed, when it fails.
        public var failingSince: Date?
    }

    public var configuration: Configuration
    public var now: Date
    /// `newsletter/<version>`, sent as the User-Agent.
    public var userAgent: String
    /// Whether local feeds are read too, to record when their items were first seen (`fetch`, `send`); a preview
    /// reads them in place and leaves the state folder alone for them.
    public var includesLocal: Bool

    public init(configuration: Configuration, now: Date, userAgent: String, includesLocal: Bool = true) {
        self.configuration = configuration
        self.now = now
        self.userAgent = userAgent
        self.includesLocal = includesLocal
    }

    /// The feeds of the configuration to fetch, in order.
    public var feeds: [SourceSetting.FeedLocation] {
        var result: [SourceSetting.FeedLocation] = []
        for case .feed(let location, _) in configuration.sources where !result.contains(location) {
            if case .local = location, !includesLocal { continue }
            result.append(location)
        }
        return result
    }

    /// Fetches every feed; returns one outcome per feed, in the configuration's order.
    ///
    /// - Throws: `FileSystem.IOError` when the state folder cannot be written, `FileLock.LockError` when another
    ///   fetch holds the lock for more than a minute.
    public func run() throws -> [Outcome] {
        let feeds = self.feeds
        guard !feeds.isEmpty, let stateDirectory = configuration.stateDirectory else { return [] }
        let store = FeedStore(stateDirectory: stateDirectory)
        do {
            try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        } catch {
            throw FileSystem.IOError(path: store.directory, reason: FileSystem.reason(error))
        }
        let lock = try FileLock.acquire(store.lockPath, timeout: 60, holder: "newsletter fetch since \(Instant.iso(Date()))")
        defer { lock.release() }
        for feed in feeds { try store.prepare(feed) }

        let next = Mutex(0)
        let results = Mutex([Outcome?](repeating: nil, count: feeds.count))
        let ioError = Mutex<FileSystem.IOError?>(nil)
        let workers = min(configuration.feeds.parallel, feeds.count)
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            // A thread of its own per worker: each drives its own curl handle to the end.
            let thread = Thread {
                defer { group.leave() }
                while true {
                    let index = next.withLock { value -> Int in
                        defer { value += 1 }
                        return value
                    }
                    guard index < feeds.count else { return }
                    do throws(FileSystem.IOError) {
                        let outcome = try fetchOne(feeds[index], store: store)
                        results.withLock { $0[index] = outcome }
                    } catch {
                        ioError.withLock { if $0 == nil { $0 = error } }
                    }
                }
            }
            thread.stackSize = 4 << 20  // libxml2 nests up to 256 elements; the text walk recurses with it
            thread.start()
        }
        group.wait()
        if let error = ioError.withLock({ $0 }) { throw error }
        return results.withLock { $0.compactMap { $0 } }
    }

    /// Fetches one feed, updates its state, and says what happened.
    func fetchOne(_ location: SourceSetting.FeedLocation, store: FeedStore) throws(FileSystem.IOError) -> Outcome {
        var state = store.state(location) ?? FeedState(feed: location.display)
        state.feed = location.display
        state.lastAttempt = now
        let settings = configuration.feeds
        let status: Outcome.Status
        do {
            let document: [UInt8]
            switch location {
            case .local(let path):
                document = try FeedArticleSource.readLocal(path, feed: location.display, maxBytes: settings.maxBytes)
            case .remote(let url):
                let fetcher = HTTPFeedFetcher(userAgent: userAgent, timeoutSeconds: settings.timeoutSeconds, maxBytes: settings.maxBytes, caFile: settings.caFile)
                // Validators only while the copy they describe is there.
                let cached = store.document(location) != nil
                switch try fetcher.fetch(url, feed: location.display, etag: cached ? state.etag : nil, lastModified: cached ? state.lastModified : nil) {
                case .notModified:
                    state.lastSuccess = now
                    state.failingSince = nil
                    state.lastError = nil
                    try store.save(state, for: location)
                    return Outcome(location: location, status: .notModified)
                case .document(let body, let etag, let lastModified):
                    document = body
                    state.etag = etag
                    state.lastModified = lastModified
                }
            }
            let base: String
            if case .remote(let url) = location { base = url } else if case .local(let path) = location { base = URL(fileURLWithPath: path).absoluteString } else { base = "" }
            // Parsed before it replaces the last good copy: a broken document never does.
            let feed = try FeedParser.parse(document, url: base, feed: location.display, maxBytes: settings.maxBytes)
            if case .remote = location { try store.saveDocument(document, for: location) }
            try store.recordFirstSeen(feed.items.map(\.id), for: location, now: now)
            state.lastSuccess = now
            state.failingSince = nil
            state.lastError = nil
            status = .updated(items: feed.items.count)
        } catch let error as FeedError {
            if case .remote = location, store.document(location) == nil {
                state.etag = nil
                state.lastModified = nil
            }
            state.failingSince = state.failingSince ?? now
            state.lastError = error.reason
            status = .failed(error)
        } catch let error as FileSystem.IOError {
            throw error
        } catch {
            throw FileSystem.IOError(path: store.directory, reason: FileSystem.reason(error))
        }
        try store.save(state, for: location)
        return Outcome(location: location, status: status, failingSince: state.failingSince)
    }
}
