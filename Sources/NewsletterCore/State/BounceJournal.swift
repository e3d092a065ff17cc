import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The soft-bounce journal (`state/bounces.tsv`): every temporary bounce and every permanent failure at send time
/// that did not unsubscribe at once, so that an address with too many of them in a window is suppressed.
///
/// One line a record, tab-separated: `soft`, address (normalised), ISO 8601 time, key, detail. The key names the
/// event (the bounce message's digest, or the edition and address of a send-time failure): recording the same event
/// twice (a crash between acting and marking the message handled) adds nothing. A torn last line is skipped.
public struct BounceJournal: Sendable {
    /// One recorded event.
    public struct Entry: Sendable, Equatable {
        public var address: String
        public var date: Date
        public var key: String
        public var detail: String

        public init(address: String, date: Date, key: String, detail: String) {
            self.address = address
            self.date = date
            self.key = key
            self.detail = detail
        }
    }

    /// The journal file.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The journal in `stateDirectory`.
    public init(stateDirectory: String) {
        self.init(path: stateDirectory + "/bounces.tsv")
    }

    /// Every record, in order. A missing journal is an empty one.
    public func load() throws(FileSystem.IOError) -> [Entry] {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readAll(path)
        } catch {
            if access(path, F_OK) != 0 && errno == ENOENT { return [] }
            throw error
        }
        var entries: [Entry] = []
        for line in bytes.split(separator: 0x0A) {
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 5, fields[0] == "soft", let date = Instant.parse(fields[2]) else { continue }
            entries.append(Entry(address: fields[1], date: date, key: fields[3], detail: fields[4]))
        }
        return entries
    }

    /// Appends the entries whose (address, key) is not recorded yet, flushed to disk before returning.
    ///
    /// - Returns: the entries actually added.
    @discardableResult
    public func record(_ entries: [Entry]) throws(FileSystem.IOError) -> [Entry] {
        let known = Set(try load().map { $0.address + "\t" + $0.key })
        var seen = known
        let fresh = entries.filter { seen.insert($0.address + "\t" + $0.key).inserted }
        guard !fresh.isEmpty else { return [] }
        let text = fresh.map { entry in
            ["soft", field(entry.address), Instant.iso(entry.date), field(entry.key), field(entry.detail)].joined(separator: "\t") + "\n"
        }.joined()
        let existed = access(path, F_OK) == 0
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
        defer { close(fd) }
        try FileSystem.writeFully(fd, Array(text.utf8), path: path)
        guard fdatasync(fd) == 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
        if !existed { FileSystem.syncDirectory((path as NSString).deletingLastPathComponent) }
        return fresh
    }

    /// How many events each address has within `window` seconds before `now`.
    public func counts(within window: TimeInterval, now: Date) throws(FileSystem.IOError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in try load() where entry.date > now.addingTimeInterval(-window) && entry.date <= now.addingTimeInterval(86_400) {
            counts[entry.address, default: 0] += 1
        }
        return counts
    }

    /// A field with no tab or line break, at most 200 characters: details come from mail.
    private func field(_ text: String) -> String {
        String(Sanitize.collapsedLine(text.replacingOccurrences(of: "\t", with: " ")).prefix(200))
    }
}
