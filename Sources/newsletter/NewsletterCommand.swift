import ArgumentParser
import Logging

@main
struct NewsletterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsletter",
        abstract: "Sends a daily digest of new articles to a list of subscribers.",
        discussion: """
            Exit codes: 0 done; 64 bad usage; 65 bad input data (configuration, templates, subscriber list, secret, \
            DKIM key), nothing sent; 75 try again later (recipients still pending after a temporary failure or \
            SIGTERM, or another run holds the lock); 1 other failures (the server, TLS or login failed; a file \
            cannot be read or written).

            Environment: NEWSLETTER_SECRET holds the unsubscribe-token secret (or subscribers.secretEnv names \
            another variable, or subscribers.secretFile a file); the SMTP password is in the variable smtp.passwordEnv names \
            (SMTP_PASSWORD in the example), MAILBOX_PASSWORD likewise for mailbox.passwordEnv. Configuration: ./config.json unless --config names another file.
            """,
        version: "0.1.0",
        subcommands: [Send.self, Preview.self, Articles.self, Subscribers.self, Mailbox.self, Fetch.self, Check.self, DKIM.self, Serve.self, Archive.self]
    )

    static func main() {
        LoggingSystem.bootstrap(TerminalLogHandler.init)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // argument-parser's own messages quote what was typed: quoted like every other (Terminal.printable).
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code.isSuccess { Terminal.output(message) } else { Terminal.error(message) }
            }
            exit(withError: code)
        }
    }
}
