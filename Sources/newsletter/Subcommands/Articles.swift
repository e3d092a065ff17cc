import ArgumentParser
import Foundation
import NewsletterCore

extension NewsletterCommand {
    struct Articles: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the articles the digest would hold now, from every source, and what was skipped and why.",
            discussion: "Feeds are read as the last fetch left them (newsletter fetch); nothing is downloaded.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let configuration = try options.loadConfiguration()
            let collection: ArticleCollection
            do {
                collection = try Digest.collectArticles(configuration: configuration, now: options.instant)
            } catch {
                throw Terminal.fail(error)
            }
            let zone = configuration.newsletter.timeZone
            for article in collection.articles {
                Terminal.output("\(DisplayDate.isoMinute(article.published, zone))  \(article.title)")
                Terminal.output("    \(article.link?.absoluteString ?? "(not linked: '\(Sanitize.printable(ArticleFileParser.withoutUserinfo(article.url)))' is not an http(s) URL)")  [\(article.itemKey == nil ? (article.file as NSString).lastPathComponent : Sanitize.collapsedLine(article.source ?? article.file))]")
            }
            for skipped in collection.skipped { Terminal.output("skipped: \(skipped)") }
            for problem in collection.problems { Terminal.warning("\(problem) (skipped)") }
            for warning in collection.warnings { Terminal.warning(warning.description) }
            Terminal.output("\(collection.articles.count) in the digest, \(collection.skipped.count) left out, \(collection.problems.count) unreadable, "
                + "\(collection.outsideWindow) outside the window, of " + scanned(collection)
                + (collection.alreadySent > 0 ? " (\(collection.alreadySent) already sent)" : "") + ".")
        }

        /// "6 files", "10 items of 8 feeds", or both joined by "and".
        func scanned(_ collection: ArticleCollection) -> String {
            var parts: [String] = []
            if collection.filesScanned > 0 || collection.feedsRead == 0 { parts.append("\(collection.filesScanned) files") }
            if collection.feedsRead > 0 {
                parts.append("\(collection.feedItemsRead) items of \(collection.feedsRead) feed\(collection.feedsRead == 1 ? "" : "s")")
            }
            return parts.joined(separator: " and ")
        }
    }
}
