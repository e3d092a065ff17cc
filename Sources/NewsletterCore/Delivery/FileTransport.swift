import Foundation

/// Writes each message to a folder as `.eml` instead of sending it: `send --dry-run`.
///
/// The folder `/dev/null` discards the messages after they are fully rendered and encoded, which measures
/// everything but the network (the benchmark's "render + encode" figure).
public final class FileTransport: MailTransport {
    /// The folder name that means "discard".
    public static let discard = "/dev/null"
    public let directory: String
    public private(set) var retriedCount = 0
    private var count = 0

    public init(directory: String) {
        self.directory = directory
    }

    public func deliver(next: () throws -> DeliveryJob?, recorder: any ResultRecorder, shouldStop: () -> Bool) throws {
        while !shouldStop(), let job = try next() {
            count += 1
            if directory == FileTransport.discard {
                _ = try recorder.record([.sent(job)])
                continue
            }
            let name = String(format: "%06d-", count) + job.recipient.description.replacingOccurrences(of: "/", with: "_") + ".eml"
            try FileSystem.writeAtomically(job.bytes, to: directory + "/" + name)
            _ = try recorder.record([.sent(job)])
        }
    }
}
