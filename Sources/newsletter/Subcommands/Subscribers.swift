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

    /// What the mailbox reader and the opt-outs recorded, when the configuration has a state folder (not with
    /// `--file`): the suppression journal, and soft bounces per address within the configured window.
    func records() throws -> (suppressed: [String: SuppressionList.Entry], softBounces: [String: Int], limit: Int, window: String)? {
        guard file == nil else { return nil }
        do {
            let configuration = try Configuration.load(from: configOption.config)
            guard let state = configuration.stateDirectory else { return nil }
            let limit = configuration.mailbox?.softBounceLimit ?? 3
            let window = configuration.mailbox?.softBounceWindow ?? 30 * 86_400
            let suppressed = try SuppressionList(stateDirectory: state).load()
            let counts = try BounceJournal(stateDirectory: state).counts(within: window, now: Date())
            return (suppressed, counts, limit, "\(Int(window / 86_400))d")
        } catch {
            throw Terminal.fail(error)
        }
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
        Terminal.output("\(store.listPath): \(applied.summary)")
    }
}

extension NewsletterCommand.Subscribers {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the list strictly and report every problem; exit 65 when the file is rejected.")

        @OptionGroup var options: SubscriberFileOptions

        func run() throws {
            let list = try options.load()
            for warning in list.allWarnings { Terminal.warning(warning.description) }
            for notice in list.notices { Terminal.error("notice: \(notice)") }
            let skipped = list.warnings.count
            Terminal.output("\(list.file): \(list.activeCount) active, \(list.unsubscribedCount) unsubscribed, \(skipped) skipped, "
                + "\(list.notices.count) duplicate\(list.notices.count == 1 ? "" : "s") (of \(list.entryCount) entries)")
            if let records = try options.records() {
                let reasons = Dictionary(records.suppressed.values.map { ($0.reason, 1) }, uniquingKeysWith: +)
                    .sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                Terminal.output("suppression journal: \(records.suppressed.count) suppressed" + (reasons.isEmpty ? "" : " (" + reasons.joined(separator: ", ") + ")"))
                // Entries the journal overrides: subscribed in the file (a hand edit, an old copy saved over a change),
                // opted out in the journal. `send` skips them; only their consent puts them back.
                for subscriber in list.subscribers() {
                    guard let entry = records.suppressed[subscriber.address.normalized] else { continue }
                    Terminal.warning(
                        "\(list.file): \(subscriber.address) is subscribed in the list but opted out on \(Instant.iso(entry.date)) "
                            + "(\(entry.source): \(entry.reason)); send skips it. With their consent: subscribers add --resubscribe")
                }
                for (address, count) in records.softBounces.sorted(by: { $0.key < $1.key }) where records.suppressed[address] == nil {
                    Terminal.output("soft bounces: \(address) \(count) of \(records.limit) within \(records.window)")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the active subscribers, one a line: address, tab, name.")

        @OptionGroup var options: SubscriberFileOptions

        @Flag(help: "Print a JSON array of {email, name} objects instead, with softBounces when there are any.")
        var json = false

        @Flag(help: "List the suppressed addresses instead (the suppression journal): address, reason, source, time.")
        var suppressed = false

        func run() throws {
            let records = try options.records()
            if suppressed {
                guard let records else {
                    Terminal.error("error: --suppressed needs a configuration with state.directory (not --file)")
                    throw ExitCode(65)
                }
                let entries = records.suppressed.values.sorted { $0.address < $1.address }
                let output: String
                if json {
                    output = "[\n" + entries.map { entry in
                        "  { \"email\": \(JSONValue.encodeString(entry.address)), \"reason\": \(JSONValue.encodeString(entry.reason)), "
                            + "\"source\": \(JSONValue.encodeString(entry.source)), \"since\": \"\(Instant.iso(entry.date))\" }"
                    }.joined(separator: ",\n") + (entries.isEmpty ? "]\n" : "\n]\n")
                } else {
                    output = entries.map { entry in
                        [entry.address, entry.reason, entry.source].map { Terminal.printable($0) }.joined(separator: "\t") + "\t\(Instant.iso(entry.date))\n"
                    }.joined()
                }
                FileHandle.standardOutput.write(Data(output.utf8))
                return
            }
            let list = try options.load()
            for warning in list.allWarnings { Terminal.warning(warning.description) }
            var output = ""
            let subscribers = list.subscribers()
            if json {
                output = JSONValue.lineArray(subscribers.map { subscriber in
                    let softBounces = records?.softBounces[subscriber.address.normalized] ?? 0
                    return .object(
                        [("email", .string(subscriber.address.description))] + (subscriber.name.map { [("name", JSONValue.string($0))] } ?? [])
                            + (softBounces > 0 ? [("softBounces", JSONValue.integer(softBounces))] : []))
                })
            } else {
                for subscriber in subscribers {
                    output += Terminal.printable(subscriber.address.description) + (subscriber.name.map { "\t" + Terminal.printable($0) } ?? "") + "\n"
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

        /// A bad address is a usage error (64), with this command's usage line.
        func validate() throws { _ = try parseAddress(email) }

        func run() throws {
            try edit(.add(try parseAddress(email), name: name, resubscribe: resubscribe), options: options)
        }
    }

    struct Unsubscribe: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a subscriber \"subscribed\": false, keeping the entry.")

        @OptionGroup var options: SubscriberFileOptions

        @Argument(help: "The address to unsubscribe.")
        var email: String

        func validate() throws { _ = try parseAddress(email) }

        func run() throws {
            try edit(.unsubscribe(try parseAddress(email)), options: options)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every entry of an address from the file.")

        @OptionGroup var options: SubscriberFileOptions

        @Argument(help: "The address to remove.")
        var email: String

        func validate() throws { _ = try parseAddress(email) }

        func run() throws {
            try edit(.remove(try parseAddress(email)), options: options)
        }
    }
}
