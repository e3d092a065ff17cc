import Foundation

/// Makes the parts of a message that must be unique: the Message-ID and the MIME boundary.
///
/// Injected so that golden tests get fixed values without rewriting the output.
public protocol MessageIdentity {
    /// A Message-ID without angle brackets, `unique@domain`.
    mutating func messageID(domain: String, date: Date) -> String
    /// A multipart boundary that starts with `=_`.
    mutating func boundary() -> String
}

/// Random identities: 128 random bits in each Message-ID, 96 in each boundary.
public struct RandomMessageIdentity: MessageIdentity {
    public init() {}

    public mutating func messageID(domain: String, date: Date) -> String {
        let stamp = String(Int(date.timeIntervalSince1970), radix: 36)
        return "\(stamp).\(RandomMessageIdentity.hex(16))@\(domain)"
    }

    public mutating func boundary() -> String {
        "=_nl_" + RandomMessageIdentity.hex(12)
    }

    static func hex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}

/// Predictable identities for tests and reproducible previews: `n.fixed@domain`, `=_nl_fixed_n`.
public struct SequentialMessageIdentity: MessageIdentity {
    var counter = 0

    public init() {}

    public mutating func messageID(domain: String, date: Date) -> String {
        counter += 1
        return "\(counter).fixed@\(domain)"
    }

    public mutating func boundary() -> String {
        "=_nl_fixed_\(counter)"
    }
}
