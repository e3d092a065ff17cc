import Foundation

/// One edition's digest, built once: the articles collected, cleaned and prepared, and the renderer that
/// personalises the message for each subscriber.
///
/// `preview`, `send` and the web archive all start here, so what a preview shows is what a send sends.
public struct Digest {
    /// The articles as the templates see them.
    public let articles: [PreparedArticle]
    /// Personalises the digest for one subscriber.
    public let renderer: DigestRenderer

    /// Cleans `articles` once for the edition of `date` and sets up its renderer.
    ///
    /// - Parameter tokens: the unsubscribe tokens; nil only for a preview without a secret (a placeholder token).
    /// - Parameter archiveURL: the edition's page in the web archive (`{{archiveURL}}`), when there is one.
    public init(configuration: Configuration, templates: TemplateSet, articles: [Article], date: Date, tokens: UnsubscribeToken?, archiveURL: String? = nil) {
        let sanitizer = HTMLSanitizer(rules: configuration.articles.boilerplate)
        let prepared = articles.map { PreparedArticle($0, sanitizer: sanitizer, excerptLength: configuration.articles.excerptLength) }
        self.articles = prepared
        renderer = DigestRenderer(configuration: configuration, templates: templates, articles: prepared, date: date, tokens: tokens, archiveURL: archiveURL)
    }

    /// The articles a digest made at `now` holds: from every source, published within the window (and, for
    /// folder articles, after `after`, the last edition's date, when given), feed items that an edition already
    /// carried (`excluding`) left out, newest first, capped; with everything skipped and why.
    ///
    /// Feeds are read from the state folder as the last `fetch` left them; this never touches the network.
    ///
    /// - Throws: ``ArticleSourceError`` when an article folder cannot be read.
    public static func collectArticles(configuration: Configuration, now: Date, after: Date? = nil, excluding seen: Set<String> = []) throws -> ArticleCollection {
        let selection = ArticleSelection(now: now, window: configuration.articles.window, after: after, maxArticles: configuration.articles.maxArticles)
        let parts = try sources(configuration: configuration, now: now).map { try $0.candidates(selection) }
        return ArticleCollection.merged(parts, selection: selection, excluding: seen)
    }

    /// The configured sources, in order: `articles.directory`, then `sources`.
    public static func sources(configuration: Configuration, now: Date) -> [any ArticleSource] {
        configuration.sources.map { setting -> any ArticleSource in
            switch setting {
            case .folder(let path, let name):
                return DirectoryArticleSource(directory: path, name: name, maxFileBytes: configuration.articles.maxFileBytes)
            case .feed(let location, let name):
                // A feed needs state.directory (checked when the configuration loads).
                let store = FeedStore(stateDirectory: configuration.stateDirectory ?? ".")
                return FeedArticleSource(location: location, name: name, store: store, settings: configuration.feeds, now: now)
            }
        }
    }
}
