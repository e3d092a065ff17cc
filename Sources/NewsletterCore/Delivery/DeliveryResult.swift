/// What became of one job.
public enum DeliveryResult: Sendable {
    /// The server accepted the message (250 after DATA).
    case sent(DeliveryJob)
    /// The server refused the recipient or the message for good (5xx): not retried in this edition.
    case failed(DeliveryJob, reply: String)
    /// Temporary failures used up this run's retries: the recipient stays pending for the next run.
    case deferred(DeliveryJob, reply: String)
    /// The whole message was sent, but no reply to its end of data came (a timeout, a dropped connection): the
    /// server may have taken it. Never retried in this run; resent at most once, by a later run.
    case unknown(DeliveryJob, reply: String)
}
