import Foundation

/// The one transaction that changes the subscriber list: lock, read, edit, atomic write, for every writer (the
/// `subscribers` commands, the web service, the mailbox reader).
///
/// Opt-outs are appended to the ``SuppressionList`` and flushed before the list is rewritten, so an unsubscribe
/// survives a crash between the two and a hand edit that puts the entry back. Adding an address that is
/// suppressed takes explicit consent (``SubscriberFileEditor/Edit/add(_:name:fields:resubscribe:)`` with
/// `resubscribe: true`), which lifts the suppression once the list is written.
public struct SubscriberStore: Sendable {
    /// What one edit of a transaction did.
    public enum Result: Sendable, Equatable {
        /// The edit was applied to the list (or found nothing to change); the text says what was done.
        case done(SubscriberFileEditor.EditResult)
        /// An add refused because the address opted out earlier and no resubscription was asked for.
        case suppressed(String)

        /// One line saying what was done.
        public var summary: String {
            switch self {
            case .done(let result): return result.summary
            case .suppressed(let text): return text
            }
        }
    }

    /// The list file, as configured (a symlink is followed when the file is written).
    public let listPath: String
    /// The suppression journal, when there is a state folder.
    public let suppressions: SuppressionList?
    /// How long to wait for another writer (or a running `send`'s read) to let go of the list's lock.
    public var lockTimeout: Double = 10
    /// The list as the last transaction left it, for a long-running writer (the web service); nil: every
    /// transaction reads and parses the file.
    public var cache: ParsedListCache?

    public init(listPath: String, suppressions: SuppressionList?) {
        self.listPath = listPath
        self.suppressions = suppressions
    }

    /// The store of `configuration`: its list file, and the journal in its state folder when it has one.
    public init(configuration: Configuration) {
        self.init(
            listPath: configuration.subscribers.file,
            suppressions: configuration.stateDirectory.map { SuppressionList(stateDirectory: $0) })
    }

    /// Reads and parses the list into ``cache`` now, under the lock, so that the first request of a long-running
    /// writer does not wait for a parse of the whole list.
    ///
    /// - Returns: how many entries the list has.
    /// - Throws: what a transaction throws when the list cannot be locked, read or parsed.
    @discardableResult
    public func prepareCache() throws -> Int {
        guard let cache else { return 0 }
        let lock = try FileLock.acquire(lockPath, timeout: lockTimeout, holder: "newsletter (cache)")
        defer { lock.release() }
        let read = try ParsedListCache.read(listPath)
        cache.store(read.parsed, identity: read.identity)
        return read.parsed.ranges.count
    }

    /// The path of the list's lock file, taken by every writer and, shared, by `send` while it reads the list.
    public var lockPath: String { listPath + ".lock" }

    /// Applies `edits` in one transaction: one lock, one read, one rewrite of the file.
    ///
    /// - Parameters:
    ///   - source: who asks (`cli`, `web`, `mailbox`), recorded in the suppression journal.
    ///   - reason: why an unsubscribe happens (`unsubscribed`, `bounced`, `complained`), for the journal.
    /// - Returns: one result per edit, in order.
    /// - Throws: ``FileLock/LockError`` when another writer holds the lock past `lockTimeout`;
    ///   ``SubscriberFileEditor/EditError`` when the file does not parse (nothing is changed);
    ///   ``FileSystem/IOError`` when the file or the journal cannot be read or written.
    public func apply(_ edits: [SubscriberFileEditor.Edit], source: String, reason: String = "unsubscribed", at date: Date = Date()) throws
        -> [Result]
    {
        let lock = try FileLock.acquire(lockPath, timeout: lockTimeout, holder: "newsletter (\(source))")
        defer { lock.release() }
        let suppressed = try suppressions?.load() ?? [:]

        // Adds of suppressed addresses without consent are refused before anything is written.
        var results: [Result?] = Array(repeating: nil, count: edits.count)
        var toApply: [(index: Int, edit: SubscriberFileEditor.Edit)] = []
        for (index, edit) in edits.enumerated() {
            if case .add(let address, _, _, let resubscribe) = edit, !resubscribe, let entry = suppressed[address.normalized] {
                results[index] = .suppressed(
                    "\(address) opted out on \(Instant.iso(entry.date)) (\(entry.source): \(entry.reason)); "
                        + "adding it back needs their consent: subscribers add --resubscribe, or a confirmed web sign-up")
            } else {
                toApply.append((index, edit))
            }
        }
        // Opt-outs are durable before the list changes.
        let optOuts = toApply.compactMap { item -> SuppressionList.Entry? in
            guard case .unsubscribe(let address, _) = item.edit, suppressed[address.normalized] == nil else { return nil }
            return SuppressionList.Entry(address: address.normalized, date: date, source: source, reason: reason)
        }
        try suppressions?.suppress(optOuts)

        let parsed: SubscriberFileEditor.ParsedList
        if let cached = cache?.lookup(listPath) {
            parsed = cached
        } else if let cache {
            let read = try ParsedListCache.read(listPath)
            parsed = read.parsed
            cache.store(parsed, identity: read.identity)
        } else {
            parsed = try SubscriberFileEditor.ParsedList(try FileSystem.readAll(listPath), file: listPath)
        }
        let (output, applied, next) = try SubscriberFileEditor.apply(toApply.map(\.edit), to: parsed, file: listPath)
        if output != parsed.bytes {
            cache?.store(nil, identity: nil)
            try FileSystem.rewrite(output, at: listPath)
            cache?.store(next, identity: ParsedListCache.Identity(path: listPath))
        }
        for (item, result) in zip(toApply, applied) {
            results[item.index] = .done(result)
            if case .add(let address, _, _, true) = item.edit, suppressed[address.normalized] != nil {
                try suppressions?.lift(address, source: source, at: date)
            }
        }
        return results.map { $0 ?? .done(.unchanged("")) }
    }
}
