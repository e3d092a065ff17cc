import Foundation

/// Everything a run needs to know, read from one JSON file (`--config`, default `./config.json`).
///
/// Relative paths are resolved against the configuration file's folder, so a run from cron finds the same
/// files as a run from a shell.
public struct Configuration: Sendable {
    /// The file this was read from.
    public var file: String
    public var newsletter: Newsletter
    public var articles: Articles
    public var templates: Templates
    public var subscribers: Subscribers
    /// `smtp.*`: how to reach the mail server; nil when the file has no `smtp` section (then `send` refuses).
    public var smtp: SMTPSettings?
    /// `mailbox.*`: the IMAP mailbox of bounces, complaints and unsubscribe mail; nil when absent (then `mailbox`
    /// refuses).
    public var mailbox: MailboxSettings?
    /// `dkim.*`: the domain and keys every message is signed with; nil when absent (messages go unsigned).
    public var dkim: DKIMSettings?
    /// `server.*`: the web service of `newsletter serve`; nil when absent (then `serve` uses the defaults).
    public var server: ServerSettings?
    /// `state.directory`: where editions and their journals are kept; nil when absent (then `send` refuses).
    public var stateDirectory: String?
    /// `state.pendingExpiry`: how long after an edition started its still-pending recipients keep being retried;
    /// past that, a run tries them once more and then records them as failed, so the next edition can start.
    public var pendingExpiry: TimeInterval = 86_400
    /// Where articles come from: `articles.directory` (when set) first, then each entry of `sources`.
    public var sources: [SourceSetting] = []
    /// `feeds.*`: how feeds are fetched.
    public var feeds = FeedSettings()

    /// `newsletter.*`: who sends, what the subject says, how to unsubscribe.
    public struct Newsletter: Sendable {
        /// The digest's name, `{{title}}` in templates.
        public var title: String
        /// The From mailbox; its domain is the Message-ID's domain.
        public var from: Mailbox
        /// A Mustache template for the Subject.
        public var subject: String
        /// A Mustache template giving each subscriber's https unsubscribe URL; when the file has none and
        /// `server.publicURL` is set, the service's own page (`<publicURL>/unsubscribe?token={{token}}`).
        public var unsubscribeURL: String
        /// The address for `mailto:` unsubscribe requests, if any.
        public var unsubscribeMailto: EmailAddress?
        /// The List-Id (RFC 2919), `Title <id.domain>`; derived from the title and the From domain by default.
        public var listID: String
        /// The time zone of the Date header and of dates shown in the digest.
        public var timeZone: TimeZone
    }

    /// `articles.*`: where articles come from and which of them make a digest.
    public struct Articles: Sendable {
        /// `articles.directory`, the first folder source; empty when the configuration has none (then `sources`
        /// names every source).
        public var directory: String
        /// How far back "recent" reaches, in seconds.
        public var window: TimeInterval
        /// The most articles one digest holds, newest first.
        public var maxArticles: Int
        /// The length of an excerpt, in characters.
        public var excerptLength: Int
        /// Boilerplate removal rules: the defaults plus the configured ones.
        public var boilerplate: BoilerplateRules
        /// The most bytes read from one article file (`articles.maxFileBytes`); the rest is left out, with a warning.
        public var maxFileBytes: Int = DirectoryArticleSource.defaultMaxFileBytes
    }

    /// `templates.*`: where the Mustache templates are.
    public struct Templates: Sendable {
        public var directory: String
        /// The name of the HTML template (`digest.html` is `digest.html.mustache`).
        public var html: String
        /// The name of the plain-text template.
        public var text: String

        /// The templates `scripts/install` puts beside the binary: `<prefix>/share/newsletter/templates` for
        /// `<prefix>/bin/newsletter`.
        public static var installedDirectory: String {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            let prefix = ((executable as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            return prefix + "/share/newsletter/templates"
        }
    }

    /// `subscribers.*`: the subscriber list and the unsubscribe-token secret.
    public struct Subscribers: Sendable {
        public var file: String
        /// The environment variable holding the token secret.
        public var secretEnv: String
        /// A file holding the token secret, used when the variable is not set.
        public var secretFile: String?
    }
}

extension Configuration {
    /// Loads and validates the configuration at `path`.
    ///
    /// - Throws: ``ConfigurationError`` naming the file and the key at fault.
    public static func load(from path: String) throws(ConfigurationError) -> Configuration {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readAll(path)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        let json: JSONValue
        do {
            json = try JSONReader.parse(bytes)
        } catch {
            throw .syntax(file: path, error)
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try Configuration(json: json, file: path, baseDirectory: folder.isEmpty ? "." : folder)
    }

    /// Builds a configuration from parsed JSON; relative paths resolve against `baseDirectory`.
    public init(json: JSONValue, file: String, baseDirectory: String) throws(ConfigurationError) {
        self.file = file
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : (baseDirectory == "." ? path : baseDirectory + "/" + path)
        }
        var root = try ConfigurationReader(file: file, path: "", value: json)
        try root.refuseUnknown([
            "newsletter", "articles", "sources", "feeds", "templates", "subscribers", "smtp", "mailbox", "dkim", "server", "state",
        ])
        if var server = try root.object("server") {
            self.server = try ServerSettings(reading: &server, resolve: resolve)
            try server.finish()
        }

        guard var newsletter = try root.object("newsletter") else { throw .missingKey(file: file, key: "newsletter") }
        // Every value that reaches a header is checked here (HeaderText), so that none is changed silently later.
        func checked(_ key: String, _ problem: String?) throws(ConfigurationError) {
            if let problem { throw .invalidValue(file: file, key: "newsletter." + key, reason: problem) }
        }
        let titleText = try newsletter.requiredString("title")
        try checked("title", HeaderText.displayTextProblem(titleText))
        let title = Sanitize.collapsedLine(titleText)
        let fromText = try newsletter.requiredString("from")
        try checked("from", HeaderText.displayTextProblem(fromText, maxCharacters: HeaderText.maxDisplayCharacters + 256))
        let from: Mailbox
        do {
            from = try Mailbox(parsing: fromText)
        } catch {
            throw .invalidValue(file: file, key: "newsletter.from", reason: error.description)
        }
        try checked("from", from.displayName.flatMap { HeaderText.displayTextProblem($0) }.map { "the name " + $0 })
        if from.address.requiresSMTPUTF8 {
            try checked("from", "the address \(from.address) is not ASCII before the '@'; most servers cannot send it (SMTPUTF8)")
        }
        let subject = try newsletter.requiredString("subject")
        try checked("subject", HeaderText.displayTextProblem(subject, maxCharacters: HeaderText.maxSubjectCharacters))
        let unsubscribeURL: String
        if let origin = server?.publicURL, try newsletter.string("unsubscribeURL") == nil {
            unsubscribeURL = origin + "/unsubscribe?token={{token}}"
        } else {
            unsubscribeURL = try newsletter.requiredString("unsubscribeURL")
        }
        guard unsubscribeURL.lowercased().hasPrefix("https://") || ServerSettings.isLoopbackHTTP(unsubscribeURL) else {
            throw .invalidValue(file: file, key: "newsletter.unsubscribeURL", reason: "must be an https:// URL (RFC 8058 one-click unsubscribe needs https)")
        }
        try checked("unsubscribeURL", HeaderText.asciiTokenProblem(unsubscribeURL))
        var mailto: EmailAddress?
        if let text = try newsletter.string("unsubscribeMailto") {
            do {
                mailto = try EmailAddress(text.hasPrefix("mailto:") ? String(text.dropFirst(7)) : text)
            } catch {
                throw .invalidValue(file: file, key: "newsletter.unsubscribeMailto", reason: error.description)
            }
            if let mailto, mailto.requiresSMTPUTF8 {
                try checked("unsubscribeMailto", "the address \(mailto) is not ASCII before the '@'; it cannot stand in List-Unsubscribe")
            }
        }
        let slug = title.lowercased().unicodeScalars.map { $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) ? Character($0) : "-" }
        let slugText = String(String(slug).split(separator: "-").joined(separator: "-").prefix(60)).trimmingCharacters(in: ["-"])
        let listID = try newsletter.string("listId") ?? "\(title) <\(slugText.isEmpty ? "newsletter" : slugText).\(from.address.domain)>"
        try checked("listId", HeaderText.listIDProblem(listID))
        var timeZone = TimeZone.current
        if let name = try newsletter.string("timeZone") {
            guard let zone = TimeZone(identifier: name) else {
                throw .invalidValue(file: file, key: "newsletter.timeZone", reason: "'\(name)' is not a time zone name such as \"Europe/Paris\" or \"UTC\"")
            }
            timeZone = zone
        }
        try newsletter.finish()
        self.newsletter = Newsletter(
            title: title, from: from, subject: subject, unsubscribeURL: unsubscribeURL, unsubscribeMailto: mailto, listID: listID,
            timeZone: timeZone)

        guard var articles = try root.object("articles") else { throw .missingKey(file: file, key: "articles") }
        let directory = try articles.string("directory").map(resolve) ?? ""
        let windowText = try articles.string("window") ?? "24h"
        guard let window = Configuration.parseDuration(windowText) else {
            throw .invalidValue(file: file, key: "articles.window", reason: "'\(windowText)' is not a duration such as \"90m\", \"24h\" or \"7d\"")
        }
        let maxArticles = try articles.integer("maxArticles", in: 1...1000) ?? 20
        let excerptLength = try articles.integer("excerptLength", in: 20...100_000) ?? 300
        let maxFileBytes = try articles.integer("maxFileBytes", in: 4096...1_073_741_824) ?? DirectoryArticleSource.defaultMaxFileBytes
        var rules = BoilerplateRules.standard()
        if var boilerplate = try articles.object("boilerplate") {
            var selectors: [ElementSelector] = []
            for (index, text) in (try boilerplate.strings("selectors") ?? []).enumerated() {
                do {
                    selectors.append(try ElementSelector(text))
                } catch {
                    throw .invalidValue(file: file, key: "articles.boilerplate.selectors[\(index)]", reason: error.description)
                }
            }
            let textBlocks = try boilerplate.strings("textBlocks") ?? []
            for (index, pattern) in textBlocks.enumerated() {
                do {
                    _ = try NSRegularExpression(pattern: pattern)
                } catch {
                    throw .invalidValue(file: file, key: "articles.boilerplate.textBlocks[\(index)]", reason: "'\(pattern)' is not a valid regular expression")
                }
            }
            let cut = try boilerplate.bool("cutAfterLastRule") ?? true
            try boilerplate.finish()
            rules = BoilerplateRules.standard(extraSelectors: selectors, extraTextBlocks: textBlocks, cutAfterLastRule: cut)
        }
        try articles.finish()
        self.articles = Articles(directory: directory, window: window, maxArticles: maxArticles, excerptLength: excerptLength, boilerplate: rules,
            maxFileBytes: maxFileBytes)

        // Without templates.directory, the templates installed beside the binary (scripts/install) are used.
        if var templates = try root.object("templates") {
            self.templates = Templates(
                directory: try templates.string("directory").map(resolve) ?? Templates.installedDirectory,
                html: try templates.string("html") ?? "digest.html",
                text: try templates.string("text") ?? "digest.txt")
            try templates.finish()
        } else {
            self.templates = Templates(directory: Templates.installedDirectory, html: "digest.html", text: "digest.txt")
        }

        guard var subscribers = try root.object("subscribers") else { throw .missingKey(file: file, key: "subscribers") }
        self.subscribers = Subscribers(
            file: resolve(try subscribers.requiredString("file")),
            secretEnv: try subscribers.string("secretEnv") ?? "NEWSLETTER_SECRET",
            secretFile: try subscribers.string("secretFile").map(resolve))
        try subscribers.finish()

        if var smtp = try root.object("smtp") {
            self.smtp = try SMTPSettings(reading: &smtp, resolve: resolve)
            try smtp.finish()
        }
        if var mailbox = try root.object("mailbox") {
            self.mailbox = try MailboxSettings(reading: &mailbox, resolve: resolve)
            try mailbox.finish()
        }
        if var dkim = try root.object("dkim") {
            self.dkim = try DKIMSettings(reading: &dkim, resolve: resolve, fromDomain: self.newsletter.from.address.domain)
            try dkim.finish()
        }
        if !directory.isEmpty { sources.append(.folder(path: directory, name: nil)) }
        if let list = root.value("sources") {
            guard case .array(let entries) = list else {
                throw .wrongType(file: file, key: "sources", expected: "an array of { \"folder\": … } or { \"feed\": … } objects", found: list.typeDescription)
            }
            for (index, entry) in entries.enumerated() {
                var reader = try ConfigurationReader(file: file, path: "sources[\(index)]", value: entry)
                sources.append(try SourceSetting(reading: &reader, index: index, resolve: resolve))
                try reader.finish()
            }
        }
        guard !sources.isEmpty else {
            throw .missingKey(file: file, key: "articles.directory")
        }
        if var feedSection = try root.object("feeds") {
            feeds = try FeedSettings(reading: &feedSection, resolve: resolve)
            try feedSection.finish()
        }
        if var state = try root.object("state") {
            stateDirectory = resolve(try state.requiredString("directory"))
            if let text = try state.string("pendingExpiry") {
                guard let expiry = Configuration.parseDuration(text) else {
                    throw .invalidValue(file: file, key: "state.pendingExpiry", reason: "'\(text)' is not a duration such as \"12h\" or \"2d\"")
                }
                pendingExpiry = expiry
            }
            try state.finish()
        }

        if stateDirectory == nil, let index = sources.firstIndex(where: { if case .feed = $0 { return true } else { return false } }) {
            throw .invalidValue(file: file, key: "sources[\(index - (directory.isEmpty ? 0 : 1))]", reason: "a feed needs `state.directory`, where fetched feeds and the items already sent are kept")
        }
        try root.finish()
    }

    /// Parses a duration such as `90m`, `24h`, `7d`, `2w` or `3600s` into seconds.
    public static func parseDuration(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last, let amount = Double(trimmed.dropLast()), amount > 0, amount.isFinite else { return nil }
        switch unit {
        case "s": return amount
        case "m": return amount * 60
        case "h": return amount * 3600
        case "d": return amount * 86_400
        case "w": return amount * 604_800
        default: return nil
        }
    }
}
