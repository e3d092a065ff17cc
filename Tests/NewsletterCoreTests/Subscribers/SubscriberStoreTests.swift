import Foundation
import Testing

@testable import NewsletterCore

#if canImport(Glibc)
    import Glibc
#endif

/// The list's one transaction: batches, the suppression journal, and files that are symlinks or shared.
struct SubscriberStoreTests {
    let list = """
        [
          { "email": "ann@example.com", "name": "Ann" },
          { "email": "bob@example.org" },
          { "email": "carol@example.net", "subscribed": false }
        ]

        """

    func makeStore(_ text: String) throws -> (SubscriberStore, String) {
        let folder = try Fixtures.temporaryDirectory()
        let path = folder + "/subscribers.json"
        try FileSystem.writeAtomically(Array(text.utf8), to: path)
        return (SubscriberStore(listPath: path, suppressions: SuppressionList(stateDirectory: folder)), folder)
    }

    func read(_ path: String) throws -> String { String(decoding: try FileSystem.readAll(path), as: UTF8.self) }

    @Test("A batch of unsubscribes is one rewrite that changes only those entries, with reason and time")
    func batch() throws {
        let (store, folder) = try makeStore(list)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let date = try #require(Instant.parse("2024-02-03T10:00:00Z"))
        let fields: [(key: String, value: JSONValue)] = [("reason", .string("bounced")), ("unsubscribedAt", .string(Instant.iso(date)))]
        let results = try store.apply(
            [
                .unsubscribe(try EmailAddress("ann@example.com"), fields: fields),
                .unsubscribe(try EmailAddress("BOB@example.org"), fields: fields),
                .unsubscribe(try EmailAddress("nobody@example.com")),
                .unsubscribe(try EmailAddress("ann@example.com")),
            ], source: "mailbox", reason: "bounced", at: date)
        #expect(results.map(\.summary) == [
            "unsubscribed ann@example.com", "unsubscribed BOB@example.org", "nobody@example.com is not in the list",
            "ann@example.com was already unsubscribed",
        ])
        #expect(try read(store.listPath) == """
            [
              { "email": "ann@example.com", "name": "Ann", "subscribed": false, "reason": "bounced", "unsubscribedAt": "2024-02-03T10:00:00Z" },
              { "email": "bob@example.org", "subscribed": false, "reason": "bounced", "unsubscribedAt": "2024-02-03T10:00:00Z" },
              { "email": "carol@example.net", "subscribed": false }
            ]

            """)
        let suppressed = try #require(store.suppressions).load()
        #expect(Set(suppressed.keys) == ["ann@example.com", "bob@example.org", "nobody@example.com"])
        #expect(suppressed["ann@example.com"] == SuppressionList.Entry(address: "ann@example.com", date: date, source: "mailbox", reason: "bounced"))
    }

    @Test("A hand edit cannot undo an opt-out: adding back needs --resubscribe, which lifts the suppression")
    func suppression() throws {
        let (store, folder) = try makeStore(list)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ann = try EmailAddress("ann@example.com")
        _ = try store.apply([.unsubscribe(ann)], source: "web")
        // Someone saves an old copy over the list.
        try FileSystem.writeAtomically(Array(list.utf8), to: store.listPath)
        #expect(try store.suppressions?.load()["ann@example.com"] != nil)

        let refused = try store.apply([.add(ann, name: nil)], source: "cli")
        guard case .suppressed(let text) = refused[0] else {
            Issue.record("expected a refusal, got \(refused)")
            return
        }
        #expect(text.contains("--resubscribe"))

        _ = try store.apply([.unsubscribe(ann)], source: "web")
        let added = try store.apply([.add(ann, name: nil, fields: [("source", .string("web"))], resubscribe: true)], source: "web")
        #expect(added == [.done(.changed("re-subscribed ann@example.com"))])
        #expect(try store.suppressions?.load()["ann@example.com"] == nil)
        #expect(try read(store.listPath).contains(#"{ "email": "ann@example.com", "name": "Ann", "subscribed": true, "source": "web" }"#))
    }

    @Test("Adds and removes in one batch: a new entry, a re-subscription, a removal")
    func mixed() throws {
        let (store, folder) = try makeStore(list)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let results = try SubscriberFileEditor.apply(
            [
                .add(try EmailAddress("dora@example.com"), name: "Dora"),
                .remove(try EmailAddress("bob@example.org")),
                .add(try EmailAddress("carol@example.net"), name: nil),
                .unsubscribe(try EmailAddress("dora@example.com")),
            ], to: try FileSystem.readAll(store.listPath), file: "s.json")
        #expect(results.results.map(\.summary) == ["added dora@example.com", "removed bob@example.org (1 entry)", "re-subscribed carol@example.net", "unsubscribed dora@example.com"])
        #expect(String(decoding: results.bytes, as: UTF8.self) == """
            [
              { "email": "ann@example.com", "name": "Ann" },
              { "email": "carol@example.net", "subscribed": true },
              { "email": "dora@example.com", "name": "Dora", "subscribed": false }
            ]

            """)
    }

    @Test("A list that is a symlink is edited where it really is; mode and group are kept")
    func symlinkAndMode() throws {
        let (store, folder) = try makeStore(list)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let link = folder + "/link.json"
        #expect(symlink(store.listPath, link) == 0)
        #expect(chmod(store.listPath, 0o660) == 0)
        let group: gid_t = 65534  // nogroup
        #expect(chown(store.listPath, getuid(), group) == 0)

        let linked = SubscriberStore(listPath: link, suppressions: nil)
        _ = try linked.apply([.unsubscribe(try EmailAddress("ann@example.com"))], source: "cli")

        var info = stat()
        #expect(lstat(link, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK, "the link is still a link")
        #expect(stat(store.listPath, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o660)
        #expect(info.st_gid == group)
        #expect(try read(store.listPath).contains(#""ann@example.com", "name": "Ann", "subscribed": false"#))
    }

    @Test("Another writer holding the lock makes the transaction wait, then fail with a lock error")
    func lockBusy() throws {
        var (store, folder) = try makeStore(list)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let held = try FileLock.acquire(store.lockPath, holder: "test")
        defer { held.release() }
        store.lockTimeout = 0.1
        #expect(throws: FileLock.LockError.self) {
            _ = try store.apply([.remove(try EmailAddress("ann@example.com"))], source: "cli")
        }
        #expect(try read(store.listPath) == list)
    }
}
