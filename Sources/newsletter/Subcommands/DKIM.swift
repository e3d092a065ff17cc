import ArgumentParser

extension NewsletterCommand {
    struct DKIM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dkim",
            abstract: "Make DKIM keys and print the DNS records that publish them.",
            discussion: """
                With a `dkim` section in the configuration, `send` and `preview` sign every message. See README, \
                "DKIM, SPF and DMARC".
                """,
            subcommands: [Keygen.self, Record.self])
    }
}
