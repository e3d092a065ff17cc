/// `dkim.*`: the domain that signs every message and the keys it signs with (RFC 6376, RFC 8463).
///
/// Only names are read here; the key files are read by ``DKIMSigner`` when a command needs them, so that a
/// configuration can be checked before its keys exist.
public struct DKIMSettings: Sendable, Equatable {
    /// One signature: its selector (`s=`) and its private key.
    public struct Signature: Sendable, Equatable {
        /// The selector: the key's DNS record is `<selector>._domainkey.<domain>`.
        public var selector: String
        /// The PEM private key (RSA of 2048 bits or more, or Ed25519), resolved against the configuration's folder.
        public var privateKeyFile: String

        public init(selector: String, privateKeyFile: String) {
            self.selector = selector
            self.privateKeyFile = privateKeyFile
        }
    }

    /// The signing domain (`d=`), in ASCII, lowercased.
    public var domain: String
    /// One signature per entry, in this order (the usual pair: an RSA key and an Ed25519 key).
    public var signatures: [Signature]

    public init(domain: String, signatures: [Signature]) {
        self.domain = domain
        self.signatures = signatures
    }

    /// At most this many signatures per message: each costs CPU per message and header bytes.
    static let maximumSignatures = 4

    /// Reads `dkim` and checks that its domain is aligned with the From domain (DMARC, RFC 7489 §3.1.1).
    ///
    /// - Throws: ``ConfigurationError`` naming the key at fault.
    init(reading reader: inout ConfigurationReader, resolve: (String) -> String, fromDomain: String) throws(ConfigurationError) {
        let file = reader.file
        let domainText = try reader.requiredString("domain")
        let domain: String
        do {
            domain = try EmailAddress("dkim@" + domainText).domain
        } catch {
            throw .invalidValue(file: file, key: reader.keyPath("domain"), reason: "'\(domainText)' is not a domain name such as example.org")
        }
        guard DKIMSettings.isAligned(signingDomain: domain, fromDomain: fromDomain) else {
            throw .invalidValue(
                file: file, key: reader.keyPath("domain"),
                reason: "d=\(domain) is not aligned with the From domain \(fromDomain): DMARC passes only when the signing domain is the From "
                    + "domain or shares its organisational domain; use \(fromDomain) (or a parent or subdomain of it)")
        }
        guard let list = reader.value("signatures") else { throw .missingKey(file: file, key: reader.keyPath("signatures")) }
        guard case .array(let elements) = list else {
            throw .wrongType(file: file, key: reader.keyPath("signatures"), expected: "an array of {selector, privateKeyFile} objects", found: list.typeDescription)
        }
        guard (1...DKIMSettings.maximumSignatures).contains(elements.count) else {
            throw .invalidValue(
                file: file, key: reader.keyPath("signatures"),
                reason: "must hold 1 to \(DKIMSettings.maximumSignatures) signatures (usually one RSA and one Ed25519), found \(elements.count)")
        }
        var signatures: [Signature] = []
        for (index, element) in elements.enumerated() {
            var entry = try ConfigurationReader(file: file, path: reader.keyPath("signatures") + "[\(index)]", value: element)
            let selector = try entry.requiredString("selector")
            guard DKIMSettings.isSelector(selector) else {
                throw .invalidValue(
                    file: file, key: entry.keyPath("selector"),
                    reason: "'\(selector)' is not a selector: letters, digits and hyphens, in dot-separated labels (RFC 6376 §3.1)")
            }
            guard !signatures.contains(where: { $0.selector.lowercased() == selector.lowercased() }) else {
                throw .invalidValue(file: file, key: entry.keyPath("selector"), reason: "'\(selector)' is used twice; each key needs its own selector")
            }
            let keyFile = resolve(try entry.requiredString("privateKeyFile"))
            try entry.finish()
            signatures.append(Signature(selector: selector, privateKeyFile: keyFile))
        }
        self.domain = domain
        self.signatures = signatures
    }

    /// Relaxed alignment without a public-suffix list: the signing domain is the From domain, a parent of it
    /// (with at least two labels), or a subdomain of it.
    public static func isAligned(signingDomain: String, fromDomain: String) -> Bool {
        let signing = signingDomain.lowercased()
        let from = fromDomain.lowercased()
        if signing == from { return true }
        if from.hasSuffix("." + signing) && signing.contains(".") { return true }
        return signing.hasSuffix("." + from)
    }

    /// Whether `text` is a selector: dot-separated labels of ASCII letters, digits and inner hyphens.
    public static func isSelector(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 63 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.utf8.first, let last = label.utf8.last else { return false }
            return label.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D }
                && first != 0x2D && last != 0x2D
        }
    }
}
