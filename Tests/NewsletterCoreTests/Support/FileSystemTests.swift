import Foundation
import Testing

@testable import NewsletterCore

/// `FileSystem.writeAtomically`, which every output file goes through (preview's --out, the list, state).
struct FileSystemTests {
    @Test("a device is written in place, never replaced by a file (preview --out /dev/null as root)")
    func device() throws {
        try FileSystem.writeAtomically(Array("discarded".utf8), to: "/dev/null")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0)
        #expect((info.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test("a FIFO gets the bytes through the pipe and stays a FIFO")
    func fifo() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/pipe"
        #expect(mkfifo(path, 0o600) == 0)
        let reader = Thread {
            _ = try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).readToEnd()
        }
        reader.start()
        try FileSystem.writeAtomically(Array("through the pipe".utf8), to: path)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect((info.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test("a symlink is followed: the file it names changes, the link stays a link")
    func symlink() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileSystem.writeAtomically(Array("old".utf8), to: folder + "/real.eml")
        #expect(Foundation.symlink("real.eml", folder + "/link.eml") == 0)
        try FileSystem.writeAtomically(Array("new".utf8), to: folder + "/link.eml")
        #expect(try String(contentsOfFile: folder + "/real.eml", encoding: .utf8) == "new")
        var info = stat()
        #expect(lstat(folder + "/link.eml", &info) == 0)
        #expect((info.st_mode & S_IFMT) == S_IFLNK)
    }

    @Test("an error names the path given, not the temporary file beside it")
    func errorNamesThePath() {
        #expect(throws: FileSystem.IOError(path: "/nonexistent-folder/x.eml", reason: "No such file or directory")) {
            try FileSystem.writeAtomically(Array("x".utf8), to: "/nonexistent-folder/x.eml")
        }
    }

    /// A one-character relative name (`--out x`) once crashed in NSString's path splitting.
    @Test("the folder and name of a path", arguments: [
        ("x", ".", "x"), ("/x", "/", "x"), ("a/b", "a", "b"), ("/a/b/c.eml", "/a/b", "c.eml"), ("./p.eml", ".", "p.eml"),
    ])
    func split(_ example: (String, String, String)) {
        let (folder, name) = FileSystem.split(example.0)
        #expect(folder == example.1 && name == example.2)
    }
}
