import Foundation

/// Fetched feeds and what is known of each, in the state folder.
///
/// ```
/// state/feeds/<key>/feed.xml     the last document fetched (remote feeds only; a local feed is read in place)
/// state/feeds/<key>/state.json   validators, last success, failing since, last error (FeedState)
/// state/feeds/<key>/items.tsv    item id, first seen: the date of an item that has none
/// state/feeds/fetch.lock         held by a running fetch
/// ```
/// `<key>` is a hash of the feed's URL, so that a URL never becomes a path.
public struct FeedStore: Sendable {
    public let directory: String

    /// The store inside the state folder `stateDirectory`.
    public init(stateDirectory: String) {
        directory = stateDirectory + "/feeds"
    }

    public var lockPath: String { directory + "/fetch.lock" }

    func folder(_ location: SourceSetting.FeedLocation) -> String {
        directory + "/" + FeedParser.fnv1a(location.key)
    }

    public func prepare(_ location: SourceSetting.FeedLocation) throws(FileSystem.IOError) {
        let path = folder(location)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FileSystem.IOError(path: path, reason: FileSystem.reason(error))
        }
    }

    /// The state of `location`, or nil before its first fetch (or when the file is unreadable: it is rebuilt).
    public func state(_ location: SourceSetting.FeedLocation) -> FeedState? {
        guard let bytes = try? FileSystem.readAll(folder(location) + "/state.json"), let json = try? JSONReader.parse(bytes) else { return nil }
        return FeedState(json: json)
    }

    public func save(_ state: FeedState, for location: SourceSetting.FeedLocation) throws(FileSystem.IOError) {
        try FileSystem.writeAtomically(Array((state.json.pretty + "\n").utf8), to: folder(location) + "/state.json")
    }

    /// The last document fetched from a remote feed.
    public func document(_ location: SourceSetting.FeedLocation) -> [UInt8]? {
        try? FileSystem.readAll(folder(location) + "/feed.xml")
    }

    public func saveDocument(_ bytes: [UInt8], for location: SourceSetting.FeedLocation) throws(FileSystem.IOError) {
        try FileSystem.writeAtomically(bytes, to: folder(location) + "/feed.xml")
    }

    /// When each item of `location` was first seen.
    public func firstSeen(_ location: SourceSetting.FeedLocation) -> [String: Date] {
        guard let bytes = try? FileSystem.readAll(folder(location) + "/items.tsv") else { return [:] }
        var result: [String: Date] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            guard fields.count == 2, let date = Instant.parse(String(fields[1])) else { continue }
            result[FeedStore.unescape(String(fields[0]))] = date
        }
        return result
    }

    /// Records `ids` as seen at `now` unless already known; forgets items gone from the feed for 90 days.
    public func recordFirstSeen(_ ids: [String], for location: SourceSetting.FeedLocation, now: Date) throws(FileSystem.IOError) {
        var known = firstSeen(location)
        let current = Set(ids)
        var changed = false
        for id in ids where known[id] == nil {
            known[id] = now
            changed = true
        }
        for (id, date) in known where !current.contains(id) && now.timeIntervalSince(date) > 90 * 86_400 {
            known[id] = nil
            changed = true
        }
        guard changed else { return }
        let text = known.sorted { $0.key < $1.key }.map { FeedStore.escape($0.key) + "\t" + Instant.iso($0.value) + "\n" }.joined()
        try FileSystem.writeAtomically(Array(text.utf8), to: folder(location) + "/items.tsv")
    }

    /// An id on one line of a TSV: tab, newline and backslash escaped.
    static func escape(_ id: String) -> String {
        id.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "t": result.append("\t")
                case "n": result.append("\n")
                case "r": result.append("\r")
                default: result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
