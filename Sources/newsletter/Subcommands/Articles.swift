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
                collection = try Digest.collectArticles(configuration: configuration, now: options.instant)
            } catch {
                throw Terminal.fail(error)
            }
            let zone = configuration.newsletter.timeZone
            for article in collection.articles {
                print("\(DisplayDate.isoMinute(article.published, zone))  \(article.title)")
                print("    \(article.link?.absoluteString ?? "(not linked: '\(Sanitize.printable(ArticleFileParser.withoutUserinfo(article.url)))' is not an http(s) URL)")  [\((article.file as NSString).lastPathComponent)]")
            }
            for skipped in collection.skipped { print("skipped: \(skipped)") }
            for problem in collection.problems { Terminal.warning("\(problem) (skipped)") }
            for warning in collection.warnings { Terminal.warning(warning.description) }
            print("\(collection.articles.count) in the digest, \(collection.skipped.count) left out, \(collection.problems.count) unreadable, "
                + "\(collection.outsideWindow) outside the window, of \(collection.filesScanned) files.")
        }
    }
}
