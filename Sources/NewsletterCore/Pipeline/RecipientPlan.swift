/// Who gets this run's messages: the list's active subscribers, read now, less those already served by an
/// earlier run of the edition, those who opted out in the suppression journal, and those this sender cannot
/// reach.
struct RecipientPlan {
    /// The list the recipients come from.
    private let list: SubscriberList?
    /// The recipients' records in ``list``, in list order. Each recipient's entry is parsed again when its message
    /// is made (``recipient(_:)``), so that a run holds four bytes per recipient rather than a value: memory
    /// stays nearly flat as the list grows.
    private var records: [Int32] = []
    /// How many subscribers to send to.
    var recipientCount: Int { records.count }
    /// Recipients already served by an earlier run of the same edition.
    var alreadyDone = 0
    /// Recipients whose message's outcome was unknown in an earlier run: sent once more in this one (at most
    /// once in all, see ``Journal/Entry/isSettled``).
    var resent: [String] = []
    /// Active in the list but opted out in the suppression journal.
    var suppressed = 0
    /// Addresses skipped with a warning.
    var skipped: [String] = []
    /// Warnings to show: bad list entries, skipped addresses.
    var warnings: [String] = []

    /// Reads the list under its shared lock, so that an unsubscribe made before this run is honoured even when
    /// resuming an edition started earlier.
    ///
    /// - Parameter done: the outcomes already journalled for this edition, keyed by normalised address.
    static func make(configuration: Configuration, done: [String: Journal.Entry]) throws -> RecipientPlan {
        let store = SubscriberStore(configuration: configuration)
        let listLock = try? FileLock.acquire(store.lockPath, exclusive: false, timeout: 10)
        let list = try SubscriberList.load(from: configuration.subscribers.file)
        listLock?.release()
        let suppressed = try store.suppressions?.load() ?? [:]
        return RecipientPlan(list: list, done: done, suppressed: suppressed)
    }

    /// The plan for `list`, given what is done and who opted out (keys are normalised addresses).
    init(list: SubscriberList, done: [String: Journal.Entry], suppressed: [String: SuppressionList.Entry]) {
        self.list = list
        warnings = list.allWarnings.map(\.description)
        for index in 0..<list.recordCount {
            guard let subscriber = list.subscriber(atRecord: index) else { continue }
            let key = subscriber.address.normalized
            if let entry = done[key], entry.isSettled {
                alreadyDone += 1
            } else if suppressed[key] != nil {
                self.suppressed += 1
            } else if subscriber.address.requiresSMTPUTF8 {
                skipped.append(subscriber.address.description)
                warnings.append("\(subscriber.address): skipped: its local part is not ASCII and needs SMTPUTF8, which this sender does not negotiate")
            } else {
                if done[key] != nil { resent.append(subscriber.address.description) }
                records.append(Int32(index))
            }
        }
    }

    /// Recipient number `index` (below ``recipientCount``), read again from the list.
    ///
    /// - Throws: ``RenderError/invalidOutput(source:reason:)`` if its entry no longer reads as it did (it cannot:
    ///   the list's bytes are kept), which stops the run with the recipient pending.
    func recipient(_ index: Int) throws(RenderError) -> Subscriber {
        guard let list, let subscriber = list.subscriber(atRecord: Int(records[index])) else {
            throw .invalidOutput(source: list?.file ?? "subscriber list", reason: "recipient \(index + 1) could not be read again")
        }
        return subscriber
    }
}
