import CCrypto
import Foundation

/// Makes the parts of a message that must be unique: the Message-ID and the MIME boundary.
///
/// Injected so that golden tests get fixed values without rewriting the output.
public protocol MessageIdentity {
    /// A Message-ID without angle brackets, `unique@domain`.
    mutating func messageID(domain: String, date: Date) -> String
    /// A multipart boundary that starts with `=_`.
    mutating func boundary() -> String
    /// The Message-ID of the message to `recipient`; by default ``messageID(domain:date:)``.
    mutating func messageID(domain: String, date: Date, recipient: EmailAddress) -> String
}

extension MessageIdentity {
    public mutating func messageID(domain: String, date: Date, recipient: EmailAddress) -> String {
        messageID(domain: domain, date: date)
    }
}

/// The identities of a sent edition: each Message-ID a pure function of the edition and the recipient, so that
/// a message sent again (after `kill -9`, or the one resend of an unknown outcome) carries the same Message-ID,
/// and the receiving system and the reader's client can recognise the duplicate (RFC 5322 §3.6.4).
///
/// The unique part is 128 bits of HMAC-SHA256, under the unsubscribe secret, of the edition's id and the
/// normalised address: it names neither, and nobody without the secret can forge or link them. Boundaries stay
/// random: they need only be absent from the message.
public struct EditionMessageIdentity: MessageIdentity {
    private let secret: [UInt8]
    private let edition: String
    private var random = RandomMessageIdentity()

    public init(secret: [UInt8], edition: String) {
        self.secret = secret
        self.edition = edition
    }

    /// Without a recipient there is nothing to derive from: a random identity.
    public mutating func messageID(domain: String, date: Date) -> String {
        random.messageID(domain: domain, date: date)
    }

    public mutating func messageID(domain: String, date: Date, recipient: EmailAddress) -> String {
        let input = Array("message-id\u{0}\(edition)\u{0}\(recipient.normalized)".utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        secret.withUnsafeBytes { key in
            input.withUnsafeBufferPointer { message in
                _ = HMAC(EVP_sha256(), key.baseAddress, Int32(secret.count), message.baseAddress, message.count, &digest, &length)
            }
        }
        return "nl." + Hex.lower(digest.prefix(16)) + "@" + domain
    }

    public mutating func boundary() -> String {
        random.boundary()
    }
}

/// Random identities: 128 random bits in each Message-ID, 96 in each boundary.
public struct RandomMessageIdentity: MessageIdentity {
    /// Random octets drawn from OpenSSL's CSPRNG 4 KiB at a time, and where the next unused one is.
    private var pool: [UInt8] = []
    private var used = 0
    /// The last date's base-36 stamp: a run gives every message the same date.
    private var stamp: (seconds: Int, text: String)?

    public init() {}

    public mutating func messageID(domain: String, date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970)
        if stamp?.seconds != seconds { stamp = (seconds, String(seconds, radix: 36)) }
        return (stamp?.text ?? "") + "." + hex(16) + "@" + domain
    }

    public mutating func boundary() -> String {
        "=_nl_" + hex(12)
    }

    /// `count` random octets as lowercase hex.
    mutating func hex(_ count: Int) -> String {
        if used + count > pool.count {
            pool = [UInt8](repeating: 0, count: 4096)
            let filled = pool.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
            if filled != 1 {
                // OpenSSL's generator could not be seeded; the system generator is the same quality, only slower.
                var generator = SystemRandomNumberGenerator()
                for index in pool.indices { pool[index] = generator.next() }
            }
            used = 0
        }
        let text = Hex.lower(pool[used..<(used + count)])
        used += count
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
