import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The list as a long-running writer's last transaction left it, parsed, with the identity of the file it wrote
/// (device, inode, size, modification and change times, following a symlink).
///
/// ``SubscriberStore`` reuses it when the file's identity is unchanged at the start of the next transaction (under
/// the list's lock, so no other writer can be half-way): a burst of web requests then costs one parse of the list,
/// not one per batch. Any other change to the file (another writer's rename, an editor's save) changes the
/// identity, and the file is read and parsed again.
public final class ParsedListCache: @unchecked Sendable {
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: timespec
        var changed: timespec

        static func == (a: Identity, b: Identity) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size && a.modified.tv_sec == b.modified.tv_sec
                && a.modified.tv_nsec == b.modified.tv_nsec && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
        }

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = info.st_mtim
            changed = info.st_ctim
        }
    }

    private let lock = NSLock()
    private var identity: Identity?
    private var parsed: SubscriberFileEditor.ParsedList?
    /// How many transactions found the list parsed already (for tests and the log).
    public private(set) var hits = 0

    public init() {}

    /// The parsed list, when `path` is still the file it was made from.
    func lookup(_ path: String) -> SubscriberFileEditor.ParsedList? {
        lock.withLock {
            guard let identity, let parsed, Identity(path: path) == identity else { return nil }
            hits += 1
            return parsed
        }
    }

    /// Remembers `parsed` as the contents of the file whose identity is `identity`; forgets when either is nil
    /// or the file's size is not that of `parsed` (it changed in between).
    func store(_ parsed: SubscriberFileEditor.ParsedList?, identity: Identity?) {
        lock.withLock {
            guard let parsed, let identity, identity.size == Int64(parsed.bytes.count) else {
                self.parsed = nil
                self.identity = nil
                return
            }
            self.parsed = parsed
            self.identity = identity
        }
    }

    /// Reads and parses the list at `path`, with the file's identity when it did not change during the read.
    static func read(_ path: String) throws -> (parsed: SubscriberFileEditor.ParsedList, identity: Identity?) {
        let before = Identity(path: path)
        let parsed = try SubscriberFileEditor.ParsedList(try FileSystem.readAll(path), file: path)
        let after = Identity(path: path)
        return (parsed, before == after ? after : nil)
    }
}
