import Foundation

/// Where articles come from: a folder of article files, or a feed.
///
/// A source only reads: it returns the articles within the selection's window, unsorted and uncapped, and what it
/// skipped. ``ArticleCollection/merged(_:selection:excluding:)`` then sorts all sources together, drops duplicate
/// URLs and caps the digest, so every source flows through the same window, order, limit, sanitiser and templates.
public protocol ArticleSource: Sendable {
    /// The source as messages name it: the folder's path or the feed's URL.
    var label: String { get }

    /// The articles within `selection`'s window and everything skipped, with reasons.
    ///
    /// - Throws: only when the source as a whole cannot be used in a way that must stop the run (an unreadable
    ///   article folder); a failing feed is a problem in the collection instead, so the others still make the digest.
    func candidates(_ selection: ArticleSelection) throws -> ArticleCollection
}

extension ArticleCollection {
    /// The digest's articles from several sources' candidates: newest first, one article per URL (the newest),
    /// items already carried by an edition (`excluding` their ``Article/itemKey``) left out, at most
    /// `selection.maxArticles`.
    public static func merged(_ parts: [ArticleCollection], selection: ArticleSelection, excluding seen: Set<String> = []) -> ArticleCollection {
        var collection = ArticleCollection()
        var recent: [Article] = []
        for part in parts {
            recent += part.articles
            collection.problems += part.problems
            collection.warnings += part.warnings
            collection.skipped += part.skipped
            collection.outsideWindow += part.outsideWindow
            collection.filesScanned += part.filesScanned
            collection.feedItemsRead += part.feedItemsRead
            collection.feedsRead += part.feedsRead
        }
        // Newest first; the file, then the URL, break ties so that the order never depends on the file system.
        recent.sort {
            if $0.published != $1.published { return $0.published > $1.published }
            if $0.file != $1.file { return $0.file < $1.file }
            return $0.url < $1.url
        }
        var seenURLs: [String: String] = [:]
        for article in recent {
            if let key = article.itemKey, seen.contains(key) {
                collection.alreadySent += 1
                continue
            }
            // Feed items without a link share the empty URL: they are not duplicates of each other.
            if !article.url.isEmpty, let first = seenURLs[article.url] {
                collection.skipped.append(SkippedArticle(file: article.file, title: article.title, reason: "same URL as the newer \(first)"))
                continue
            }
            seenURLs[article.url] = article.file
            if collection.articles.count >= selection.maxArticles {
                collection.skipped.append(SkippedArticle(file: article.file, title: article.title, reason: "over articles.maxArticles (\(selection.maxArticles))"))
                continue
            }
            collection.articles.append(article)
        }
        return collection
    }
}
