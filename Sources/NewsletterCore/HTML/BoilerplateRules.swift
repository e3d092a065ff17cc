import Foundation

/// Rules that remove feed boilerplate from an article before it is sanitised.
///
/// The defaults handle what aggregators add to the sample articles; the configuration
/// (`articles.boilerplate`) adds to them.
public struct BoilerplateRules: Sendable, Equatable {
    /// Elements matching any of these are removed with their content.
    public var selectors: [ElementSelector]
    /// Regular expressions matched against a whole block's collapsed text; a matching block without images is
    /// removed (a share label such as "分享 :", a date line the digest already shows).
    public var textBlocks: [String]
    /// Remove the last `<hr>` and everything after it when that tail holds little text (an aggregator footer).
    public var cutAfterLastRule: Bool
    /// The most characters of text the tail after the last `<hr>` may hold to count as a footer.
    public var maxFooterCharacters: Int

    public init(selectors: [ElementSelector], textBlocks: [String], cutAfterLastRule: Bool, maxFooterCharacters: Int = 400) {
        self.selectors = selectors
        self.textBlocks = textBlocks
        self.cutAfterLastRule = cutAfterLastRule
        self.maxFooterCharacters = maxFooterCharacters
    }

    /// Selectors always applied.
    public static let defaultSelectorTexts = [
        "[data-root-share]", "[data-selfpromo-*]", "share-button", "share-modal", "[data-share]", ".share", ".sharing",
    ]

    /// Text-block patterns always applied.
    public static let defaultTextBlocks = [
        #"^(分享|分享到|Share|Share this|Share on|Partager|Teilen)\s*[:：]?$"#,
        #"^\d{1,2}/\d{1,2}/\d{4}\s*-\s*\d{1,2}:\d{2}$"#,
    ]

    /// The default rules with `extraSelectors` and `extraTextBlocks` added.
    public static func standard(extraSelectors: [ElementSelector] = [], extraTextBlocks: [String] = [], cutAfterLastRule: Bool = true)
        -> BoilerplateRules
    {
        // The defaults are fixed text that parses; a failure here is a programming error caught by the tests.
        let defaults = defaultSelectorTexts.compactMap { try? ElementSelector($0) }
        return BoilerplateRules(selectors: defaults + extraSelectors, textBlocks: defaultTextBlocks + extraTextBlocks, cutAfterLastRule: cutAfterLastRule)
    }
}
