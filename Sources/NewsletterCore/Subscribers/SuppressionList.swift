import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The suppression journal: every opt-out ever received (web one-click, mailbox bounce, complaint, unsubscribe
/// mail, the `subscribers unsubscribe` command), appended and flushed before the list file is edited.
///
/// The list file is edited by people too, and an editor that saves an older copy over the service's change would
/// silently resubscribe someone. `send` therefore honours this journal whatever the list says; only an explicit
/// resubscription (`subscribers add --resubscribe`, a confirmed web sign-up) appends a `lift` record.
///
/// One line a record, tab-separated: `suppress|lift`, address (normalised), ISO 8601 time, source, reason.
public struct SuppressionList: Sendable {
    /// Why and when an address was suppressed.
    public struct Entry: Sendable, Equatable {
        public var address: String
        public var date: Date
        /// Who recorded it: `web`, `mailbox`, `cli`, `send`.
        public var source: String
        /// `unsubscribed`, `bounced`, `complained`, ...
        public var reason: String
    }

    /// The journal file (`state/suppressions.tsv`).
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The journal in `stateDirectory`.
    public init(stateDirectory: String) {
        self.init(path: stateDirectory + "/suppressions.tsv")
    }

    /// Appends `suppress` records for `entries` and flushes them to disk before returning.
    public func suppress(_ entries: [Entry]) throws(FileSystem.IOError) {
        try append(entries.map { record("suppress", $0) })
    }

    /// Appends a `lift` record: the address may receive mail again.
    public func lift(_ address: EmailAddress, source: String, at date: Date) throws(FileSystem.IOError) {
        try append([record("lift", Entry(address: address.normalized, date: date, source: source, reason: ""))])
    }

    /// The addresses suppressed now, keyed by normalised address: the last record of each address wins.
    ///
    /// A missing journal is an empty one. A line that is not a record (a torn last line after a crash) is skipped.
    public func load() throws(FileSystem.IOError) -> [String: Entry] {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readAll(path)
        } catch {
            if access(path, F_OK) != 0 && errno == ENOENT { return [:] }
            throw error
        }
        var suppressed: [String: Entry] = [:]
        for line in bytes.split(separator: 0x0A) {
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 5, let date = Instant.parse(fields[2]) else { continue }
            switch fields[0] {
            case "suppress": suppressed[fields[1]] = Entry(address: fields[1], date: date, source: fields[3], reason: fields[4])
            case "lift": suppressed[fields[1]] = nil
            default: continue
            }
        }
        return suppressed
    }

    private func record(_ action: String, _ entry: Entry) -> String {
        [action, field(entry.address), Instant.iso(entry.date), field(entry.source), field(entry.reason)].joined(separator: "\t") + "\n"
    }

    /// A field with no tab or line break, at most 200 characters: sources and reasons come from mail and the web.
    private func field(_ text: String) -> String {
        String(Sanitize.collapsedLine(text.replacingOccurrences(of: "\t", with: " ")).prefix(200))
    }

    private func append(_ lines: [String]) throws(FileSystem.IOError) {
        guard !lines.isEmpty else { return }
        let existed = access(path, F_OK) == 0
        var fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        if fd < 0 && errno == ENOENT {
            // A new state folder: the first opt-out may come before the first send made it.
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        }
        guard fd >= 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
        defer { close(fd) }
        try FileSystem.writeFully(fd, Array(lines.joined().utf8), path: path)
        guard fdatasync(fd) == 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
        if !existed { FileSystem.syncDirectory((path as NSString).deletingLastPathComponent) }
    }
}
