import Foundation

/// An article cleaned and rendered for the digest: the same sanitised tree gives the HTML, the plain text,
/// the excerpts and the lead image.
public struct PreparedArticle: Sendable {
    public var article: Article
    /// The whole cleaned article as email HTML.
    public var contentHTML: String
    /// The whole cleaned article as wrapped plain text, links as numbered references.
    public var contentText: String
    /// The first `excerptLength` characters as HTML.
    public var excerptHTML: String
    /// The first `excerptLength` characters as wrapped plain text.
    public var excerptText: String
    /// Whether the excerpt is shorter than the article.
    public var isExcerptTruncated: Bool
    /// The first image's URL and alt text.
    public var leadImage: (src: String, alt: String)?

    /// Cleans `article` with `rules` and prepares every form the templates use.
    public init(_ article: Article, rules: BoilerplateRules, excerptLength: Int) {
        self.init(article, sanitizer: HTMLSanitizer(rules: rules), excerptLength: excerptLength)
    }

    /// Cleans `article` with a sanitiser built once for many articles.
    public init(_ article: Article, sanitizer: HTMLSanitizer, excerptLength: Int) {
        self.article = article
        let tree = sanitizer.clean(HTMLParser.parseFragment(article.html), base: article.contentBase ?? article.link)
        contentHTML = HTMLSerializer.html(tree)
        contentText = PlainTextRenderer.render(tree)
        let excerpt = Excerpt.make(tree, limit: excerptLength)
        excerptHTML = HTMLSerializer.html(excerpt.nodes)
        excerptText = PlainTextRenderer.render(excerpt.nodes, numbersLinks: false)
        isExcerptTruncated = excerpt.isTruncated
        leadImage = Excerpt.leadImage(tree)
    }
}
