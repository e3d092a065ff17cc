import ArgumentParser
import Foundation
import Logging
import NewsletterCore

extension NewsletterCommand {
    struct Mailbox: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the bounce mailbox (IMAP): unsubscribe hard bounces, complaints and mailto requests; count soft bounces.",
            discussion: """
                Reads the messages of mailbox.url not handled yet, classifies each (delivery status notification, \
                plain-text bounce, feedback-loop complaint, unsubscribe request, or other mail left alone), changes \
                the list, then marks the message handled. Run it from cron, e.g. every 15 minutes. Exit codes: 0 done, \
                1 the server could not be reached or refused the login (nothing changed), 65 bad configuration or \
                list, 75 another writer holds the list (run again).
                """)

        @OptionGroup var configOption: ConfigOption

        @Flag(name: .customLong("dry-run"), help: "Print what would be done; change nothing (the list, the state folder, the messages' flags).")
        var dryRun = false

        @Flag(help: "Show the IMAP dialogue on stderr (credentials redacted).")
        var verbose = false

        func run() throws {
            let configuration: Configuration
            configuration = try configOption.load()
            var run = MailboxRun(configuration: configuration, options: MailboxRun.Options(isDryRun: dryRun))
            if verbose {
                var trace = Logger(label: "newsletter.imap")
                trace.logLevel = .debug
                run.trace = trace
            }
            let summary: MailboxRun.Summary
            do {
                summary = try run.run { event in
                    switch event {
                    case .message(let uid, let from, let subject, let classification):
                        var line = "message \(uid): \(classification.kind.rawValue)"
                        for finding in classification.findings {
                            line += "\n  \(finding.effect.rawValue) \(finding.address): \(finding.detail)"
                        }
                        if !classification.note.isEmpty { line += " (\(classification.note))" }
                        line += "\n  from \(Terminal.quoted(from)), subject \(Terminal.quoted(subject))"
                        Terminal.output(line)
                    case .action(let text):
                        Terminal.output((dryRun ? "dry run: " : "") + text)
                    case .warning(let text):
                        Terminal.warning(text)
                    }
                }
            } catch {
                throw Terminal.fail(error)
            }
            Terminal.output((dryRun ? "dry run, nothing changed: " : "") + summary.line)
        }
    }
}
