import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The durable record of an edition's deliveries: one tab-separated line per recipient outcome, appended and
/// flushed to disk (fdatasync) before the connections involved start another message.
///
/// ```
/// sent    zhang.wei@example.com   <1a2b.c3d4@example.org>   2024-02-02T08:00:03Z
/// failed  bob@example.net         2024-02-02T08:00:04Z      RCPT failed: 550 (curl 55, reply 550)
/// ```
/// A line cut short by a crash (no final newline) is ignored when read back: that recipient is still pending.
///
/// While a run writes, the file ends in zeros written ahead of the lines (see ``append(_:at:)``); the journal ends
/// at its first zero octet, and ``close()`` cuts the zeros off.
public final class Journal {
    public let path: String
    private var fd: Int32 = -1
    /// Where the next line goes.
    private var end = 0
    /// How far the zeros written ahead go.
    private var allocated = 0
    /// How many zeros are written ahead at a time.
    static let preallocation = 256 << 10

    /// One recorded outcome.
    public enum Entry: Equatable, Sendable {
        case sent(messageID: String)
        case failed(reply: String)
    }

    public init(path: String) {
        self.path = path
    }

    deinit {
        close()
    }

    /// Cuts off the zeros written ahead and closes the file; a later ``append(_:at:)`` opens it again.
    public func close() {
        guard fd >= 0 else { return }
        if allocated > end { _ = ftruncate(fd, off_t(end)) }
        _ = Glibc.close(fd)
        fd = -1
    }

    /// Reads the outcomes recorded so far, keyed by normalised address.
    public func load() throws(FileSystem.IOError) -> [String: Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let file = try FileSystem.readAll(path)
        let bytes = file[..<(file.firstIndex(of: 0) ?? file.count)]
        var entries: [String: Entry] = [:]
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        lines.removeLast()  // Empty after a final newline, or a line cut short by a crash.
        for line in lines {
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count >= 3 else { continue }
            switch fields[0] {
            case "sent": entries[fields[1]] = .sent(messageID: fields[2])
            case "failed": entries[fields[1]] = .failed(reply: fields.count > 3 ? fields[3] : "")
            default: continue
            }
        }
        return entries
    }

    /// Appends the outcomes in `results` and flushes them to disk; deferred recipients are not recorded.
    ///
    /// The lines overwrite zeros written ahead (and flushed) in blocks of ``preallocation``: the file's size and
    /// blocks then stay as they are, so the flush has no file metadata to write (on ext4, one disk write fewer
    /// per flush).
    public func append(_ results: [DeliveryResult], at date: Date) throws(FileSystem.IOError) {
        if fd < 0 {
            let existed = FileManager.default.fileExists(atPath: path)
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
            if !existed { FileSystem.syncDirectory((path as NSString).deletingLastPathComponent) }
            // A run that was killed leaves the zeros written ahead, and a crash in the middle of a write can leave
            // part of it beyond a stretch of zeros: the journal ends at its first zero, and the rest is cut off.
            let bytes = try FileSystem.readAll(path)
            end = bytes.firstIndex(of: 0) ?? bytes.count
            if end < bytes.count {
                guard ftruncate(fd, off_t(end)) == 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
            }
            allocated = end
            // A line cut short by a crash is ended first, so that it can never merge with the next one.
            if end > 0 && bytes[end - 1] != 0x0A {
                try FileSystem.writeFully(fd, [0x0A], at: end, path: path)
                end += 1
                allocated = end
            }
        }
        let time = DisplayDate.isoInstant(date)
        var text = ""
        for result in results {
            switch result {
            case .sent(let job):
                text += "sent\t\(job.recipient.normalized)\t<\(job.messageID)>\t\(time)\n"
            case .failed(let job, let reply):
                text += "failed\t\(job.recipient.normalized)\t\(time)\t\(reply.replacingOccurrences(of: "\t", with: " "))\n"
            case .deferred:
                continue
            }
        }
        guard !text.isEmpty else { return }
        let bytes = Array(text.utf8)
        if end + bytes.count > allocated {
            let zeros = [UInt8](repeating: 0, count: max(Journal.preallocation, bytes.count))
            try FileSystem.writeFully(fd, zeros, at: allocated, path: path)
            allocated += zeros.count
        }
        try FileSystem.writeFully(fd, bytes, at: end, path: path)
        end += bytes.count
        guard fdatasync(fd) == 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
    }
}
