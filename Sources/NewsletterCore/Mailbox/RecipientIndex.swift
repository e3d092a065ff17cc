/// The list's active subscribers as the mailbox reader needs them: by address, by unsubscribe token, by VERP token.
///
/// Built once per run from the list and the secret. Token checking lives in ``address(forUnsubscribeToken:)``
/// alone, so that a change of token scheme touches one function.
public struct RecipientIndex: Sendable {
    private var active: [String: EmailAddress] = [:]
    private let tokens: UnsubscribeToken?
    private var byVERPToken: [String: EmailAddress] = [:]
    /// The VERP template, when `smtp.envelopeFrom` has one.
    public let verp: VERPAddress?

    /// Indexes `subscribers` (the active ones); `secret` signs the tokens, `verp` decodes envelope tokens.
    public init(subscribers: [Subscriber], secret: [UInt8]?, verp: VERPAddress?) {
        self.verp = verp
        tokens = secret.map { UnsubscribeToken(secret: $0) }
        for subscriber in subscribers {
            let address = subscriber.address
            active[address.normalized] = address
            if let verp { byVERPToken[verp.token(for: address)] = address }
        }
    }

    /// How many active subscribers there are.
    public var count: Int { active.count }

    /// The listed spelling of `address` when it is an active subscriber.
    public func subscriber(_ address: EmailAddress) -> EmailAddress? {
        active[address.normalized]
    }

    /// The subscriber whose unsubscribe token is `token`, if any.
    ///
    /// The token carries its address under a MAC: it is checked with the secret, then the address looked up among
    /// the active subscribers.
    public func address(forUnsubscribeToken token: String) -> EmailAddress? {
        guard let address = tokens?.address(fromToken: token) else { return nil }
        return subscriber(address)
    }

    /// The subscriber named by the VERP token in the envelope address `address`, if it is one of ours.
    public func address(forVERP address: String) -> EmailAddress? {
        guard let token = verp?.token(in: address) else { return nil }
        return byVERPToken[token]
    }
}
