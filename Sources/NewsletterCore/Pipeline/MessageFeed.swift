/// The transport's supply of messages: each recipient's message rendered and encoded on a thread of its own, a
/// few ahead of the connections (see ``RenderAhead``), counting how many the transport took.
final class MessageFeed {
    private let ahead: RenderAhead
    /// Messages handed to the transport so far.
    private(set) var taken = 0

    init(recipients: [Subscriber], renderer: DigestRenderer, identity: any MessageIdentity) {
        var index = 0
        var identity = identity
        ahead = RenderAhead(capacity: 32) {
            guard index < recipients.count else { return nil }
            let subscriber = recipients[index]
            index += 1
            let message = try renderer.wireMessage(for: subscriber, identity: &identity)
            return DeliveryJob(recipient: subscriber.address, messageID: message.messageID, bytes: message.bytes)
        }
        ahead.start()
    }

    /// The next message, or nil when every recipient has one.
    ///
    /// - Throws: the render error that stopped the render thread.
    func next() throws -> DeliveryJob? {
        let job = try ahead.next()
        if job != nil { taken += 1 }
        return job
    }

    /// Stops rendering and waits for the render thread to end.
    func cancel() {
        ahead.cancel()
    }
}
