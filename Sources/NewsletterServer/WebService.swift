import Foundation
import Hummingbird
import Logging
import NewsletterCore
import ServiceLifecycle

/// `newsletter serve`: the web half of the newsletter. One-click unsubscribe (RFC 8058), double opt-in sign-up
/// and the archive, on Hummingbird, behind a reverse proxy that terminates TLS.
///
/// Every list edit goes through ``ListWriter`` (batched ``SubscriberStore`` transactions). SIGTERM and SIGINT stop
/// the server gracefully (swift-service-lifecycle): requests in flight are answered, the writer finishes its batch.
public struct WebService: Sendable {
    let app: WebApp
    let settings: ServerSettings

    /// Prepares the service: loads the pages, checks the secret and the mail settings.
    ///
    /// - Parameters:
    ///   - listen: overrides `server.listen`.
    /// - Throws: ``RenderError`` for a missing or broken page template; ``SendSetupError`` for unusable SMTP settings.
    public init(configuration: Configuration, secret: [UInt8], listen: (host: String, port: Int)? = nil, logger: Logger) throws {
        var settings = configuration.server ?? ServerSettings()
        if let listen {
            settings.host = listen.host
            settings.port = listen.port
        }
        self.settings = settings
        // The suppression journal lives in the state folder: make it before the first opt-out arrives.
        if let state = configuration.stateDirectory {
            do {
                try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            } catch {
                throw ServeError.cannotCreate(path: state, reason: FileSystem.reason(error))
            }
        }
        let directory = settings.templatesDirectory ?? configuration.templates.directory + "/web"
        let pages = try WebPages(directory: directory)
        let sender = configuration.smtp == nil ? nil : try SingleMessageSender(configuration: configuration)
        app = WebApp(configuration: configuration, settings: settings, secret: secret, pages: pages, sender: sender, logger: logger)
    }

    /// Runs until SIGTERM or SIGINT.
    public func run() async throws {
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware(logger: app.logger, errorPage: { [app] status, message in app.errorPage(status, message) }))
        app.addRoutes(to: router)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { [app, settings] _ in
                app.logger.info("listening on \(settings.host):\(settings.port)")
                if !app.signupAvailable {
                    app.logger.warning("sign-up is off: it needs server.publicURL (for the confirmation link) and an smtp section (to send it)")
                }
            },
            logger: app.quietLogger)
        app.listWriter.start()
        defer { app.listWriter.stop() }
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: app.quietLogger))
        try await group.run()
        app.logger.info("stopped")
    }
}

/// `newsletter serve` cannot start.
public enum ServeError: Error, CustomStringConvertible, Sendable {
    /// The state folder (for the suppression journal) cannot be made.
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason): return "\(path): cannot create the state folder: \(reason)"
        }
    }
}
