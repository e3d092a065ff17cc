/// The outcomes of a delivery run as they come in: counts for the progress display, and the failures and pending
/// recipients for the report.
struct DeliveryTally {
    var progress: SendProgress
    /// Permanent failures: address and reply.
    var failures: [(address: String, reply: String)] = []
    /// Recipients left pending, with the last reply.
    var deferred: [(address: String, reply: String)] = []
    /// Recipients whose message's outcome is unknown, with what happened.
    var unknown: [(address: String, reply: String)] = []

    init(total: Int) {
        progress = SendProgress()
        progress.total = total
    }

    /// Counts one recorded batch.
    mutating func count(_ results: [DeliveryResult]) {
        for result in results {
            switch result {
            case .sent: progress.sent += 1
            case .failed(let job, let reply):
                progress.failed += 1
                failures.append((job.recipient.description, reply))
            case .deferred(let job, let reply):
                progress.deferred += 1
                deferred.append((job.recipient.description, reply))
            case .unknown(let job, let reply):
                progress.unknown += 1
                unknown.append((job.recipient.description, reply))
            }
        }
    }
}
