/// One active subscriber, as the digest is personalised for them.
public struct Subscriber: Sendable, Equatable {
    /// The validated address.
    public var address: EmailAddress
    /// The display name, if the list gives one (already reduced to one line).
    public var name: String?
    /// The entry's other keys, free for templates to use as `subscriber.fields`.
    public var fields: [(key: String, value: JSONValue)]

    public init(address: EmailAddress, name: String? = nil, fields: [(key: String, value: JSONValue)] = []) {
        self.address = address
        self.name = name
        self.fields = fields
    }

    public static func == (lhs: Subscriber, rhs: Subscriber) -> Bool {
        lhs.address == rhs.address && lhs.name == rhs.name && JSONValue.object(lhs.fields) == JSONValue.object(rhs.fields)
    }

    /// The mailbox for the `To` header.
    public var mailbox: Mailbox { Mailbox(displayName: name, address: address) }
}
