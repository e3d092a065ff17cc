import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Small, fast file reads and durable writes over POSIX calls.
public enum FileSystem {
    /// An I/O failure with the path and the system's reason.
    public struct IOError: Error, Equatable, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    /// Reads at most `count` bytes from the start of a regular file.
    ///
    /// Anything else (a FIFO, a device, a folder) is refused without blocking.
    public static func readPrefix(_ path: String, count: Int) throws(IOError) -> [UInt8] {
        try readPrefixAndSize(path, count: count).bytes
    }

    /// Reads at most `count` bytes from the start of a regular file, and tells its whole size.
    public static func readPrefixAndSize(_ path: String, count: Int) throws(IOError) -> (bytes: [UInt8], size: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw IOError(path: path, reason: errnoText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw IOError(path: path, reason: errnoText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw IOError(path: path, reason: "not a regular file") }
        let size = max(Int(info.st_size), 0)
        let wanted = min(count, size + 1)
        var buffer = [UInt8](repeating: 0, count: wanted)
        var filled = 0
        while filled < wanted {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, wanted - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(path: path, reason: errnoText())
            }
            if n == 0 { break }
            filled += n
        }
        buffer.removeLast(wanted - filled)
        return (buffer, max(size, filled))
    }

    /// Reads a whole regular file.
    public static func readAll(_ path: String) throws(IOError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError(path: path, reason: errnoText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw IOError(path: path, reason: errnoText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw IOError(path: path, reason: "not a regular file") }
        var buffer = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(path: path, reason: errnoText())
            }
            if n == 0 { break }
            filled += n
        }
        buffer.removeLast(buffer.count - filled)
        return buffer
    }

    /// Replaces the contents of an existing file atomically, as a person's file should be replaced: through a
    /// symlink to its real target, keeping its permission bits, owner and group.
    ///
    /// The service that edits the subscriber list usually runs as its own user in the list's group; the file must
    /// stay readable by the others after each edit, and a symlinked list must change where it really is.
    public static func rewrite(_ bytes: [UInt8], at path: String) throws(IOError) {
        guard let resolved = realpath(path, nil) else { throw IOError(path: path, reason: errnoText()) }
        let target = String(cString: resolved)
        free(resolved)
        var info = stat()
        guard stat(target, &info) == 0 else { throw IOError(path: target, reason: errnoText()) }
        try writeAtomically(bytes, to: target, mode: info.st_mode & 0o7777, owner: (info.st_uid, info.st_gid))
    }

    /// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename, fsync of the folder.
    ///
    /// A reader sees the old file or the new one, never a part; after a crash the new one is there or not at all.
    /// With `owner`, the new file gets that owner and group (as far as this process may give them).
    ///
    /// A symlink is followed (the file it names is replaced, the link stays), and a path that names something other
    /// than a regular file (`/dev/stdout`, `/dev/null`, a FIFO) is written to in place: a rename over it would
    /// replace the device with a file.
    public static func writeAtomically(_ bytes: [UInt8], to givenPath: String, mode: mode_t = 0o644, owner: (uid_t, gid_t)? = nil) throws(IOError) {
        var path = givenPath
        var info = stat()
        if lstat(givenPath, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK, let resolved = realpath(givenPath, nil) {
            path = String(cString: resolved)
            free(resolved)
        }
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            guard (info.st_mode & S_IFMT) != S_IFDIR else { throw IOError(path: givenPath, reason: "is a folder") }
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw IOError(path: givenPath, reason: errnoText()) }
            defer { close(fd) }
            try writeFully(fd, bytes, path: givenPath)
            return
        }
        let (folder, name) = split(path)
        let temporary = folder + "/." + name + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw IOError(path: givenPath, reason: errnoText()) }
        do throws(IOError) {
            // open() applies the umask: set the bits exactly.
            guard fchmod(fd, mode) == 0 else { throw IOError(path: givenPath, reason: errnoText()) }
            if let (uid, gid) = owner, fchown(fd, uid, gid) != 0 {
                // Not root: keep at least the group, which is what shares the file between users.
                guard fchown(fd, uid_t.max, gid) == 0 || (gid == getegid()) else {
                    throw IOError(path: givenPath, reason: "cannot keep the file's group (gid \(gid)): \(errnoText())")
                }
                _ = fchmod(fd, mode)
            }
            try writeFully(fd, bytes, path: givenPath)
            guard fsync(fd) == 0 else { throw IOError(path: givenPath, reason: errnoText()) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw IOError(path: givenPath, reason: reason)
        }
        syncDirectory(folder)
    }

    /// The folder (`.` when none is given) and the last component of `path`.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    /// Writes all of `bytes` to an open descriptor, retrying short writes: at its position, or at `offset`
    /// (`pwrite`, the position unchanged).
    public static func writeFully(_ fd: Int32, _ bytes: [UInt8], at offset: off_t? = nil, path: String) throws(IOError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                if let offset { pwrite(fd, buffer.baseAddress! + written, bytes.count - written, offset + off_t(written)) }
                else { write(fd, buffer.baseAddress! + written, bytes.count - written) }
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(path: path, reason: errnoText())
            }
            written += n
        }
    }

    /// Flushes a folder's entries, so that a rename or a new file in it survives a crash.
    public static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// The permission bits of a file, or nil when it cannot be examined.
    public static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// The text of the current `errno`.
    public static func errnoText() -> String {
        String(cString: strerror(errno))
    }

    /// A short reason for any error: the POSIX text for I/O errors, the description otherwise.
    public static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return io.reason }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file or folder"
            case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
            case NSFileWriteFileExistsError: return "a file is in the way (a folder is needed here)"
            case NSFileWriteOutOfSpaceError: return "no space left on the device"
            case NSFileWriteVolumeReadOnlyError: return "read-only file system"
            case NSFileWriteUnknownError, NSFileReadUnknownError:
                return "cannot be written (is a part of the path a file rather than a folder?)"
            default: break
            }
        }
        return ns.localizedDescription
    }
}
