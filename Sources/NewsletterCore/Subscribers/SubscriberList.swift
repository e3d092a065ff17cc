/// A subscriber list read strictly from its JSON file.
///
/// The file is an array of objects: `email` (required), `name` (optional string), `subscribed` (optional
/// boolean, default true), and any other keys, kept for templates. A file that is not JSON or not an array is
/// rejected whole; a bad entry is skipped with a warning naming its position and email; everyone else is served.
public struct SubscriberList: Sendable {
    /// The subscribers to send to, in file order, one per address.
    public var active: [Subscriber] = []
    /// Addresses (normalised) that asked not to receive anything.
    public var unsubscribedCount = 0
    /// Entries skipped, each with its warning.
    public var warnings: [SubscriberWarning] = []
    /// Notices about duplicates that were merged.
    public var notices: [SubscriberWarning] = []
    /// The number of entries in the file.
    public var entryCount = 0

    public init() {}

    /// Reads the list at `path`.
    ///
    /// - Throws: ``SubscriberListError`` when the file cannot be read, is not valid JSON or is not an array.
    public static func load(from path: String) throws(SubscriberListError) -> SubscriberList {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readAll(path)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        return try parse(bytes, file: path)
    }

    /// Parses a list from `bytes`; `file` names it in messages.
    public static func parse(_ bytes: [UInt8], file: String) throws(SubscriberListError) -> SubscriberList {
        var list = SubscriberList()
        var reader = JSONReader(bytes: bytes)
        // First pass: validate the syntax of the whole file before using any of it, so that a broken file is
        // refused before anything is sent.
        var entries: [(position: Int, value: JSONValue)] = []
        do {
            try reader.beginArray(what: "an array of subscribers")
            var position = 0
            while let (value, _) = try reader.nextArrayElement(isFirst: position == 0) {
                position += 1
                entries.append((position, value))
            }
            try reader.expectEnd()
        } catch {
            throw .syntax(file: file, error)
        }
        list.entryCount = entries.count

        var indexByAddress: [String: Int] = [:]
        var unsubscribed: Set<String> = []
        for (position, value) in entries {
            switch SubscriberList.entry(value, position: position, file: file) {
            case .failure(let warning):
                list.warnings.append(warning)
            case .success(let (subscriber, isSubscribed)):
                let key = subscriber.address.normalized
                if !isSubscribed {
                    unsubscribed.insert(key)
                }
                if let existing = indexByAddress[key] {
                    list.notices.append(SubscriberWarning(
                        file: file, position: position, email: subscriber.address.description,
                        message: "duplicate of entry \(existing + 1); the first spelling and name are kept"))
                    continue
                }
                indexByAddress[key] = position - 1
                if isSubscribed { list.active.append(subscriber) }
            }
        }
        if !unsubscribed.isEmpty {
            list.active.removeAll { unsubscribed.contains($0.address.normalized) }
        }
        list.unsubscribedCount = unsubscribed.count
        return list
    }

    static func entry(_ value: JSONValue, position: Int, file: String) -> Result<(Subscriber, Bool), SubscriberWarning> {
        func warning(_ email: String?, _ message: String) -> Result<(Subscriber, Bool), SubscriberWarning> {
            .failure(SubscriberWarning(file: file, position: position, email: email, message: "skipped: " + message))
        }
        guard case .object(let members) = value else { return warning(nil, "it is \(value.typeDescription), not an object") }
        guard let emailValue = value["email"] else { return warning(nil, "it has no \"email\"") }
        guard case .string(let email) = emailValue else { return warning(nil, "\"email\" is \(emailValue.typeDescription), not a string") }
        let address: EmailAddress
        do {
            address = try EmailAddress(email)
        } catch {
            return warning(email, error.description)
        }
        var name: String?
        if let nameValue = value["name"] {
            switch nameValue {
            case .string(let text):
                let line = Sanitize.collapsedLine(text)
                name = line.isEmpty ? nil : line
            case .null:
                break
            default:
                return warning(email, "\"name\" is \(nameValue.typeDescription), not a string")
            }
        }
        var isSubscribed = true
        if let subscribed = value["subscribed"] {
            guard case .bool(let flag) = subscribed else {
                return warning(email, "\"subscribed\" is \(subscribed.typeDescription), not true or false; the entry is skipped rather than taken as consent")
            }
            isSubscribed = flag
        }
        let fields = members.filter { !["email", "name", "subscribed"].contains($0.key) }
        return .success((Subscriber(address: address, name: name, fields: fields), isSubscribed))
    }
}

/// A problem with one entry of the subscriber list.
public struct SubscriberWarning: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    /// The 1-based position of the entry in the array.
    public var position: Int
    /// The entry's email value, when it has one.
    public var email: String?
    public var message: String

    public var description: String {
        let who = email.map { " ('\(Sanitize.printable($0))')" } ?? ""
        return "\(file): entry \(position)\(who): \(message)"
    }
}

/// A subscriber file that cannot be used at all.
public enum SubscriberListError: Error, Equatable, CustomStringConvertible, Sendable {
    case unreadable(file: String, reason: String)
    case syntax(file: String, JSONSyntaxError)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read the subscriber list: \(reason)"
        case .syntax(let file, let error): return "\(file):\(error.line):\(error.column): \(error.message)"
        }
    }
}
