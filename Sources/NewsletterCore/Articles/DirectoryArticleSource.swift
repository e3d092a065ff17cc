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
    /// What is wrong with files that are still used: cut at `articles.maxFileBytes`, a title cut, a URL that is
    /// not linked.
    public var warnings: [ArticleFileProblem] = []
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
/// costs one small read per file. At most ``maxFileBytes`` of a recent one are read, so that one huge file
/// cannot take the run's memory or time.
public struct DirectoryArticleSource: ArticleSource {
    /// The default of `articles.maxFileBytes`: 1 MiB, some twenty times the longest article seen in real feeds.
    public static let defaultMaxFileBytes = 1_048_576
    /// How far after "now" a timestamp may be before it is reported as wrong rather than "not yet".
    static let futureTolerance: TimeInterval = 86_400
    /// Timestamps before this (1973-03-03) are taken for seconds or garbage: articles in milliseconds since
    /// 1970 have had 12 digits since then.
    static let earliestPlausibleMilliseconds: Double = 100_000_000_000

    /// The folder.
    public var directory: String
    /// The source's name for `{{source}}`; nil: each article's host.
    public var name: String?
    /// The most bytes read from one file; the rest of a longer file is left out, with a warning.
    public var maxFileBytes: Int

    public init(directory: String, name: String? = nil, maxFileBytes: Int = DirectoryArticleSource.defaultMaxFileBytes) {
        self.directory = directory
        self.name = name
        self.maxFileBytes = maxFileBytes
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
                if let problem = implausible(published, now: selection.latest, file: path) {
                    collection.problems.append(problem)
                    continue
                }
                guard selection.includes(published) else {
                    collection.outsideWindow += 1
                    continue
                }
                let (bytes, size) = try FileSystem.readPrefixAndSize(path, count: maxFileBytes)
                var kept = bytes[...]
                if size > maxFileBytes {
                    kept = Self.wholeCharacters(kept)
                    collection.warnings.append(ArticleFileProblem(
                        file: path, reason: "the file is \(size) bytes, over articles.maxFileBytes (\(maxFileBytes)); only the first \(kept.count) bytes are read"))
                }
                let parsed = Result { () throws(ArticleFileProblem) -> Article in
                    try ArticleFileParser.parse(kept, file: path, warnings: &collection.warnings)
                }
                switch parsed {
                case .success(var article):
                    article.sourceName = self.name
                    collection.articles.append(article)
                case .failure(let problem):
                    // When the cut fell inside the first three lines, say so rather than what the cut line looks like.
                    guard size > maxFileBytes, let line = problem.line, line >= 2, kept.count(where: { $0 == 0x0A }) < 3 else { throw problem }
                    throw ArticleFileProblem(file: path, line: line, reason: "line \(line) does not end within the first \(maxFileBytes) bytes (articles.maxFileBytes)")
                }
            } catch let problem as ArticleFileProblem {
                collection.problems.append(problem)
            } catch {
                collection.problems.append(ArticleFileProblem(file: path, reason: "cannot read the file: \(FileSystem.reason(error))"))
            }
        }
        return collection
    }

    /// A timestamp that cannot be right: far in the future, or so early that it was surely written in seconds.
    func implausible(_ published: Date, now: Date, file: String) -> ArticleFileProblem? {
        let milliseconds = published.timeIntervalSince1970 * 1000
        if milliseconds < Self.earliestPlausibleMilliseconds {
            let asSeconds = Date(timeIntervalSince1970: milliseconds)
            let hint = milliseconds >= 1_000_000_000 && asSeconds <= now.addingTimeInterval(Self.futureTolerance)
                ? "; read as seconds it would be \(Instant.iso(asSeconds)): write milliseconds" : ""
            return ArticleFileProblem(
                file: file, line: 1,
                reason: "the timestamp \(Int64(milliseconds)) is \(Instant.iso(published)), which cannot be right\(hint)")
        }
        if published > now.addingTimeInterval(Self.futureTolerance) {
            return ArticleFileProblem(
                file: file, line: 1,
                reason: "the timestamp \(Int64(milliseconds)) is \(Instant.iso(published)), more than a day after now (\(Instant.iso(now)))")
        }
        return nil
    }

    /// `bytes` without a UTF-8 sequence cut at its end.
    static func wholeCharacters(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        // Find the start of the last sequence (at most 3 continuation octets back) and drop it if incomplete.
        var index = bytes.endIndex
        var continuation = 0
        while index > bytes.startIndex, continuation < 4 {
            index -= 1
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 {
                let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return bytes.endIndex - index < length ? bytes[bytes.startIndex..<index] : bytes
            }
            continuation += 1
        }
        return bytes
    }
}
