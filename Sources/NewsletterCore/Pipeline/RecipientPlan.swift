import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Who gets this run's messages: the list's active subscribers, read now, less those already served by an
/// earlier run of the edition, those who opted out in the suppression journal, and those this sender cannot
/// reach.
struct RecipientPlan {
    /// The recipients' entries in the list, in list order, each parsed again when its message is made
    /// (``recipient(_:)``): a run holds twelve bytes per recipient rather than a value, and not the list's bytes,
    /// so that memory stays nearly flat as the list grows.
    private let entries: RecipientEntries
    /// How many subscribers to send to.
    var recipientCount: Int { entries.count }
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
        // Opened before it is read, under the lock: the descriptor the entries are read again from.
        let descriptor = open(configuration.subscribers.file, O_RDONLY | O_CLOEXEC)
        let list: SubscriberList
        do {
            list = try SubscriberList.load(from: configuration.subscribers.file)
        } catch {
            if descriptor >= 0 { close(descriptor) }
            throw error
        }
        listLock?.release()
        let suppressed = try store.suppressions?.load() ?? [:]
        return RecipientPlan(list: list, descriptor: descriptor, done: done, suppressed: suppressed)
    }

    /// The plan for `list`, given what is done and who opted out (keys are normalised addresses); `descriptor`
    /// (or -1) is the list file, opened before `list` was read from it (see ``RecipientEntries``).
    init(list: SubscriberList, descriptor: Int32 = -1, done: [String: Journal.Entry], suppressed: [String: SuppressionList.Entry]) {
        entries = RecipientEntries(list: list, descriptor: descriptor)
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
                entries.append(list.addresses[index])
            }
        }
    }

    /// Recipient number `index` (below ``recipientCount``), read again from the list.
    ///
    /// - Throws: ``RenderError/invalidOutput(source:reason:)`` if its entry cannot be read again (a disk error),
    ///   which stops the run with the recipient pending.
    func recipient(_ index: Int) throws(RenderError) -> Subscriber {
        try entries.subscriber(index)
    }
}
