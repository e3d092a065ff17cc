import Foundation

/// One message to one recipient, as handed to the transport.
public struct DeliveryJob: Sendable {
    public var recipient: EmailAddress
    public var messageID: String
    public var bytes: [UInt8]
    /// The relay that took the message (its host and port), once it has an outcome there.
    public var relay: String?
    /// Failed attempts so far in this run.
    public var attempts = 0
    /// Not to be tried again before this instant (a monotonic time in seconds).
    var notBefore: Double = 0

    public init(recipient: EmailAddress, messageID: String, bytes: [UInt8]) {
        self.recipient = recipient
        self.messageID = messageID
        self.bytes = bytes
    }
}
