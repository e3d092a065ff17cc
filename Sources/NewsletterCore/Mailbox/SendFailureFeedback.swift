import Foundation

/// What `send`'s permanent failures mean for the list: the mailbox side of a 5xx answered at send time.
///
/// A failure whose reply carries an RFC 3463 status of class 5.1 (bad mailbox, bad domain, address syntax) is about
/// the mailbox itself: the address is unsubscribed at once (`reason: bounced`, source `send`), so no later edition
/// tries it again. Any other 5xx is recorded in the soft-bounce journal like a soft bounce, once per edition and
/// address; `mailbox.softBounceLimit` of them within `mailbox.softBounceWindow` unsubscribe the address.
///
/// libcurl reports an SMTP refusal as "RCPT failed: 550" without the server's text, so today the 5.1 status is
/// recognised only when the reply recorded for the recipient carries it.
public struct SendFailureFeedback: Sendable {
    public let store: SubscriberStore
    public let bounces: BounceJournal
    public let limit: Int
    public let window: TimeInterval

    public init(store: SubscriberStore, bounces: BounceJournal, limit: Int, window: TimeInterval) {
        self.store = store
        self.bounces = bounces
        self.limit = limit
        self.window = window
    }

    /// The feedback of `configuration`: its list, and the journals in its state folder.
    public init(configuration: Configuration, stateDirectory: String) {
        self.init(
            store: SubscriberStore(configuration: configuration), bounces: BounceJournal(stateDirectory: stateDirectory),
            limit: configuration.mailbox?.softBounceLimit ?? 3, window: configuration.mailbox?.softBounceWindow ?? 30 * 86_400)
    }

    /// Records `failures` (address, reply) of the edition `edition` and unsubscribes the addresses they condemn.
    ///
    /// - Returns: one line per address unsubscribed.
    public func apply(_ failures: [(address: String, reply: String)], edition: String, at date: Date) throws -> [String] {
        var immediate: [(EmailAddress, String)] = []
        var counted: [(EmailAddress, String)] = []
        for (text, reply) in failures {
            guard let address = try? EmailAddress(text) else { continue }
            if let status = BounceText.enhancedStatus(in: reply), status.hasPrefix("5.1.") {
                immediate.append((address, reply))
            } else if let code = BounceText.replyCode(in: reply + " ."), code.hasPrefix("5") {
                counted.append((address, reply))
            }
        }
        var condemned = immediate
        if !counted.isEmpty {
            try bounces.record(counted.map { BounceJournal.Entry(address: $0.0.normalized, date: date, key: "send:" + edition, detail: "at send time: " + $0.1) })
            let counts = try bounces.counts(within: window, now: date)
            condemned += counted.filter { (counts[$0.0.normalized] ?? 0) >= limit }
        }
        guard !condemned.isEmpty else { return [] }
        let edits = condemned.map { address, _ in
            SubscriberFileEditor.Edit.unsubscribe(address, fields: [("reason", .string("bounced")), ("unsubscribedAt", .string(Instant.iso(date)))])
        }
        let results = try store.apply(edits, source: "send", reason: "bounced", at: date)
        return zip(condemned, results).compactMap { item, result in
            guard case .done(.changed) = result else { return nil }
            return "\(item.0): unsubscribed (bounced: \(Sanitize.collapsedLine(item.1)))"
        }
    }
}
