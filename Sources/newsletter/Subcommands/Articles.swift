import ArgumentParser
import Foundation
import NewsletterCore

extension NewsletterCommand {
    struct Articles: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the articles the digest would hold now, and what was skipped and why.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let configuration = try options.loadConfiguration()
            let collection: ArticleCollection
            do {
                collection = try DirectoryArticleSource(directory: configuration.articles.directory).collect(
                    ArticleSelection(now: options.instant, window: configuration.articles.window, maxArticles: configuration.articles.maxArticles))
            } catch {
                throw Terminal.fail(error)
            }
            let zone = configuration.newsletter.timeZone
            for article in collection.articles {
                Terminal.output("\(DisplayDate.isoMinute(article.published, zone))  \(article.title)")
                Terminal.output("    \(article.link?.absoluteString ?? "(not linked: '\(article.url)' is not an http(s) URL)")  [\((article.file as NSString).lastPathComponent)]")
            }
            for skipped in collection.skipped { Terminal.output("skipped: \(skipped)") }
            for problem in collection.problems { Terminal.warning("\(problem) (skipped)") }
            Terminal.output("\(collection.articles.count) in the digest, \(collection.skipped.count) left out, \(collection.problems.count) unreadable, "
                + "\(collection.outsideWindow) outside the window, of \(collection.filesScanned) files.")
        }
    }
}
