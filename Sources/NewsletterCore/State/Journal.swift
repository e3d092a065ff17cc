import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The durable record of an edition's deliveries: one tab-separated line per recipient outcome, appended and
/// flushed to disk (fdatasync) before the connections involved start another message.
///
/// ```
/// sent    zhang.wei@example.com   <1a2b.c3d4@example.org>   2024-02-02T08:00:03Z  relay1.example.org:587
/// failed  bob@example.net         2024-02-02T08:00:04Z      RCPT failed: 550 (curl 55, reply 550)
/// unknown li@example.com          <9f8e.7d6c@example.org>   2024-02-02T08:00:05Z  Operation timed out… (curl 28)  relay2.example.org:587
/// ```
/// `unknown` means the whole message went out but no reply to its end of data came: the server may have taken
/// it. A later run resends it once (with the same Message-ID); a second `unknown` for the address ends it.
/// The last field of `sent` and `unknown` names the relay that took the message (host and port).
/// A line cut short by a crash (no final newline) is ignored when read back: that recipient is still pending.
public final class Journal {
    public let path: String
    private var fd: Int32 = -1

    /// One recorded outcome.
    public enum Entry: Equatable, Sendable {
        case sent(messageID: String)
        case failed(reply: String)
        /// The outcome of `count` attempts is unknown (see ``DeliveryResult/unknown(_:reply:)``).
        case unknown(count: Int, reply: String)

        /// Whether the recipient has a known outcome, or has used up its one resend after an unknown one.
        public var isSettled: Bool {
            if case .unknown(let count, _) = self { return count >= 2 }
            return true
        }
    }

    public init(path: String) {
        self.path = path
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Reads the outcomes recorded so far, keyed by normalised address.
    public func load() throws(FileSystem.IOError) -> [String: Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let bytes = try FileSystem.readAll(path)
        var entries: [String: Entry] = [:]
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        lines.removeLast()  // Empty after a final newline, or a line cut short by a crash.
        for line in lines {
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count >= 3 else { continue }
            switch fields[0] {
            case "sent": entries[fields[1]] = .sent(messageID: fields[2])
            case "failed": entries[fields[1]] = .failed(reply: fields.count > 3 ? fields[3] : "")
            case "unknown":
                let reply = fields.count > 4 ? fields[4] : ""
                switch entries[fields[1]] {
                case .none: entries[fields[1]] = .unknown(count: 1, reply: reply)
                case .unknown(let count, _): entries[fields[1]] = .unknown(count: count + 1, reply: reply)
                default: break  // A known outcome stands.
                }
            default: continue
            }
        }
        return entries
    }

    /// Appends the outcomes in `results` and flushes them to disk; deferred recipients are not recorded.
    public func append(_ results: [DeliveryResult], at date: Date) throws(FileSystem.IOError) {
        if fd < 0 {
            let existed = FileManager.default.fileExists(atPath: path)
            fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
            if !existed { FileSystem.syncDirectory((path as NSString).deletingLastPathComponent) }
            // A line cut short by a crash is ended first, so that it can never merge with the next one.
            let size = lseek(fd, 0, SEEK_END)
            var last: UInt8 = 0x0A
            if size > 0 { _ = pread(fd, &last, 1, size - 1) }
            if last != 0x0A { try FileSystem.writeFully(fd, [0x0A], path: path) }
        }
        let time = DisplayDate.isoInstant(date)
        var text = ""
        for result in results {
            switch result {
            case .sent(let job):
                text += "sent\t\(job.recipient.normalized)\t<\(job.messageID)>\t\(time)" + (job.relay.map { "\t" + $0 } ?? "") + "\n"
            case .failed(let job, let reply):
                text += "failed\t\(job.recipient.normalized)\t\(time)\t\(reply.replacingOccurrences(of: "\t", with: " "))\n"
            case .unknown(let job, let reply):
                text += "unknown\t\(job.recipient.normalized)\t<\(job.messageID)>\t\(time)\t\(reply.replacingOccurrences(of: "\t", with: " "))"
                    + (job.relay.map { "\t" + $0 } ?? "") + "\n"
            case .deferred:
                continue
            }
        }
        guard !text.isEmpty else { return }
        try FileSystem.writeFully(fd, Array(text.utf8), path: path)
        guard fdatasync(fd) == 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
    }
}
