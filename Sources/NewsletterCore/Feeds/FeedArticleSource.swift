import Foundation

/// The items of one feed as articles: a remote feed from its copy in the state folder (``FeedStore``, written by
/// `fetch`), a local feed from its file.
///
/// Reading never touches the network, so `articles`, `check` and `--no-fetch` runs are quick and offline. An item
/// without a date takes the time `fetch` first saw it (the run's clock when it was never fetched). A feed that cannot
/// be read is a problem of the collection, not an error: the other sources still make the digest.
///
/// Feed items are selected by the window alone, not by the previous edition's cut-off: a feed may publish an item
/// dated before the last edition after it was made. The record of items already sent (``SeenItems``) keeps them
/// from coming twice instead.
public struct FeedArticleSource: ArticleSource {
    public var location: SourceSetting.FeedLocation
    /// The configured name; nil: the feed's own title.
    public var name: String?
    public var store: FeedStore
    public var settings: FeedSettings
    /// The run's clock: the date of an item never seen before.
    public var now: Date

    public init(location: SourceSetting.FeedLocation, name: String?, store: FeedStore, settings: FeedSettings, now: Date) {
        self.location = location
        self.name = name
        self.store = store
        self.settings = settings
        self.now = now
    }

    public var label: String { location.display }

    /// The feed's document: the local file, or the copy the last fetch kept.
    public func document() throws(FeedError) -> [UInt8] {
        switch location {
        case .local(let path):
            return try FeedArticleSource.readLocal(path, feed: label, maxBytes: settings.maxBytes)
        case .remote:
            guard let bytes = store.document(location) else {
                throw .unreadable(feed: label, reason: "not fetched yet: run `newsletter fetch` (or send/preview without --no-fetch)")
            }
            return bytes
        }
    }

    /// Reads a local feed file, refusing one larger than `maxBytes` before reading it.
    static func readLocal(_ path: String, feed: String, maxBytes: Int) throws(FeedError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadable(feed: feed, reason: FileSystem.errnoText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(feed: feed, reason: "not a regular file") }
        guard Int(info.st_size) <= maxBytes else { throw .tooLarge(feed: feed, limit: maxBytes) }
        do {
            return try FileSystem.readAll(path)
        } catch {
            throw .unreadable(feed: feed, reason: error.reason)
        }
    }

    /// The URL relative links resolve against: the feed's own.
    var baseURL: String {
        switch location {
        case .remote(let url): return url
        case .local(let path): return URL(fileURLWithPath: path).absoluteString
        }
    }

    public func candidates(_ selection: ArticleSelection) -> ArticleCollection {
        var collection = ArticleCollection()
        collection.feedsRead = 1
        let feed: ParsedFeed
        do {
            feed = try FeedParser.parse(try document(), url: baseURL, feed: label, maxBytes: settings.maxBytes)
        } catch {
            collection.problems.append(ArticleFileProblem(file: label, reason: error.reason))
            return collection
        }
        collection.feedItemsRead = feed.items.count
        var window = selection
        window.after = nil
        let firstSeen = store.firstSeen(location)
        let sourceName = name ?? (feed.title.isEmpty ? nil : String(feed.title.prefix(200)))
        var inWindow: [Article] = []
        var ids: Set<String> = []
        for item in feed.items {
            // A feed that repeats an id: the first occurrence counts.
            guard ids.insert(item.id).inserted else { continue }
            let published = item.published ?? firstSeen[item.id] ?? now
            guard window.includes(published) else {
                collection.outsideWindow += 1
                continue
            }
            // Bounded: a title is a line, not an article.
            let title = item.title.isEmpty ? "(untitled)" : (item.title.count > 300 ? String(item.title.prefix(299)) + "…" : item.title)
            inWindow.append(Article(
                title: title, url: item.link, link: ArticleFileParser.httpURL(item.link), published: published, file: label,
                html: item.html, sourceName: sourceName, itemKey: location.key + " " + item.id, contentBase: item.contentBase))
        }
        inWindow.sort { $0.published > $1.published }
        for article in inWindow.dropFirst(settings.maxItemsPerFeed) {
            collection.skipped.append(SkippedArticle(file: label, title: article.title, reason: "over feeds.maxItemsPerFeed (\(settings.maxItemsPerFeed))"))
        }
        collection.articles = Array(inWindow.prefix(settings.maxItemsPerFeed))
        return collection
    }
}
