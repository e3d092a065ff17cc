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

    /// `count` random bytes as lowercase hex, drawn eight at a time from the system generator.
    static func hex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        var remaining = count
        while remaining > 0 {
            let word = generator.next()
            let take = min(8, remaining)
            for index in 0..<take {
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index)))
                text += (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
            remaining -= take
        }
        return text
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
