import Foundation

/// Builds the digest a subscriber would get now, without sending anything or touching any state.
public struct Preview {
    /// What a preview made.
    public struct Outcome {
        /// The message.
        public var message: MailMessage
        /// The message in wire form (CRLF), as `send` would hand it to SMTP: DKIM-signed when `dkim` is configured.
        public var bytes: [UInt8]
        /// The articles it holds and everything that was skipped.
        public var collection: ArticleCollection
        /// Warnings to show: skipped article files, subscriber entries, a missing secret.
        public var warnings: [String]
    }

    public var configuration: Configuration
    public var now: Date
    /// The subscriber to preview for; nil means the first active one.
    public var recipient: String?
    public var environment: [String: String]

    public init(configuration: Configuration, now: Date, recipient: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.configuration = configuration
        self.now = now
        self.recipient = recipient
        self.environment = environment
    }

    /// Collects, cleans, renders and encodes the digest.
    ///
    /// - Throws: ``ArticleSourceError``, ``RenderError``, ``SubscriberListError``, ``SecretError``,
    ///   ``EmailAddressError`` (a `--to` that is not an address) or ``DKIMError`` (a configured key).
    public func run(identity: inout some MessageIdentity) throws -> Outcome {
        let templates = try TemplateSet.load(configuration)
        let signer = try configuration.dkim.map(DKIMSigner.init(settings:))
        let collection = try Digest.collectArticles(configuration: configuration, now: now)
        var warnings = collection.problems.map { "\($0.description) (skipped)" } + collection.warnings.map(\.description)

        let list = try SubscriberList.load(from: configuration.subscribers.file)
        warnings += list.allWarnings.map(\.description)
        let subscriber: Subscriber
        if let recipient {
            let address = try EmailAddress(recipient)
            if let found = list.subscriber(for: address) {
                subscriber = found
            } else {
                warnings.append("\(recipient) is not an active subscriber in \(configuration.subscribers.file); previewing without a name")
                subscriber = Subscriber(address: address)
            }
        } else if let first = list.firstActive {
            subscriber = first
        } else {
            warnings.append("\(configuration.subscribers.file) has no active subscriber; previewing for a placeholder address")
            subscriber = Subscriber(address: try EmailAddress("subscriber@example.com"), name: nil)
        }

        let secret = try UnsubscribeToken.loadSecret(variable: configuration.subscribers.secretEnv, file: configuration.subscribers.secretFile, environment: environment)
        if secret == nil {
            warnings.append("no unsubscribe secret: set \(configuration.subscribers.secretEnv) or subscribers.secretFile; the preview's unsubscribe link uses a placeholder token")
        }
        let digest = Digest(configuration: configuration, templates: templates, articles: collection.articles, date: now, tokens: secret.map(UnsubscribeToken.init))
        let message = try digest.renderer.message(for: subscriber, identity: &identity)
        var bytes = message.serialized()
        // Signed as `send` signs (same keys, same t=), so that the preview is what goes on the wire.
        if let signer {
            bytes = try signer.sign(bytes, timestamp: MessageFeed.signatureTimestamp(digest.renderer.date))
        }
        return Outcome(message: message, bytes: bytes, collection: collection, warnings: warnings)
    }
}
