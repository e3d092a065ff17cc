/// Where messages go: an SMTP server, or a folder of `.eml` files for a dry run.
public protocol MailTransport {
    /// Delivers every job `next` gives, handing each batch of results to `recorder`, until `next` returns nil or
    /// `shouldStop` says so. A connection does not send a message's content (so the server cannot take it) before
    /// its last result is durable.
    ///
    /// - Throws: ``DeliveryError`` when the run must stop (connection, TLS, authentication); results already
    ///   passed to `recorder` stand.
    func deliver(next: () throws -> DeliveryJob?, recorder: any ResultRecorder, shouldStop: () -> Bool) throws

    /// How many temporary failures were retried.
    var retriedCount: Int { get }

    /// What each relay did, when the transport has relays.
    var relayReports: [RelayReport] { get }
}

extension MailTransport {
    public var relayReports: [RelayReport] { [] }
}
