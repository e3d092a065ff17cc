import Foundation

/// One digest edition: its articles are fixed when it starts and stored, so a resumed edition sends the same
/// content even if new articles arrived in the meantime.
public struct Edition: Sendable {
    /// `20240202T080000Z`: the edition's start, also its folder name.
    public var id: String
    /// The clock of the run that started it: the Date of its messages and the cut-off of the next edition.
    public var date: Date
    /// The articles it carries, newest first.
    public var articles: [Article]
    /// Its folder.
    public var directory: String

    /// The journal of its deliveries.
    public var journalPath: String { directory + "/journal.tsv" }
}

/// The state folder (`state.directory`): editions, their journals, and which one completed last.
///
/// ```
/// state/send.lock                         held by a running send
/// state/last-edition                      the id of the last completed edition
/// state/editions/<id>/edition.json        the edition's date and articles
/// state/editions/<id>/journal.tsv         each recipient's outcome
/// state/editions/<id>/complete.json       written when every recipient has an outcome
/// ```
public struct EditionStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    var editionsDirectory: String { directory + "/editions" }
    public var lockPath: String { directory + "/send.lock" }

    /// Creates the folders when missing.
    public func prepare() throws(FileSystem.IOError) {
        do {
            try FileManager.default.createDirectory(atPath: editionsDirectory, withIntermediateDirectories: true)
        } catch {
            throw FileSystem.IOError(path: editionsDirectory, reason: FileSystem.reason(error))
        }
    }

    /// The newest edition that has not completed, if any.
    public func unfinishedEdition() throws -> Edition? {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: editionsDirectory)) ?? []
        for id in ids.sorted().reversed() {
            let folder = editionsDirectory + "/" + id
            guard FileManager.default.fileExists(atPath: folder + "/edition.json") else { continue }
            if FileManager.default.fileExists(atPath: folder + "/complete.json") { continue }
            return try load(id)
        }
        return nil
    }

    /// The date of the last completed edition: the next one carries only articles newer than this.
    public func lastCompletedDate() throws -> Date? {
        guard let bytes = try? FileSystem.readAll(directory + "/last-edition") else { return nil }
        let id = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !id.isEmpty else { return nil }
        return try load(id).date
    }

    /// Every completed edition (those with `complete.json`), newest first: what the archive publishes.
    public func completedEditions() throws -> [Edition] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: editionsDirectory)) ?? []
        return try ids.sorted().reversed().compactMap { id in
            let folder = editionsDirectory + "/" + id
            guard FileManager.default.fileExists(atPath: folder + "/complete.json") else { return nil }
            return try load(id)
        }
    }

    /// Starts a new edition with `articles`, durably, before anything is sent.
    public func create(date: Date, articles: [Article]) throws -> Edition {
        try prepare()
        var id = EditionStore.identifier(for: date)
        var suffix = 1
        while FileManager.default.fileExists(atPath: editionsDirectory + "/" + id) {
            suffix += 1
            id = EditionStore.identifier(for: date) + "-\(suffix)"
        }
        let folder = editionsDirectory + "/" + id
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let edition = Edition(id: id, date: date, articles: articles, directory: folder)
        try FileSystem.writeAtomically(Array(EditionStore.encode(edition).utf8), to: folder + "/edition.json")
        FileSystem.syncDirectory(editionsDirectory)
        return edition
    }

    /// Marks `edition` complete and makes it the cut-off for the next one.
    public func complete(_ edition: Edition, sent: Int, failed: Int, at date: Date) throws {
        let summary = JSONValue.object([("completedAt", .string(Instant.iso(date))), ("sent", .integer(sent)), ("failed", .integer(failed))]).pretty
        // The cut-off first: a crash between the two writes leaves an edition that resumes (and finds nobody left),
        // never a completed edition whose articles the next one would carry again.
        try FileSystem.writeAtomically(Array((edition.id + "\n").utf8), to: directory + "/last-edition")
        try FileSystem.writeAtomically(Array(summary.utf8), to: edition.directory + "/complete.json")
    }

    func load(_ id: String) throws -> Edition {
        let folder = editionsDirectory + "/" + id
        let path = folder + "/edition.json"
        let json = try JSONReader.parse(try FileSystem.readAll(path))
        guard case .string(let dateText)? = json["date"], let date = Instant.parse(dateText),
            case .array(let items)? = json["articles"]
        else { throw FileSystem.IOError(path: path, reason: "not an edition file (no date or articles)") }
        var articles: [Article] = []
        for item in items {
            guard case .string(let title)? = item["title"], case .string(let url)? = item["url"], case .number(let ms)? = item["published"],
                case .string(let file)? = item["file"], case .string(let html)? = item["html"], let milliseconds = Double(ms)
            else { throw FileSystem.IOError(path: path, reason: "an article entry is incomplete") }
            var sourceName: String?
            var itemKey: String?
            var contentBase: URL?
            if case .string(let text)? = item["source"] { sourceName = text }
            if case .string(let text)? = item["itemKey"] { itemKey = text }
            if case .string(let text)? = item["contentBase"] { contentBase = URL(string: text) }
            articles.append(Article(
                title: title, url: url, link: ArticleFileParser.httpURL(url), published: Date(timeIntervalSince1970: milliseconds / 1000),
                file: file, html: html, sourceName: sourceName, itemKey: itemKey, contentBase: contentBase))
        }
        return Edition(id: id, date: date, articles: articles, directory: folder)
    }

    static func encode(_ edition: Edition) -> String {
        let articles = edition.articles.map { article in
            var members: [(key: String, value: JSONValue)] = [
                ("title", .string(article.title)),
                ("url", .string(article.url)),
                ("published", .number(String(Int64((article.published.timeIntervalSince1970 * 1000).rounded())))),
                ("file", .string(article.file)),
                ("html", .string(article.html)),
            ]
            // Feed items only: folder articles keep the edition file as it was.
            if let name = article.sourceName { members.append(("source", .string(name))) }
            if let key = article.itemKey { members.append(("itemKey", .string(key))) }
            if let base = article.contentBase { members.append(("contentBase", .string(base.absoluteString))) }
            return JSONValue.object(members)
        }
        return JSONValue.object([("id", .string(edition.id)), ("date", .string(Instant.iso(edition.date))), ("articles", .array(articles))]).pretty
    }

    static func identifier(for date: Date) -> String {
        let p = DisplayDate.parts(date, TimeZone(identifier: "UTC")!)
        let two = DisplayDate.two
        return "\(p.year)\(two(p.month))\(two(p.day))T\(two(p.hour))\(two(p.minute))\(two(Int(date.timeIntervalSince1970) % 60))Z"
    }
}
