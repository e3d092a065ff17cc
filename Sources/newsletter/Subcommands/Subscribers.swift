import ArgumentParser
import Foundation
import NewsletterCore

extension NewsletterCommand {
    struct Subscribers: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check, list and edit the subscriber list (subscribers.file).",
            subcommands: [Check.self, List.self, Add.self, Unsubscribe.self, Remove.self])
    }
}

/// Where the subscriber list is: `--file`, or `subscribers.file` of the configuration.
struct SubscriberFileOptions: ParsableArguments {
    @OptionGroup var configOption: ConfigOption

    @Option(name: .long, help: ArgumentHelp("The subscriber list to use instead of the configuration's subscribers.file.", valueName: "file"))
    var file: String?

    func path() throws -> String {
        if let file { return file }
        return try configOption.load().subscribers.file
    }

    /// The list's one transaction. With `--file`, the list alone; otherwise the configured list and the
    /// suppression journal in the configured state folder.
    func store() throws -> SubscriberStore {
        if let file { return SubscriberStore(listPath: file, suppressions: nil) }
        return SubscriberStore(configuration: try configOption.load())
    }

    func load() throws -> SubscriberList {
        do {
            return try SubscriberList.load(from: try path())
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw Terminal.fail(error)
        }
    }
}

/// Parses an address given on the command line, as a usage error when it is not valid.
func parseAddress(_ text: String) throws -> EmailAddress {
    do {
        return try EmailAddress(text)
    } catch {
        throw ValidationError(error.description)
    }
}

/// Applies one edit through the list's transaction and prints what was done.
func edit(_ edit: SubscriberFileEditor.Edit, options: SubscriberFileOptions) throws {
    let store = try options.store()
    let result: SubscriberStore.Result
    do {
        result = try store.apply([edit], source: "cli")[0]
    } catch {
        throw Terminal.fail(error)
    }
    switch result {
    case .done(.notListed):
        Terminal.error("error: \(store.listPath): \(edit.address) is not in the list; the file was not changed")
        throw ExitCode(65)
    case .suppressed(let text):
        Terminal.error("error: \(text)")
        throw ExitCode(65)
    case .done(let applied):
        print("\(store.listPath): \(applied.summary)")
    }
}

extension NewsletterCommand.Subscribers {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the list strictly and report every problem; exit 65 when the file is rejected.")

        @OptionGroup var options: SubscriberFileOptions

        func run() throws {
            let list = try options.load()
            for warning in list.warnings { Terminal.warning(warning.description) }
            for notice in list.notices { Terminal.error("notice: \(notice)") }
            let skipped = list.warnings.count
            print("\(list.file): \(list.activeCount) active, \(list.unsubscribedCount) unsubscribed, \(skipped) skipped, "
                + "\(list.notices.count) duplicate\(list.notices.count == 1 ? "" : "s") (of \(list.entryCount) entries)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the active subscribers, one a line: address, tab, name.")

        @OptionGroup var options: SubscriberFileOptions

        @Flag(help: "Print a JSON array of {email, name} objects instead.")
        var json = false

        func run() throws {
            let list = try options.load()
            for warning in list.warnings { Terminal.warning(warning.description) }
            var output = ""
            let subscribers = list.subscribers()
            if json {
                output = JSONValue.lineArray(subscribers.map { subscriber in
                    .object([("email", .string(subscriber.address.description))] + (subscriber.name.map { [("name", JSONValue.string($0))] } ?? []))
                })
            } else {
                for subscriber in subscribers {
                    output += subscriber.address.description + (subscriber.name.map { "\t" + $0 } ?? "") + "\n"
                }
            }
            FileHandle.standardOutput.write(Data(output.utf8))
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a subscriber (or re-subscribe one), editing the file in place.")

        @OptionGroup var options: SubscriberFileOptions

        @Argument(help: "The address to add.")
        var email: String

        @Option(help: "The subscriber's name.")
        var name: String?

        @Flag(help: "Add back an address that opted out earlier (it is in the suppression journal): only with their consent.")
        var resubscribe = false

        func run() throws {
            try edit(.add(try parseAddress(email), name: name, resubscribe: resubscribe), options: options)
        }
    }

    struct Unsubscribe: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a subscriber \"subscribed\": false, keeping the entry.")

        @OptionGroup var options: SubscriberFileOptions

        @Argument(help: "The address to unsubscribe.")
        var email: String

        func run() throws {
            try edit(.unsubscribe(try parseAddress(email)), options: options)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every entry of an address from the file.")

        @OptionGroup var options: SubscriberFileOptions

        @Argument(help: "The address to remove.")
        var email: String

        func run() throws {
            try edit(.remove(try parseAddress(email)), options: options)
        }
    }
}
