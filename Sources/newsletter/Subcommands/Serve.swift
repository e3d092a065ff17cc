import ArgumentParser
import Foundation
import Logging
import NewsletterCore
import NewsletterServer

extension NewsletterCommand {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the web service: one-click unsubscribe, double opt-in sign-up and the archive (server.*).",
            discussion: """
                Runs until SIGTERM or SIGINT, then finishes the requests in flight. Put it behind a reverse proxy that \
                terminates TLS, and set server.publicURL to the origin people see. Logs one line per request on stderr.
                """)

        @OptionGroup var configOption: ConfigOption

        @Option(help: ArgumentHelp("Listen here instead of server.listen (default \(ServerSettings.defaultListen)).", valueName: "host:port"))
        var listen: String?

        func validate() throws {
            if let listen, ServerSettings.parseListen(listen) == nil {
                throw ValidationError("--listen '\(listen)' is not HOST:PORT such as 127.0.0.1:8080")
            }
        }

        func run() throws {
            let configuration = try configOption.load()
            let service: WebService
            do {
                guard
                    let secret = try UnsubscribeToken.loadSecret(
                        variable: configuration.subscribers.secretEnv, file: configuration.subscribers.secretFile)
                else {
                    throw SendSetupError.missing(
                        file: configuration.file,
                        what: "serve needs the unsubscribe secret: set \(configuration.subscribers.secretEnv) or subscribers.secretFile")
                }
                service = try WebService(
                    configuration: configuration, secret: secret, listen: listen.flatMap(ServerSettings.parseListen),
                    logger: Logger(label: "newsletter.serve"))
            } catch {
                throw Terminal.fail(error)
            }
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var failure: (any Error)?
            Task {
                do {
                    try await service.run()
                } catch {
                    failure = error
                }
                done.signal()
            }
            done.wait()
            if let failure { throw Terminal.fail(failure) }
        }
    }

    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the web archive (a page per completed edition, an index, an Atom feed) to a folder.",
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
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw Terminal.fail(error)
            }
            for file in files { try Terminal.write(file.bytes, to: out + "/" + file.name) }
            let count = files.count - 2
            print("Wrote \(out): \(count) edition\(count == 1 ? "" : "s"), index.html, feed.atom.")
        }
    }
}
