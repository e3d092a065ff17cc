import Foundation

/// Which articles a digest holds: those published in `earliest...latest`, newest first, at most `maxArticles`.
public struct ArticleSelection: Sendable, Equatable {
    /// The earliest publication time included.
    public var earliest: Date
    /// The latest publication time included (the run's "now").
    public var latest: Date
    /// When set, only articles published strictly after this instant (the previous edition's cut-off).
    public var after: Date?
    /// The most articles a digest holds.
    public var maxArticles: Int

    public init(now: Date, window: TimeInterval, after: Date? = nil, maxArticles: Int) {
        self.earliest = now.addingTimeInterval(-window)
        self.latest = now
        self.after = after
        self.maxArticles = maxArticles
    }

    func includes(_ date: Date) -> Bool {
        date >= earliest && date <= latest && (after.map { date > $0 } ?? true)
    }
}

/// An article that was read but left out of the digest, and why.
public struct SkippedArticle: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var title: String
    public var reason: String

    public var description: String { "\(file): \(reason) ('\(title)')" }
}

/// What a scan of the article folder found.
public struct ArticleCollection: Sendable {
    /// The digest's articles, newest first.
    public var articles: [Article] = []
    /// Files that break the format, each skipped with its reason.
    public var problems: [ArticleFileProblem] = []
    /// Well-formed recent articles left out (duplicate URL, over the cap).
    public var skipped: [SkippedArticle] = []
    /// How many well-formed files were outside the selection (too old, or dated in the future).
    public var outsideWindow = 0
    /// How many `*.txt` files were looked at.
    public var filesScanned = 0
    /// How many feed items were read, in or out of the window.
    public var feedItemsRead = 0
    /// How many feeds were read.
    public var feedsRead = 0
    /// Feed items left out because an earlier edition carried them.
    public var alreadySent = 0

    public init() {}
}

/// Errors that stop a scan as a whole.
public enum ArticleSourceError: Error, CustomStringConvertible, Sendable {
    /// The article folder cannot be listed.
    case unreadableDirectory(String, String)

    public var description: String {
        switch self {
        case .unreadableDirectory(let path, let reason): return "\(path): cannot read the article folder: \(reason)"
        }
    }
}

/// Reads articles from a folder of `*.txt` files, one article a file.
///
/// Only the first line of each file is read to decide whether it is recent, so a folder of many old articles
/// costs one small read per file.
public struct DirectoryArticleSource: ArticleSource {
    /// The folder.
    public var directory: String
    /// The source's name for `{{source}}`; nil: each article's host.
    public var name: String?

    public init(directory: String, name: String? = nil) {
        self.directory = directory
        self.name = name
    }

    public var label: String { directory }

    /// Scans the folder and returns the selected articles and everything that was skipped, with reasons.
    ///
    /// - Throws: ``ArticleSourceError`` only when the folder itself cannot be read.
    public func collect(_ selection: ArticleSelection) throws(ArticleSourceError) -> ArticleCollection {
        ArticleCollection.merged([try candidates(selection)], selection: selection)
    }

    /// The well-formed articles of the folder within the window, unsorted, and the files skipped.
    ///
    /// - Throws: ``ArticleSourceError`` only when the folder itself cannot be read.
    public func candidates(_ selection: ArticleSelection) throws(ArticleSourceError) -> ArticleCollection {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .unreadableDirectory(directory, FileSystem.reason(error))
        }
        var collection = ArticleCollection()
        for name in names.sorted() where name.hasSuffix(".txt") && !name.hasPrefix(".") {
            collection.filesScanned += 1
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            do {
                let prefix = try FileSystem.readPrefix(path, count: 512)
                let published = try ArticleFileParser.timestamp(from: prefix[...], file: path)
                guard selection.includes(published) else {
                    collection.outsideWindow += 1
                    continue
                }
                let bytes = try FileSystem.readAll(path)
                var article = try ArticleFileParser.parse(bytes, file: path)
                article.sourceName = self.name
                collection.articles.append(article)
            } catch let problem as ArticleFileProblem {
                collection.problems.append(problem)
            } catch {
                collection.problems.append(ArticleFileProblem(file: path, reason: "cannot read the file: \(FileSystem.reason(error))"))
            }
        }
        return collection
    }
}
