/// A subscriber list read strictly from its JSON file.
///
/// The file is an array of objects: `email` (required), `name` (optional string), `subscribed` (optional
/// boolean, default true), and any other keys, kept for templates. A file that is not JSON or not an array is
/// rejected whole; a bad entry is skipped with a warning naming its position and email; everyone else is served.
///
/// Reading is lean enough for a million entries: one pass validates every entry and keeps, per address, only
/// its first entry's byte range and whether any entry unsubscribed it; ``subscribers()`` then builds the active
/// subscribers from those ranges when they are needed (`check` never needs them).
public struct SubscriberList: Sendable {
    /// The file's bytes; entries are re-read from them by range.
    let bytes: [UInt8]
    /// The file's name, for messages.
    public let file: String
    /// One record per distinct address, in order of first appearance.
    var addresses: [AddressRecord] = []
    /// Entries skipped, each with its warning.
    public private(set) var warnings: [SubscriberWarning] = []
    /// Duplicates merged into an earlier entry, each with a notice.
    public private(set) var notices: [SubscriberWarning] = []
    /// Entries kept without their name, which was longer than ``maxNameLength``, each with its warning.
    public private(set) var droppedNames: [SubscriberWarning] = []

    /// The longest name kept, in characters: a longer one is dropped with a warning (a 10 MB name would make a
    /// 37 MB message with a 16 MB `To:` header).
    public static let maxNameLength = 200
    /// The largest entry read, in bytes of the file: a larger one is skipped with a warning. It bounds the
    /// extra fields kept for templates too.
    public static let maxEntryBytes = 16 * 1024

    /// Every warning about the list, skipped entries and dropped names, in file order.
    public var allWarnings: [SubscriberWarning] { (warnings + droppedNames).sorted { $0.position < $1.position } }
    /// The number of entries in the file.
    public private(set) var entryCount = 0

    /// 20 bytes an address: a list of a million costs 20 MB here.
    struct AddressRecord: Sendable {
        var start: UInt32
        var length: UInt32
        var position: Int32
        /// 32 bits of the normalised address's hash, to compare before re-reading an entry.
        var hash: UInt32
        var isUnsubscribed: Bool
        var range: Range<Int> { Int(start)..<Int(start) + Int(length) }
    }

    /// The number of addresses that will receive the digest.
    public var activeCount: Int { addresses.count - unsubscribedCount }
    /// The number of addresses that asked not to receive anything.
    public var unsubscribedCount: Int { addresses.reduce(0) { $0 + ($1.isUnsubscribed ? 1 : 0) } }

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
        return try SubscriberList(bytes: bytes, file: path)
    }

    /// Parses a list from `bytes`; `file` names it in messages.
    public init(bytes: [UInt8], file: String) throws(SubscriberListError) {
        guard bytes.count < Int(UInt32.max) else {
            throw .unreadable(file: file, reason: "the file is larger than 4 GiB")
        }
        self.bytes = bytes
        self.file = file
        var reader = JSONReader(bytes: bytes)
        // Addresses compare case-insensitively; the map holds a hash of the normalised address, and a hit is
        // confirmed against the earlier entry's bytes, so a hash collision can never merge two people.
        // Every entry is an object: counting '{' bounds the number of entries, so the records and the table are
        // allocated once instead of growing (growth copies, and the copies are what a peak is made of).
        let objects = bytes.withUnsafeBufferPointer { buffer in buffer.reduce(0) { $0 + ($1 == UInt8(ascii: "{") ? 1 : 0) } }
        addresses.reserveCapacity(objects)
        var table = AddressTable(expected: objects)
        do {
            try reader.beginArray(what: "an array of subscribers")
            var position = 0
            while let (value, range) = try reader.nextArrayElement(isFirst: position == 0) {
                position += 1
                if range.count > SubscriberList.maxEntryBytes {
                    var email: String?
                    if case .string(let text)? = value["email"] { email = text.count > 100 ? String(text.prefix(100)) + "…" : text }
                    warnings.append(SubscriberWarning(
                        file: file, position: position, email: email,
                        message: "skipped: the entry is \(range.count) bytes, more than the \(SubscriberList.maxEntryBytes / 1024) KiB an entry may have"))
                    continue
                }
                if case .string(let name)? = value["name"], Sanitize.collapsedLine(name).count > SubscriberList.maxNameLength,
                    case .string(let email)? = value["email"]
                {
                    droppedNames.append(SubscriberWarning(
                        file: file, position: position, email: email,
                        message: "the name is longer than \(SubscriberList.maxNameLength) characters; sent without a name"))
                }
                switch SubscriberList.entry(value, position: position, file: file) {
                case .failure(let warning):
                    warnings.append(warning)
                case .success(let (subscriber, isSubscribed)):
                    let key = subscriber.address.normalized
                    let hash = UInt32(truncatingIfNeeded: key.hashValue)
                    let existing = table.find(hash: hash, in: addresses) { self.normalizedAddress(at: $0) == key }
                    if let existing {
                        let first = addresses[existing]
                        notices.append(SubscriberWarning(
                            file: file, position: position, email: subscriber.address.description,
                            message: "duplicate of entry \(first.position); the first spelling and name are kept"
                                + (isSubscribed ? "" : ", and the address is unsubscribed")))
                        if !isSubscribed { addresses[existing].isUnsubscribed = true }
                        continue
                    }
                    addresses.append(AddressRecord(
                        start: UInt32(range.lowerBound), length: UInt32(range.count), position: Int32(position), hash: hash,
                        isUnsubscribed: !isSubscribed))
                    table.insert(hash: hash, index: addresses.count - 1, in: addresses)
                }
            }
            entryCount = position
            try reader.expectEnd()
        } catch {
            throw .syntax(file: file, error)
        }
    }

    /// The entry at `record`, parsed again from its bytes (it was valid the first time).
    func subscriber(_ record: AddressRecord) -> Subscriber? {
        guard let value = try? JSONReader.parse(Array(bytes[record.range])),
            case .success(let (subscriber, _)) = SubscriberList.entry(value, position: Int(record.position), file: file)
        else { return nil }
        return subscriber
    }

    private func normalizedAddress(at index: Int) -> String? {
        subscriber(addresses[index])?.address.normalized
    }

    /// The subscribers to send to, in file order, one per address.
    public func subscribers() -> [Subscriber] {
        addresses.compactMap { $0.isUnsubscribed ? nil : subscriber($0) }
    }

    /// The number of addresses (active or not), each with its record: ``subscriber(atRecord:)`` reads them one at
    /// a time, so that a caller need not hold them all (a send keeps four bytes per recipient, not a value).
    var recordCount: Int { addresses.count }

    /// The subscriber of record `index` (below ``recordCount``), parsed again from its entry; nil when that
    /// address unsubscribed.
    func subscriber(atRecord index: Int) -> Subscriber? {
        let record = addresses[index]
        return record.isUnsubscribed ? nil : subscriber(record)
    }

    /// The first active subscriber, without building the others.
    public var firstActive: Subscriber? {
        addresses.first { !$0.isUnsubscribed }.flatMap(subscriber)
    }

    /// The active subscriber with `address`, if there is one.
    public func subscriber(for address: EmailAddress) -> Subscriber? {
        let key = address.normalized
        for record in addresses where !record.isUnsubscribed {
            if let subscriber = subscriber(record), subscriber.address.normalized == key { return subscriber }
        }
        return nil
    }

    /// Whether `address` is listed and has not unsubscribed.
    public func isActive(_ address: EmailAddress) -> Bool {
        subscriber(for: address) != nil
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
                name = line.isEmpty || line.count > maxNameLength ? nil : line
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

/// An open-addressing set of address records keyed by their 32-bit hash: 4 bytes a slot, so deduplicating a
/// million addresses costs about 8 MB. A slot matches only after `isSame` confirms it against the entry itself.
struct AddressTable {
    private var slots: [UInt32]  // record index + 1; 0 is empty
    private var count = 0

    init(expected: Int) {
        var capacity = 64
        while capacity < expected * 2 { capacity <<= 1 }
        slots = [UInt32](repeating: 0, count: capacity)
    }

    func find(hash: UInt32, in records: [SubscriberList.AddressRecord], isSame: (Int) -> Bool) -> Int? {
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot] - 1)
            if records[index].hash == hash && isSame(index) { return index }
            slot = (slot + 1) & mask
        }
        return nil
    }

    mutating func insert(hash: UInt32, index: Int, in records: [SubscriberList.AddressRecord]) {
        if (count + 1) * 4 > slots.count * 3 { grow(records) }
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = UInt32(index + 1)
        count += 1
    }

    private mutating func grow(_ records: [SubscriberList.AddressRecord]) {
        let old = slots
        slots = [UInt32](repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        for entry in old where entry != 0 {
            var slot = Int(records[Int(entry - 1)].hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
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
