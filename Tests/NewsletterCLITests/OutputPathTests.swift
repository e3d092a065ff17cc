import Foundation
import Testing

/// Where `preview` writes: any name the user gives, and never over a device.
struct OutputPathTests {
    @Test("preview --out with a one-character name, relative to the working folder, writes the file", arguments: ["x", "p"])
    func shortName(_ name: String) throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run(
            ["preview", "--config", CLI.repositoryRoot + "/config.example.json", "--now", "2024-02-02T08:00:00Z", "--out", name],
            directory: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/" + name))
    }

    @Test("preview --out /dev/null discards the message and /dev/null stays a device")
    func devNull() throws {
        let result = try CLI.run(["preview", "--config", CLI.repositoryRoot + "/config.example.json", "--now", "2024-02-02T08:00:00Z", "--out", "/dev/null"])
        #expect(result.status == 0, "\(result.stderr)")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test("an output folder that does not exist is named as given, not as a temporary file")
    func missingFolder() throws {
        let result = try CLI.run(["preview", "--config", CLI.repositoryRoot + "/config.example.json", "--now", "2024-02-02T08:00:00Z", "--out", "/nonexistent-folder/p.eml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent-folder/p.eml: No such file or directory"), "\(result.stderr)")
        #expect(!result.stderr.contains(".tmp-"), "\(result.stderr)")
    }
}
