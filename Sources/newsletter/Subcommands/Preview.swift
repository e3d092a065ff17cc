import ArgumentParser
import Foundation
import NewsletterCore

extension NewsletterCommand {
    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the digest a subscriber would get now to a file; sends nothing, changes no state but the copies of remote feeds.")

        @OptionGroup var options: GlobalOptions

        @OptionGroup var fetch: FetchOption

        @Option(help: ArgumentHelp("Preview for this subscriber (default: the first active one).", valueName: "email"))
        var to: String?

        @Option(help: ArgumentHelp("Where to write the whole message.", valueName: "file.eml"))
        var out: String = "preview.eml"

        @Option(help: ArgumentHelp("Also write the HTML body here, to open in a browser.", valueName: "file"))
        var html: String?

        @Option(help: ArgumentHelp("Also write the plain-text body here.", valueName: "file"))
        var text: String?

        @Flag(name: .customLong("fixed-ids"), help: "Use fixed Message-ID and boundary values, so that two previews compare equal.")
        var fixedIDs = false

        /// A `--to` that is not an address is a usage error (64), like a bad `--now`.
        func validate() throws {
            if let to { _ = try parseAddress(to) }
        }

        /// A window as people write it: "last 24 hours", "last 90 minutes", "last 7 days".
        static func duration(_ seconds: TimeInterval) -> String {
            let whole = Int(seconds)
            let (count, unit) = whole >= 172_800 && whole % 86_400 == 0 ? (whole / 86_400, "day")
                : whole % 3_600 == 0 ? (whole / 3_600, "hour") : whole % 60 == 0 ? (whole / 60, "minute") : (whole, "second")
            return "last \(count) \(unit)\(count == 1 ? "" : "s")"
        }

        func run() throws {
            let configuration = try options.loadConfiguration()
            try fetch.fetchIfWanted(configuration, now: options.instant, includesLocal: false)
            let preview = NewsletterCore.Preview(configuration: configuration, now: options.instant, recipient: to)
            let outcome: NewsletterCore.Preview.Outcome
            do {
                if fixedIDs {
                    var identity = SequentialMessageIdentity()
                    outcome = try preview.run(identity: &identity)
                } else {
                    var identity = RandomMessageIdentity()
                    outcome = try preview.run(identity: &identity)
                }
            } catch {
                throw Terminal.fail(error)
            }
            outcome.warnings.forEach(Terminal.warning)
            try Terminal.write(outcome.bytes, to: out)
            if let html { try Terminal.write(Array(outcome.message.htmlBody.utf8), to: html) }
            if let text { try Terminal.write(Array(outcome.message.textBody.utf8), to: text) }
            let count = outcome.collection.articles.count
            Terminal.output("Wrote \(out) for \(outcome.message.to.address): \(count) article\(count == 1 ? "" : "s"), \(outcome.bytes.count) bytes.")
            if count == 0 {
                Terminal.warning("no article in \(configuration.sources.map(\.label).joined(separator: ", ")) was published in the \(Self.duration(configuration.articles.window)) before \(Instant.iso(options.instant)) (articles.window); try --now")
            }
        }
    }
}
