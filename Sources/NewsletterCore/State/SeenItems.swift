import Foundation

/// The feed items that an edition already carried (`state/feeds/seen.tsv`: item key, edition id), so that an item
/// edited later, re-dated, or moved by a feed that reorders is never sent twice.
///
/// An edition records its items when it is created, and again (idempotently) when it resumes, so a crash between
/// `edition.json` and this file loses nothing; a resumed edition sends its frozen articles whatever is recorded here.
public struct SeenItems: Sendable {
    public let path: String

    /// The record inside the state folder `stateDirectory`.
    public init(stateDirectory: String) {
        path = stateDirectory + "/feeds/seen.tsv"
    }

    /// Every item key recorded so far.
    public func load() -> Set<String> {
        guard let bytes = try? FileSystem.readAll(path) else { return [] }
        var keys: Set<String> = []
        // A torn last line (a crash mid-append) is ignored: its edition records it again when it resumes.
        let text = String(decoding: bytes, as: UTF8.self)
        let complete = text.hasSuffix("\n") ? text[...] : text[..<(text.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex)]
        for line in complete.split(separator: "\n") {
            guard let tab = line.lastIndex(of: "\t") else { continue }
            keys.insert(FeedStore.unescape(String(line[..<tab])))
        }
        return keys
    }

    /// Appends the feed items of `edition` not recorded yet, and flushes them to disk.
    public func record(_ edition: Edition) throws(FileSystem.IOError) {
        let keys = edition.articles.compactMap(\.itemKey)
        guard !keys.isEmpty else { return }
        let known = load()
        let lines = keys.filter { !known.contains($0) }.map { FeedStore.escape($0) + "\t" + edition.id + "\n" }.joined()
        guard !lines.isEmpty else { return }
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
        defer { close(fd) }
        // A torn line left by a crash would glue onto this one: start on a fresh line.
        var bytes = Array(lines.utf8)
        if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size > 0,
            let last = try? FileSystem.readAll(path).last, last != 0x0A
        {
            bytes.insert(0x0A, at: 0)
        }
        try FileSystem.writeFully(fd, bytes, path: path)
        guard fdatasync(fd) == 0 else { throw FileSystem.IOError(path: path, reason: FileSystem.errnoText()) }
    }
}
