import Foundation
import Testing

@testable import NewsletterCore

/// The web service's parsed-list cache: transactions that reuse the list parsed by the previous one write exactly
/// the bytes a fresh read and parse would, and any change to the file from outside is noticed.
struct ParsedListCacheTests {
    static let lists = [
        "[\n" + (0..<40).map { "  { \"email\": \"user\($0)@example.com\", \"name\": \"User \($0)\" }" }.joined(separator: ",\n") + "\n]\n",
        "[\n" + (0..<40).map { "  {\n    \"email\": \"User\($0)@Example.com\",\n    \"tags\": [\"a\", \"b\"]\n  }" }.joined(separator: ",\n") + "\n]\n",
        "[" + (0..<40).map { "{\"email\":\"user\($0)@example.com\"\($0 % 3 == 0 ? ",\"subscribed\":false" : "")}" }.joined(separator: ",") + "]",
    ]

    @Test("sequences of batches give the same bytes and results with and without the cache", arguments: 0..<lists.count)
    func sameBytes(list: Int) throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cachedPath = folder + "/cached.json"
        let plainPath = folder + "/plain.json"
        try FileSystem.writeAtomically(Array(Self.lists[list].utf8), to: cachedPath)
        try FileSystem.writeAtomically(Array(Self.lists[list].utf8), to: plainPath)
        var cached = SubscriberStore(listPath: cachedPath, suppressions: SuppressionList(path: folder + "/cached.tsv"))
        cached.cache = ParsedListCache()
        let plain = SubscriberStore(listPath: plainPath, suppressions: SuppressionList(path: folder + "/plain.tsv"))
        var generator = SeededGenerator(seed: UInt64(list + 1))
        let date = try #require(Instant.parse("2024-02-03T10:00:00Z"))
        for _ in 0..<30 {
            var edits: [SubscriberFileEditor.Edit] = []
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let address = try EmailAddress("user\(Int.random(in: 0..<45, using: &generator))@example.com")
                switch Int.random(in: 0..<10, using: &generator) {
                case 0: edits.append(.add(address, name: "Næme", fields: [("source", .string("web"))], resubscribe: true))
                case 1: edits.append(.remove(address))
                default: edits.append(.unsubscribe(address, fields: [("unsubscribedAt", .string("2024-02-03T10:00:00Z"))]))
                }
            }
            let a = try cached.apply(edits, source: "web", at: date)
            let b = try plain.apply(edits, source: "web", at: date)
            #expect(a == b)
            #expect(try FileSystem.readAll(cachedPath) == FileSystem.readAll(plainPath))
        }
        #expect((cached.cache?.hits ?? 0) > 0)
    }

    @Test("a change to the file between transactions (an editor's save) is read, not overwritten with the cached list")
    func outsideChange() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/list.json"
        try FileSystem.writeAtomically(Array("[\n  { \"email\": \"a@example.com\" },\n  { \"email\": \"b@example.com\" }\n]\n".utf8), to: path)
        var store = SubscriberStore(listPath: path, suppressions: nil)
        store.cache = ParsedListCache()
        _ = try store.apply([.unsubscribe(try EmailAddress("a@example.com"))], source: "web")
        // Saved in place by an editor, same inode: a new entry and a changed one.
        let edited = "[\n  { \"email\": \"a@example.com\", \"subscribed\": false },\n  { \"email\": \"b@example.com\", \"name\": \"Bee\" },\n  { \"email\": \"c@example.com\" }\n]\n"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data(edited.utf8))
        handle.truncateFile(atOffset: UInt64(edited.utf8.count))
        try handle.close()
        _ = try store.apply([.unsubscribe(try EmailAddress("c@example.com"))], source: "web")
        #expect(
            String(decoding: try FileSystem.readAll(path), as: UTF8.self)
                == "[\n  { \"email\": \"a@example.com\", \"subscribed\": false },\n  { \"email\": \"b@example.com\", \"name\": \"Bee\" },\n  { \"email\": \"c@example.com\", \"subscribed\": false }\n]\n")
    }
}

extension ParsedListCacheTests {
    @Test("prepareCache parses the list ahead; the first transaction uses it, and a file replaced meanwhile is read again")
    func prepared() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/list.json"
        try FileSystem.writeAtomically(Array("[\n  { \"email\": \"a@example.com\" },\n  { \"email\": \"b@example.com\" }\n]\n".utf8), to: path)
        var store = SubscriberStore(listPath: path, suppressions: nil)
        store.cache = ParsedListCache()
        #expect(try store.prepareCache() == 2)
        _ = try store.apply([.unsubscribe(try EmailAddress("a@example.com"))], source: "web")
        #expect(store.cache?.hits == 1)
        #expect(try store.prepareCache() == 2)
        try FileSystem.writeAtomically(Array("[\n  { \"email\": \"b@example.com\" }\n]\n".utf8), to: path)
        _ = try store.apply([.unsubscribe(try EmailAddress("b@example.com"))], source: "web")
        #expect(store.cache?.hits == 1)
        #expect(String(decoding: try FileSystem.readAll(path), as: UTF8.self) == "[\n  { \"email\": \"b@example.com\", \"subscribed\": false }\n]\n")
    }
}

/// A small deterministic generator (SplitMix64), so that a failure repeats.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
