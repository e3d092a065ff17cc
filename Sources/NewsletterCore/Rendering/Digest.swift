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

    /// The articles a digest made at `now` holds: published within the window (and after `after`, the last
    /// edition's date, when given), newest first, capped; with every file skipped and why.
    ///
    /// - Throws: ``ArticleSourceError`` when the article folder cannot be read.
    public static func collectArticles(configuration: Configuration, now: Date, after: Date? = nil) throws -> ArticleCollection {
        try DirectoryArticleSource(directory: configuration.articles.directory).collect(
            ArticleSelection(now: now, window: configuration.articles.window, after: after, maxArticles: configuration.articles.maxArticles))
    }
}
