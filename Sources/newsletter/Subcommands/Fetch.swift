import ArgumentParser
import Foundation
import NewsletterCore

extension NewsletterCommand {
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download every feed of the configuration into the state folder (send and preview do this first).",
            discussion: """
                Conditional GET (ETag, Last-Modified), gzip, at most 5 redirects and never from https to http, at most \
                feeds.parallel feeds at a time. A failing feed is reported on stderr and keeps its last good copy; \
                the others are fetched all the same. Exit codes: 0 every feed fetched, 1 some feed failed, 65 bad \
                configuration, 75 another fetch holds the lock.
                """)

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let configuration = try options.loadConfiguration()
            let outcomes = try Fetch.fetch(configuration, now: options.instant)
            for outcome in outcomes {
                switch outcome.status {
                case .updated(let items): Terminal.output("\(outcome.location.display): \(items) item\(items == 1 ? "" : "s")")
                case .notModified: Terminal.output("\(outcome.location.display): not modified")
                case .failed: break
                }
            }
            let failed = outcomes.filter { if case .failed = $0.status { return true } else { return false } }.count
            Terminal.output("\(outcomes.count) feed\(outcomes.count == 1 ? "" : "s"), \(failed) failed.")
            if failed > 0 { throw ExitCode.failure }
        }

        /// The `User-Agent` of every feed request: the tool and its version.
        static var userAgent: String { "newsletter/\(NewsletterCommand.configuration.version)" }

        /// Fetches every feed, reporting each failure on stderr as it is, naming the feed's URL.
        static func fetch(_ configuration: Configuration, now: Date, includesLocal: Bool = true) throws -> [FeedFetch.Outcome] {
            let outcomes: [FeedFetch.Outcome]
            do {
                outcomes = try FeedFetch(configuration: configuration, now: now, userAgent: userAgent, includesLocal: includesLocal).run()
            } catch {
                throw Terminal.fail(error)
            }
            for outcome in outcomes {
                if case .failed(let error) = outcome.status {
                    let since = outcome.failingSince.map { $0 < now ? " (failing since \(Instant.iso($0)))" : "" } ?? ""
                    Terminal.error("error: \(error)\(since); the other sources still make the digest")
                }
            }
            return outcomes
        }
    }
}

/// `--no-fetch`, for the commands that fetch feeds first.
struct FetchOption: ParsableArguments {
    @Flag(name: .customLong("no-fetch"), help: "Use the feeds as last fetched; download nothing.")
    var noFetch = false

    /// Fetches the configuration's feeds unless `--no-fetch` was given; with `includesLocal` false (preview), only
    /// the remote ones: a local feed is read in place.
    func fetchIfWanted(_ configuration: Configuration, now: Date, includesLocal: Bool = true) throws {
        guard !noFetch else { return }
        _ = try NewsletterCommand.Fetch.fetch(configuration, now: now, includesLocal: includesLocal)
    }
}
