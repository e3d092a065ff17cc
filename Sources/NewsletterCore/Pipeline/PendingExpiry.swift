import Foundation

/// The rule that keeps one unreachable mailbox from holding back the next edition: once an edition is older
/// than `state.pendingExpiry`, what is still pending after a run's last try is recorded as failed.
struct PendingExpiry {
    /// How long after an edition started its pending recipients are retried.
    var expiry: TimeInterval

    /// Whether the edition of `editionDate` has expired at `now`.
    func hasExpired(editionDate: Date, now: Date) -> Bool {
        now.timeIntervalSince(editionDate) >= expiry
    }

    /// Records every pending recipient of `tally` as failed in `journal`, with a reply that says why.
    func expire(_ tally: inout DeliveryTally, journal: Journal, at date: Date) throws(FileSystem.IOError) {
        let hours = Int(expiry / 3600)
        var results: [DeliveryResult] = []
        for (address, reply) in tally.deferred {
            let message = "expired: still failing \(hours) h after the edition started; last reply: \(reply)"
            tally.failures.append((address, message))
            if let recipient = try? EmailAddress(address) {
                results.append(.failed(DeliveryJob(recipient: recipient, messageID: "", bytes: []), reply: message))
            }
        }
        try journal.append(results, at: date)
        tally.progress.failed += tally.deferred.count
        tally.progress.deferred = 0
        tally.deferred = []
    }
}
