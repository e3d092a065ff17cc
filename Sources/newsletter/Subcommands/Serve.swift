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
            if let failure {
                // NIO's bind error reads "bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)".
                let text = String(describing: failure)
                if text.contains("bind(") || text.contains("Address already in use") {
                    let address = listen ?? configuration.server.map { "\($0.host):\($0.port)" } ?? ServerSettings.defaultListen
                    let reason = text.contains("already in use") ? "the address is already in use (is another serve running?)" : "the address cannot be used"
                    Terminal.error("cannot listen on \(address): \(reason)")
                    throw ExitCode(1)
                }
                throw Terminal.fail(failure)
            }
        }
    }
}
