import Foundation

/// Writes each message to a folder as `.eml` instead of sending it: `send --dry-run`.
public final class FileTransport: MailTransport {
    public let directory: String
    public private(set) var retriedCount = 0
    private var count = 0

    public init(directory: String) {
        self.directory = directory
    }

    public func deliver(next: () throws -> DeliveryJob?, record: ([DeliveryResult]) throws -> Void, shouldStop: () -> Bool) throws {
        while !shouldStop(), let job = try next() {
            count += 1
            let name = String(format: "%06d-", count) + job.recipient.description.replacingOccurrences(of: "/", with: "_") + ".eml"
            try FileSystem.writeAtomically(job.bytes, to: directory + "/" + name)
            try record([.sent(job)])
        }
    }
}
