import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An advisory lock (`flock`) on a lock file, held until released or until the process ends, even by `kill -9`.
public final class FileLock {
    /// The lock file.
    public let path: String
    private var fd: Int32

    /// A lock that could not be taken.
    public enum LockError: Error, CustomStringConvertible, Sendable {
        /// Another process holds the lock.
        case busy(path: String, holder: String?)
        /// The lock file cannot be opened.
        case unusable(path: String, reason: String)

        public var description: String {
            switch self {
            case .busy(let path, let holder):
                return "\(path) is locked by another run\(holder.map { " (\($0))" } ?? ""); try again when it has finished"
            case .unusable(let path, let reason): return "\(path): cannot open the lock file: \(reason)"
            }
        }
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { release() }

    /// Takes the lock, waiting at most `timeout` seconds for another holder to let go.
    ///
    /// An exclusive lock also writes the holder's description (pid and purpose) into the file, for messages.
    public static func acquire(_ path: String, exclusive: Bool = true, timeout: Double = 0, holder: String? = nil) throws(LockError) -> FileLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unusable(path: path, reason: FileSystem.errnoText()) }
        let deadline = timeout
        var waited = 0.0
        while flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = FileSystem.errnoText()
                close(fd)
                throw .unusable(path: path, reason: reason)
            }
            if waited >= deadline {
                let text = (try? FileSystem.readPrefix(path, count: 200)).map { String(decoding: $0, as: UTF8.self) }
                close(fd)
                throw .busy(path: path, holder: text.flatMap { $0.isEmpty ? nil : $0.trimmingCharacters(in: .newlines) })
            }
            usleep(50_000)
            waited += 0.05
        }
        if exclusive, let holder {
            _ = ftruncate(fd, 0)
            let text = Array("pid \(getpid()), \(holder)\n".utf8)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return FileLock(path: path, fd: fd)
    }

    /// Lets go of the lock.
    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }
}
