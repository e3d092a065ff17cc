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
///
/// While a run writes, the file is kept ahead of its lines with zeros, a mebibyte at a time: a flush then
/// writes data into blocks the file already has, and needs no change of its size, which on ext4 costs a journal
/// commit on every `fdatasync` (about a third of the flush). The zeros are cut off when the journal is closed; a
/// crash can leave them, and reading stops at the first zero byte.
public final class Journal {
    public let path: String
    private var fd: Int32 = -1
    /// Where the next line goes: the end of the lines written so far.
    private var end: off_t = 0
    /// The file's size: `end` plus the zeros ahead of it.
    private var allocated: off_t = 0
    /// How far ahead of the lines the file is extended with zeros.
    static let extent = 1 << 20

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
        close()
    }

    /// Cuts off the zeros ahead of the lines and closes the file; the next ``append(_:at:)`` opens it again.
    public func close() {
        guard fd >= 0 else { return }
        if allocated > end { _ = ftruncate(fd, end) }
        _ = Glibc.close(fd)
        fd = -1
    }

    /// `text` as one field of a line: a tab, a line break or a zero byte (where reading would stop) becomes a space.
    static func field(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0 }) else { return text }
        return String(text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" || $0 == "\0" ? " " : $0 })
    }

    /// The length of `bytes` up to its first zero byte: the lines, without the zeros a crash may have left.
    static func linesLength(_ bytes: some Collection<UInt8>) -> Int {
        bytes.firstIndex(of: 0).map { bytes.distance(from: bytes.startIndex, to: $0) } ?? bytes.count
    }

    /// Reads the outcomes recorded so far, keyed by normalised address.
    public func load() throws(FileSystem.IOError) -> [String: Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let all = try FileSystem.readAll(path)
        let bytes = all[..<Journal.linesLength(all)]
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
        if fd < 0 { try open() }
        let time = DisplayDate.isoInstant(date)
        var text = ""
        for result in results {
            switch result {
            case .sent(let job):
                text += "sent\t\(job.recipient.normalized)\t<\(job.messageID)>\t\(time)" + (job.relay.map { "\t" + $0 } ?? "") + "\n"
            case .failed(let job, let reply):
                text += "failed\t\(job.recipient.normalized)\t\(time)\t\(Journal.field(reply))\n"
            case .unknown(let job, let reply):
                text += "unknown\t\(job.recipient.normalized)\t<\(job.messageID)>\t\(time)\t\(Journal.field(reply))"
                    + (job.relay.map { "\t" + $0 } ?? "") + "\n"
            case .deferred:
                continue
            }
        }
        guard !text.isEmpty else { return }
        try write(Array(text.utf8))
        guard fdatasync(fd) == 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
    }

    /// Opens the file and finds the end of its lines by the rule ``load()`` reads them with: the first zero byte,
    /// or the end. Whatever follows (zeros, or bytes a power loss kept of a later page) is cut off, so that it can
    /// never sit between the lines and hide the next ones. A line cut short by a crash is ended first, so that it
    /// can never merge with the next one.
    private func open() throws(FileSystem.IOError) {
        let existed = FileManager.default.fileExists(atPath: path)
        let opened = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard opened >= 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
        fd = opened
        if !existed { FileSystem.syncDirectory((path as NSString).deletingLastPathComponent) }
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return }
        let bytes = try FileSystem.readAll(path)
        end = off_t(Journal.linesLength(bytes))
        if end < size {
            guard ftruncate(fd, end) == 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
        }
        allocated = end
        if end > 0 && bytes[Int(end) - 1] != 0x0A { try write([0x0A]) }
    }

    /// Writes `bytes` at the end of the lines, first extending the file with zeros if they do not fit.
    private func write(_ bytes: [UInt8]) throws(FileSystem.IOError) {
        let needed = end + off_t(bytes.count)
        if needed > allocated {
            let zeros = [UInt8](repeating: 0, count: max(Journal.extent, bytes.count))
            try FileSystem.writeFully(fd, zeros, at: allocated, path: path)
            allocated += off_t(zeros.count)
        }
        try FileSystem.writeFully(fd, bytes, at: end, path: path)
        end = needed
    }
}
