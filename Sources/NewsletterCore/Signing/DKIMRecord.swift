/// The DNS TXT record that publishes a DKIM public key (RFC 6376 §3.6.1, RFC 8463 §4).
public struct DKIMRecord: Sendable, Equatable {
    /// The owner name: `<selector>._domainkey.<domain>`.
    public var name: String
    /// The record's text: `v=DKIM1; k=rsa; p=…`.
    public var text: String

    public init(selector: String, domain: String, key: DKIMKey) {
        name = "\(selector)._domainkey.\(domain)"
        text = "v=DKIM1; k=\(key.algorithm.keyType); p=\(key.publicKeyBase64)"
    }

    /// The text cut into the quoted strings of at most 255 octets a TXT record is made of (RFC 1035 §3.3.14);
    /// a verifier joins them without a separator (RFC 6376 §3.6.2.2).
    public var strings: [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(255)))
            rest = rest.dropFirst(255)
        }
        return pieces
    }

    /// One zone-file line: `s1._domainkey.example.org IN TXT "v=DKIM1; k=rsa; p=…" "…"`.
    public var zoneLine: String {
        "\(name) IN TXT " + strings.map { "\"\($0)\"" }.joined(separator: " ")
    }
}
