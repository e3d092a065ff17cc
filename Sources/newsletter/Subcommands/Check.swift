import ArgumentParser
import Foundation
import NewsletterCore

extension NewsletterCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and its sources without fetching anything.",
            discussion: """
                Loads the configuration strictly, then looks at each source: a folder must be readable, a local \
                feed must parse, and a remote feed that has failed for feeds.failingDays days or more is called \
                out (a feed failing for less is listed as "warn"). Exit codes: 0 all good, 1 a source needs attention, 65 bad configuration.
                """)

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let configuration = try options.loadConfiguration()
            let findings = SourceCheck(configuration: configuration, now: options.instant).run()
            for finding in findings {
                if finding.isProblem {
                    Terminal.error("error: \(finding.source): \(finding.summary)")
                } else {
                    Terminal.output("\(finding.isFailing ? "warn" : "ok  ")  \(finding.source): \(finding.summary)")
                }
            }
            let problems = findings.filter(\.isProblem).count
            Terminal.output("\(configuration.file): configuration valid; \(findings.count) source\(findings.count == 1 ? "" : "s"), \(problems) need\(problems == 1 ? "s" : "") attention.")
            if problems > 0 { throw ExitCode.failure }
        }
    }
}
