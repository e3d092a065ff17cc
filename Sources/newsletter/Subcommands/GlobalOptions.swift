import ArgumentParser
import Foundation
import NewsletterCore

/// `--config`, the one declaration of it, for every command that reads the configuration.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "file"))
    var config: String = "config.json"

    /// Loads the configuration, or prints the error and exits 65.
    func load() throws -> Configuration {
        do {
            return try Configuration.load(from: config)
        } catch {
            throw Terminal.fail(error)
        }
    }
}

/// Options every command that renders a digest shares: the configuration and the clock.
struct GlobalOptions: ParsableArguments {
    @OptionGroup var configOption: ConfigOption

    /// The configuration file's path.
    var config: String { configOption.config }

    @Option(name: .long, help: ArgumentHelp("Pretend the time is this ISO 8601 instant (e.g. 2024-02-02T08:00:00Z), for reproducible runs.", valueName: "iso8601"))
    var now: String?

    func validate() throws {
        if let now, Instant.parseGiven(now) == nil {
            throw ValidationError("--now '\(now)' is not an ISO 8601 instant such as 2024-02-02T08:00:00Z")
        }
    }

    /// The run's clock.
    var instant: Date { now.flatMap(Instant.parseGiven) ?? Date() }

    /// Loads the configuration, or prints the error and exits 65.
    func loadConfiguration() throws -> Configuration {
        try configOption.load()
    }
}
