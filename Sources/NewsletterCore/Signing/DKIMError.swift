/// A DKIM key that cannot be used, or a key that cannot be made, with the file at fault.
public enum DKIMError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The key file cannot be read (missing, no permission, a folder).
    case unreadable(file: String, reason: String)
    /// The key file is larger than any PEM private key the tool signs with.
    case tooLarge(file: String, size: Int)
    /// The file holds no PEM private key libcrypto can read.
    case notAKey(file: String, reason: String)
    /// The key is encrypted with a passphrase; the tool has no way to ask for one.
    case encrypted(file: String)
    /// The key is neither RSA nor Ed25519.
    case unsupportedType(file: String, type: String)
    /// An RSA key shorter than 2048 bits (RFC 8301 §3.2 forbids signing with less than 1024 and receivers treat
    /// 1024 as weak).
    case tooSmall(file: String, bits: Int)
    /// The key file to write already exists.
    case exists(file: String)
    /// The key file could not be written.
    case unwritable(file: String, reason: String)
    /// The configuration has no `dkim` section.
    case notConfigured(file: String)
    /// libcrypto failed while signing or making a key.
    case crypto(operation: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read the DKIM private key: \(reason)"
        case .tooLarge(let file, let size):
            return "\(file): \(size) bytes is too large for a DKIM private key (at most \(DKIMKey.maximumFileSize)); is this the right file?"
        case .notAKey(let file, let reason):
            return "\(file): not a PEM private key (\(reason)); make one with `newsletter dkim keygen` or `openssl genpkey`"
        case .encrypted(let file):
            return "\(file): the DKIM private key is encrypted; decrypt it with `openssl pkey -in \(file) -out PLAIN.pem` and keep that file mode 0600"
        case .unsupportedType(let file, let type):
            return "\(file): a \(type) key cannot sign DKIM here; use an RSA key of 2048 bits or more, or an Ed25519 key"
        case .tooSmall(let file, let bits):
            return "\(file): a \(bits)-bit RSA key is too small for DKIM; use 2048 bits or more (`newsletter dkim keygen --bits 2048`)"
        case .exists(let file): return "\(file): already exists; not overwritten (choose another --out, or remove the file first)"
        case .unwritable(let file, let reason): return "\(file): cannot write the DKIM private key: \(reason)"
        case .notConfigured(let file):
            return "\(file): no `dkim` section; add one with `domain` and `signatures` (see README, \"DKIM, SPF and DMARC\")"
        case .crypto(let operation, let reason): return "libcrypto failed to \(operation): \(reason)"
        }
    }
}
