import Foundation

/// One entry of `sources`: a folder of article files, or a feed.
///
/// `articles.directory`, when present, is the first folder source; `sources` adds more.
public enum SourceSetting: Sendable, Equatable {
    /// `{ "folder": "articles", "name": "…" }`: a folder of article files (relative to the configuration file).
    case folder(path: String, name: String?)
    /// `{ "feed": "https://…", "name": "…" }`: an RSS or Atom feed.
    case feed(FeedLocation, name: String?)

    /// The folder's path or the feed's URL, for messages.
    public var label: String {
        switch self {
        case .folder(let path, _): return path
        case .feed(let location, _): return location.display
        }
    }

    /// Where a feed is read from.
    public enum FeedLocation: Sendable, Equatable, Hashable {
        /// An `http://` or `https://` URL, fetched with libcurl.
        case remote(String)
        /// A file on this machine: a `file://` URL, or a path relative to the configuration file (a feed a static
        /// site generator writes). Read directly, with the same size bound.
        case local(String)

        /// The URL or path as given, for messages and for the state folder's key. A query string (which may carry
        /// a private feed's token) is shown as `?…`.
        public var display: String {
            switch self {
            case .remote(let url):
                guard let mark = url.firstIndex(of: "?") else { return url }
                return String(url[..<mark]) + "?…"
            case .local(let path): return path
            }
        }

        /// The text that identifies the feed in the state folder.
        public var key: String {
            switch self {
            case .remote(let url): return url
            case .local(let path): return "file://" + path
            }
        }
    }

    /// Reads `sources[index]`.
    init(reading reader: inout ConfigurationReader, index: Int, resolve: (String) -> String) throws(ConfigurationError) {
        let file = reader.file
        let key = "sources[\(index)]"
        let folder = try reader.string("folder")
        let feed = try reader.string("feed")
        let name = try reader.string("name").map(Sanitize.collapsedLine)
        if let name, name.isEmpty || name.count > 200 {
            throw .invalidValue(file: file, key: key + ".name", reason: "must be a name of 1 to 200 characters")
        }
        switch (folder, feed) {
        case (let folder?, nil):
            guard !folder.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalidValue(file: file, key: key + ".folder", reason: "must not be empty")
            }
            self = .folder(path: resolve(folder), name: name)
        case (nil, let feed?):
            self = .feed(try SourceSetting.location(feed, file: file, key: key + ".feed", resolve: resolve), name: name)
        case (nil, nil):
            throw .invalidValue(file: file, key: key, reason: "needs either \"folder\" (a folder of article files) or \"feed\" (an RSS or Atom feed URL)")
        case (_?, _?):
            throw .invalidValue(file: file, key: key, reason: "has both \"folder\" and \"feed\": one source per entry")
        }
    }

    /// Checks a feed's URL or path: http(s) with a host and no credentials, file://, or a path.
    static func location(_ text: String, file: String, key: String, resolve: (String) -> String) throws(ConfigurationError) -> FeedLocation {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.unicodeScalars.contains(where: { Sanitize.isControl($0) || $0 == " " }) else {
            throw .invalidValue(file: file, key: key, reason: "'\(Sanitize.printable(text))' must be a URL or a path without spaces or control characters")
        }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("file://") {
            let path = String(trimmed.dropFirst(7)).removingPercentEncoding ?? String(trimmed.dropFirst(7))
            guard path.hasPrefix("/") else {
                throw .invalidValue(file: file, key: key, reason: "'\(trimmed)' must be file:///absolute/path (or give a path relative to the configuration file)")
            }
            return .local(URL(fileURLWithPath: path).standardizedFileURL.path)
        }
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let components = URLComponents(string: trimmed), let host = components.host, !host.isEmpty else {
                throw .invalidValue(file: file, key: key, reason: "'\(Sanitize.printable(trimmed))' is not a URL with a host, such as https://example.org/feed.xml")
            }
            if components.user != nil || components.password != nil {
                throw .invalidValue(file: file, key: key, reason: "put no user name or password in a feed URL: they would show in messages and the state folder")
            }
            return .remote(trimmed)
        }
        if trimmed.contains("://") {
            throw .invalidValue(file: file, key: key, reason: "'\(Sanitize.printable(trimmed))': only https://, http:// and file:// feeds are read")
        }
        // Absolute and standardised: the feed's key in the state folder must not depend on how the configuration
        // was named (`--config config.json` or `--config /etc/newsletter/config.json`).
        return .local(URL(fileURLWithPath: resolve(trimmed)).standardizedFileURL.path)
    }
}
