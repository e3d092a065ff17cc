import ArgumentParser
import Foundation
import Logging
import NewsletterCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Set by SIGTERM and SIGINT: finish the messages in flight, record them, exit 75.
let stopRequested = Atomic<Bool>(false)

extension NewsletterCommand {
    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send the digest to every active subscriber, exactly once; resumes an unfinished edition.",
            discussion: """
                Exit codes: 0 every active subscriber has an outcome (or nothing new to send), 75 some remain \
                pending (run again: it resumes) or another send holds the lock, 1 the server stopped the run \
                (connection, TLS, login), 65 bad input, 64 bad usage.
                """)

        @OptionGroup var options: GlobalOptions

        @OptionGroup var fetch: FetchOption

        @Option(name: .customLong("dry-run"), help: ArgumentHelp("Write each message to this folder as .eml instead of sending; contacts no server, changes no state. /dev/null renders and discards.", valueName: "dir"))
        var dryRun: String?

        @Flag(help: "Send even when no new article was published since the last edition.")
        var force = false

        @Flag(name: .customLong("resume-only"), help: "Only finish an unfinished edition; never start a new one (for a retry later in the day).")
        var resumeOnly = false

        @Flag(help: "Print only errors and the final summary.")
        var quiet = false

        @Flag(help: "Print the summary as JSON on stdout (counts, each relay's counts and rate, who failed, stays pending or has an unknown outcome).")
        var json = false

        @Flag(help: "Show the SMTP dialogue on stderr, each line tagged curl[N] with its connection's number (curl[N@host:port] with several relays; credentials redacted).")
        var verbose = false

        func run() throws {
            let configuration = try options.loadConfiguration()
            // A dry run records nothing for local feeds (it changes no state); remote feeds are still downloaded.
            // --resume-only sends a frozen edition: nothing to fetch.
            if !resumeOnly { try fetch.fetchIfWanted(configuration, now: options.instant, includesLocal: dryRun == nil) }
            signal(SIGPIPE, SIG_IGN)
            // A parent may have blocked these (some process launchers do); the run must hear them.
            var stopSignals = sigset_t()
            sigemptyset(&stopSignals)
            sigaddset(&stopSignals, SIGTERM)
            sigaddset(&stopSignals, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
            let handler: @convention(c) (Int32) -> Void = { _ in stopRequested.store(true, ordering: .relaxed) }
            signal(SIGTERM, handler)
            signal(SIGINT, handler)

            let run = SendRun(
                configuration: configuration,
                options: SendRun.Options(now: options.instant, force: force, dryRunDirectory: dryRun, resumeOnly: resumeOnly))
            if verbose {
                var trace = Logger(label: "newsletter.smtp")
                trace.logLevel = .debug
                run.trace = trace
            }
            let display = ProgressDisplay(isQuiet: quiet)
            run.onProgress = { display.update($0) }
            run.onWarning = { Terminal.warning($0) }
            run.shouldStop = { stopRequested.load(ordering: .relaxed) }

            let reports: [SendReport]
            do {
                reports = try run.run()
            } catch {
                display.finish()
                Terminal.error("error: \(error)")
                if error is DeliveryError {
                    Terminal.error("Nothing more was sent; what was sent is recorded. Fix the cause and run send again to resume.")
                }
                throw Terminal.exitCode(for: error)
            }
            display.finish()
            var pending = false
            var interrupted = false
            if json { Terminal.output(JSONValue.array(reports.map(\.json)).pretty.trimmingCharacters(in: .newlines)) }
            for report in reports {
                do {
                    try show(report)
                } catch {
                    interrupted = true
                }
                pending = pending || report.hasPending
            }
            if interrupted || pending { throw ExitCode(75) }
        }

        /// Prints one edition's summary; throws exit 75 for an interrupted run.
        func show(_ report: SendReport) throws {
            if report.nothingToResume {
                if !json { Terminal.output("No unfinished edition; nothing sent.") }
                return
            }
            if report.nothingNew {
                if !json { Terminal.output("No new article since the last edition; nothing sent. Use --force to send anyway.") }
                return
            }
            for failure in report.failures { Terminal.warning("\(failure.address): failed permanently: \(failure.reply)") }
            for pending in report.deferred { Terminal.warning("\(pending.address): still pending after retries: \(pending.reply)") }
            for unknown in report.unknown {
                let next = report.resent.contains(unknown.address) ? "it was already resent once, so it is not sent again" : "the next run sends it once more"
                Terminal.warning("\(unknown.address): outcome unknown (the whole message went out, no reply to its end of data came): \(unknown.reply); \(next)")
            }
            let p = report.progress
            let what = report.dryRunDirectory.map { "wrote \(p.sent) messages to \($0)" } ?? "sent \(p.sent)"
            if report.relays.count > 1 {
                for relay in report.relays where relay.setAside > 0 {
                    Terminal.warning("relay \(relay.name) was set aside \(relay.setAside) time\(relay.setAside == 1 ? "" : "s"); its messages went to the others (last: \(relay.lastProblem ?? "-"))")
                }
            }
            if json { return try endInterrupted(report) }
            Terminal.output(
                "Edition \(report.editionID ?? "-")\(report.isResumed ? " (resumed)" : ""): \(report.articleCount) articles; "
                    + "\(what), failed \(p.failed), pending \(p.deferred), retried \(p.retried), skipped \(report.skipped.count), "
                    + (report.suppressed > 0 ? "suppressed \(report.suppressed), " : "")
                    + (p.unknown > 0 ? "unknown \(p.unknown) (resent once by the next run), " : "")
                    + (report.resent.isEmpty ? "" : "resent \(report.resent.count) after an unknown outcome, ")
                    + "already done \(report.alreadyDone); \(String(format: "%.1f", p.elapsed)) s, \(String(format: "%.0f", p.rate)) messages/s.")
            if report.relays.count > 1 {
                for relay in report.relays {
                    Terminal.output(
                        "  relay \(relay.name): sent \(relay.sent), failed \(relay.failed), unknown \(relay.unknown), "
                            + "\(String(format: "%.0f", relay.rate)) messages/s over \(relay.connections) connection\(relay.connections == 1 ? "" : "s")"
                            + (relay.setAside > 0 ? ", set aside \(relay.setAside) time\(relay.setAside == 1 ? "" : "s") (failed: \(relay.lastProblem ?? "-"))" : ""))
                }
            }
            try endInterrupted(report)
        }

        /// Says how to finish an interrupted run; throws exit 75 for it.
        func endInterrupted(_ report: SendReport) throws {
            if report.wasInterrupted {
                Terminal.error("Stopped by a signal after recording the messages in flight; run send again to finish the edition.")
                throw ExitCode(75)
            }
        }
    }
}

/// Progress on stderr: a bar with count, rate and time left on a terminal; a line every few seconds otherwise.
final class ProgressDisplay {
    let isQuiet: Bool
    let isTerminal = isatty(STDERR_FILENO) == 1
    var lastShown = 0.0
    var shownBar = false

    init(isQuiet: Bool) {
        self.isQuiet = isQuiet
    }

    func update(_ progress: SendProgress) {
        guard !isQuiet, progress.total > 0 else { return }
        let interval = isTerminal ? 0.1 : 5
        guard progress.elapsed - lastShown >= interval || progress.done == progress.total else { return }
        lastShown = progress.elapsed
        let remaining = progress.rate > 0 ? Double(progress.total - progress.done) / progress.rate : 0
        let counts = "\(progress.done)/\(progress.total), \(String(format: "%.0f", progress.rate))/s, \(String(format: "%.0f", remaining)) s left"
        if isTerminal {
            let width = 30
            let filled = progress.total > 0 ? width * progress.done / progress.total : 0
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(counts)  ".utf8))
            shownBar = true
        } else {
            Terminal.error("progress: \(counts) (sent \(progress.sent), failed \(progress.failed))")
        }
    }

    func finish() {
        if shownBar {
            FileHandle.standardError.write(Data("\n".utf8))
            shownBar = false
        }
    }
}
