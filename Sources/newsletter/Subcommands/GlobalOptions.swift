import ArgumentParser
import Foundation
import NewsletterCore

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config: String = "config.json"

    @Option(name: .long, help: ArgumentHelp("Pretend the time is this ISO 8601 instant (e.g. 2024-02-02T08:00:00Z), for reproducible runs.", valueName: "iso8601"))
    var now: String?

    func validate() throws {
        if let now, Terminal.parseInstant(now) == nil {
            throw ValidationError("--now '\(now)' is not an ISO 8601 instant such as 2024-02-02T08:00:00Z")
        }
    }

    /// The run's clock.
    var instant: Date { now.flatMap(Terminal.parseInstant) ?? Date() }

    /// Loads the configuration, or prints the error and exits 65.
    func loadConfiguration() throws -> Configuration {
        do {
            return try Configuration.load(from: config)
        } catch {
            throw Terminal.fail(error)
        }
    }
}
