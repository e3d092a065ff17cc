import Foundation

/// Signs finished messages with DKIM (RFC 6376): `relaxed/relaxed`, one `DKIM-Signature` field per key, put
/// before the message's own header fields.
///
/// Signed: From twice, then To, Subject, Date, Message-ID, MIME-Version, Content-Type, List-Id, List-Unsubscribe
/// and List-Unsubscribe-Post (RFC 8058 §4 asks for the last two). Naming a field once more than the message has
/// it signs its absence (RFC 6376 §5.4.2), so a second From cannot be added without breaking the signature; a
/// field the message lacks (List-Unsubscribe-Post without an https URI) is signed as absent the same way.
///
/// The signer holds no mutable state: any number of threads may sign with it at once.
public struct DKIMSigner: Sendable {
    /// The signing domain, `d=`.
    public let domain: String
    /// The keys, each with its selector, in the order of the configuration.
    public let keys: [(selector: String, key: DKIMKey)]

    /// The `h=` list, lowercase, in signing order.
    public static let signedFields = [
        "from", "from", "to", "subject", "date", "message-id", "mime-version", "content-type", "list-id", "list-unsubscribe",
        "list-unsubscribe-post",
    ]
    /// The longest line the signature field is folded to (RFC 5322 §2.1.1 recommends 78).
    static let lineWidth = 78

    public init(domain: String, keys: [(selector: String, key: DKIMKey)]) {
        self.domain = domain
        self.keys = keys
    }

    /// Reads every key of `settings`, once.
    ///
    /// - Throws: ``DKIMError`` naming the first key file that cannot be used.
    public init(settings: DKIMSettings) throws(DKIMError) {
        var keys: [(selector: String, key: DKIMKey)] = []
        for signature in settings.signatures {
            keys.append((signature.selector, try DKIMKey(file: signature.privateKeyFile)))
        }
        self.init(domain: settings.domain, keys: keys)
    }

    /// `message` (wire form: CRLF, header, empty line, body) with a DKIM-Signature field per key before it.
    ///
    /// - Parameter timestamp: the `t=` tag (seconds since 1970), or nil for none.
    /// - Throws: ``DKIMError/crypto(operation:reason:)`` when libcrypto fails.
    public func sign(_ message: [UInt8], timestamp: Int?) throws(DKIMError) -> [UInt8] {
        let fields = try message.withUnsafeBufferPointer { bytes in
            Result { () throws(DKIMError) -> [UInt8] in try signatureFields(for: bytes, timestamp: timestamp) }
        }.get()
        var signed: [UInt8] = []
        signed.reserveCapacity(fields.count + message.count)
        signed.append(contentsOf: fields)
        signed.append(contentsOf: message)
        return signed
    }

    /// The DKIM-Signature fields for `message`, each folded and ended with CRLF.
    public func signatureFields(for message: UnsafeBufferPointer<UInt8>, timestamp: Int?) throws(DKIMError) -> [UInt8] {
        let (headers, bodyStart) = DKIMSigner.headerFields(message)
        // The canonical body is hashed as it is made, mostly straight from the message: no copy of it.
        let body = UnsafeBufferPointer(rebasing: message[bodyStart...])
        let bodyHash = Data(DKIMKey.sha256 { update in DKIMCanonicalization.relaxedBody(body, emit: update) }).base64EncodedString()

        // The signed fields in canonical form are the same for every key; only the DKIM-Signature field differs.
        let canonicalHeaders = DKIMSigner.canonicalHeaders(message, fields: headers, names: DKIMSigner.signedFields)
        var output: [UInt8] = []
        for (selector, key) in keys {
            let unsigned = unsignedField(algorithm: key.algorithm, selector: selector, timestamp: timestamp, bodyHash: bodyHash)
            let signature = try DKIMSigner.signature(canonicalHeaders: canonicalHeaders, unsignedField: unsigned, key: key)
            output.append(contentsOf: unsigned.utf8)
            output.append(contentsOf: DKIMSigner.foldedBase64(Data(signature).base64EncodedString(), after: 3).utf8)
            output.append(0x0D)
            output.append(0x0A)
        }
        return output
    }

    /// The DKIM-Signature field up to and including `b=`, folded: what is signed, and what the value of `b=`
    /// then follows.
    func unsignedField(algorithm: DKIMKey.Algorithm, selector: String, timestamp: Int?, bodyHash: String) -> String {
        var folder = Folder(start: "DKIM-Signature:")
        folder.add("v=1;")
        folder.add("a=\(algorithm.rawValue);")
        folder.add("c=relaxed/relaxed;")
        folder.add("d=\(domain);")
        folder.add("s=\(selector);")
        if let timestamp { folder.add("t=\(timestamp);") }
        // h= may break after any colon (FWS is allowed around them, RFC 6376 §3.5).
        let names = DKIMSigner.signedFields
        for (index, name) in names.enumerated() {
            folder.add((index == 0 ? "h=" : "") + name + (index == names.count - 1 ? ";" : ":"), glued: index > 0)
        }
        folder.add("bh=\(bodyHash);")
        folder.newLine()
        folder.add("b=")
        return folder.text
    }

    /// The signature over the canonical signed fields followed by the canonical DKIM-Signature field with an
    /// empty `b=`, without its CRLF (RFC 6376 §3.7).
    static func signature(canonicalHeaders: [UInt8], unsignedField: String, key: DKIMKey) throws(DKIMError) -> [UInt8] {
        var data = canonicalHeaders
        data.reserveCapacity(canonicalHeaders.count + unsignedField.utf8.count)
        var field = unsignedField
        field.withUTF8 { DKIMCanonicalization.relaxedHeader($0, withLineEnd: false, into: &data) }
        return try data.withUnsafeBytes { bytes in Result { () throws(DKIMError) -> [UInt8] in try key.sign(bytes) } }.get()
    }

    /// The canonical form of the fields named by `names`, in that order: each name takes the last instance not yet
    /// taken, and a name with none left adds nothing (RFC 6376 §5.4.2).
    static func canonicalHeaders(_ message: UnsafeBufferPointer<UInt8>, fields: [(name: String, range: Range<Int>)], names: [String]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        var taken: [String: Int] = [:]
        for name in names {
            let instances = fields.indices.filter { fields[$0].name == name }
            let used = taken[name, default: 0]
            guard used < instances.count else { continue }
            taken[name] = used + 1
            let field = fields[instances[instances.count - 1 - used]]
            DKIMCanonicalization.relaxedHeader(UnsafeBufferPointer(rebasing: message[field.range]), into: &output)
        }
        return output
    }

    /// The header fields of `message` (lowercased names, ranges without the final CRLF) and where the body
    /// starts (after the empty line; the end when there is none).
    static func headerFields(_ message: UnsafeBufferPointer<UInt8>) -> (fields: [(name: String, range: Range<Int>)], bodyStart: Int) {
        var fields: [(name: String, range: Range<Int>)] = []
        let count = message.count
        var lineStart = 0
        var fieldStart = -1
        var nameEnd = 0
        func close(at end: Int) {
            guard fieldStart >= 0 else { return }
            var name = ""
            for index in fieldStart..<nameEnd {
                let byte = message[index]
                if byte != 0x20 && byte != 0x09 { name.unicodeScalars.append(Unicode.Scalar(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)) }
            }
            fields.append((name, fieldStart..<end))
            fieldStart = -1
        }
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count && !(message[lineEnd] == 0x0D && lineEnd + 1 < count && message[lineEnd + 1] == 0x0A) { lineEnd += 1 }
            if lineEnd == lineStart {
                close(at: lineStart - 2)
                return (fields, min(lineStart + 2, count))
            }
            let first = message[lineStart]
            if first != 0x20 && first != 0x09 {
                close(at: lineStart - 2)
                fieldStart = lineStart
                nameEnd = lineStart
                while nameEnd < lineEnd && message[nameEnd] != 0x3A { nameEnd += 1 }
            }
            lineStart = lineEnd + 2
        }
        close(at: count)
        return (fields, count)
    }

    /// Base64 text folded after a line already `used` characters long: as much as fits on each line, the rest on
    /// lines starting with one space (white space inside `b=` is ignored, RFC 6376 §3.5).
    static func foldedBase64(_ text: String, after used: Int) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        var remaining = Substring(text)
        var room = lineWidth - used
        while !remaining.isEmpty {
            let piece = remaining.prefix(max(room, 1))
            if !result.isEmpty { result += "\r\n " }
            result += piece
            remaining = remaining.dropFirst(piece.count)
            room = lineWidth - 1
        }
        return result
    }

    /// Packs tags into lines of at most ``DKIMSigner/lineWidth`` characters, continuation lines starting with one
    /// space.
    struct Folder {
        var text: String
        var lineLength: Int

        init(start: String) {
            text = start
            lineLength = start.utf8.count
        }

        /// Adds `item` after a space on the current line, or on a new line when it does not fit; `glued` adds it
        /// without the space when it fits.
        mutating func add(_ item: String, glued: Bool = false) {
            let length = item.utf8.count
            let separator = glued ? 0 : 1
            if lineLength + separator + length <= DKIMSigner.lineWidth {
                if !glued { text += " " }
                text += item
                lineLength += separator + length
            } else {
                text += "\r\n " + item
                lineLength = 1 + length
            }
        }

        /// Starts a new line for what comes next.
        mutating func newLine() {
            text += "\r\n"
            lineLength = 0
        }
    }
}
