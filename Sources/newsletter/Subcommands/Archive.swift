import ArgumentParser
import Foundation
import NewsletterCore
import NewsletterServer

extension NewsletterCommand {
    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the web archive (a page per completed edition, an index and its stylesheet, an Atom feed) to a folder.",
            discussion: "The pages hold the digest as sent, with nothing personal: no name, no address, no unsubscribe link.")

        @OptionGroup var configOption: ConfigOption

        @Option(help: ArgumentHelp("The folder to write (created when missing).", valueName: "dir"))
        var out: String

        @Option(
            name: .customLong("base-url"),
            help: ArgumentHelp("Where the folder is published, for the feed's links (default: server.publicURL/archive/).", valueName: "url"))
        var baseURL: String?

        func run() throws {
            let configuration = try configOption.load()
            let files: [ArchiveWriter.File]
            do {
                let templates = try TemplateSet.load(configuration)
                files = try ArchiveWriter(configuration: configuration, baseURL: baseURL).files(templates: templates)
                do {
                    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                } catch {
                    throw FileSystem.IOError(path: out, reason: "cannot make the folder: " + FileSystem.reason(error))
                }
            } catch {
                throw Terminal.fail(error)
            }
            for file in files { try Terminal.write(file.bytes, to: out + "/" + file.name) }
            let count = files.count - 3
            Terminal.output("Wrote \(out): \(count) edition\(count == 1 ? "" : "s"), index.html, feed.atom, style.css.")
        }
    }
}
