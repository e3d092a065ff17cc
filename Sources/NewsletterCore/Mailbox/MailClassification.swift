/// What one message in the bounce mailbox means for the list.
public struct MailClassification: Sendable, Equatable {
    /// The kind of message.
    public enum Kind: String, Sendable {
        /// A delivery status notification or a plain-text bounce.
        case bounce
        /// A feedback-loop complaint (RFC 5965 ARF).
        case complaint
        /// A request to `newsletter.unsubscribeMailto`.
        case unsubscribe
        /// Anything else: a reply, an auto-reply, a report about nobody on the list. Left alone.
        case ignored
    }

    /// One effect on one subscriber.
    public struct Finding: Sendable, Equatable {
        /// What the message says about the subscriber.
        public enum Effect: String, Sendable {
            /// A permanent failure: unsubscribe now (`reason: bounced`).
            case hardBounce
            /// A temporary failure: count it; enough of them suppress the address.
            case softBounce
            /// The subscriber marked the mail as spam (`reason: complained`).
            case complaint
            /// The subscriber asked to leave (`reason: unsubscribed`).
            case unsubscribe
        }

        public var effect: Effect
        /// The subscriber, as listed.
        public var address: EmailAddress
        /// Why, in one safe line: a status code and its wording, or how the request was recognised.
        public var detail: String

        public init(effect: Effect, address: EmailAddress, detail: String) {
            self.effect = effect
            self.address = address
            self.detail = detail
        }
    }

    public var kind: Kind
    /// The effects, one per subscriber concerned; empty for an ignored message.
    public var findings: [Finding]
    /// For an ignored message (or a report that names no subscriber): why it is left alone.
    public var note: String

    public init(kind: Kind, findings: [Finding] = [], note: String = "") {
        self.kind = kind
        self.findings = findings
        self.note = note
    }

    /// A message left alone, and why.
    public static func ignored(_ note: String) -> MailClassification {
        MailClassification(kind: .ignored, note: note)
    }
}
