import Foundation

/// The transport's supply of messages: each recipient's message rendered and encoded on a thread of its own, a
/// few ahead of the connections (see ``RenderAhead``), and with DKIM configured signed by ``SigningWorkers``, so
/// that the bytes the transport takes are final; counts how many the transport took.
final class MessageFeed {
    private let ahead: RenderAhead
    private let signing: SigningWorkers?
    /// Messages handed to the transport so far.
    private(set) var taken = 0

    /// A feed for `count` recipients, recipient `i` being `recipient(i)` (called on the render thread, in order).
    init(count: Int, recipient: @escaping (Int) throws -> Subscriber, renderer: DigestRenderer, identity: any MessageIdentity, signer: DKIMSigner? = nil) {
        var index = 0
        var identity = identity
        ahead = RenderAhead(capacity: 32) {
            guard index < count else { return nil }
            let subscriber = try recipient(index)
            index += 1
            let message = try renderer.wireMessage(for: subscriber, identity: &identity)
            return DeliveryJob(recipient: subscriber.address, messageID: message.messageID, bytes: message.bytes)
        }
        ahead.start()
        if let signer {
            let ahead = ahead
            let timestamp = MessageFeed.signatureTimestamp(renderer.date)
            signing = SigningWorkers(workers: MessageFeed.signingWorkerCount, capacity: 64, upstream: ahead.next) { job in
                var job = job
                job.bytes = try signer.sign(job.bytes, timestamp: timestamp)
                return job
            }
        } else {
            signing = nil
        }
    }

    /// Signing threads: one per processor, at most 4 (a 2,048-bit RSA signature takes about a millisecond).
    static var signingWorkerCount: Int { min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 4) }

    /// The `t=` of the edition's signatures: its date, so that a resumed edition signs as it was first signed and
    /// `preview` gives the same bytes as `send`.
    static func signatureTimestamp(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }

    /// The next message, or nil when every recipient has one.
    ///
    /// - Throws: the render or signing error that stopped the feed.
    func next() throws -> DeliveryJob? {
        let job: DeliveryJob?
        if let signing { job = try signing.next() } else { job = try ahead.next() }
        if job != nil { taken += 1 }
        return job
    }

    /// Stops rendering and signing and waits for their threads to end.
    func cancel() {
        ahead.cancel()
        signing?.cancel()
    }
}
