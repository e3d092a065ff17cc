import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `dkim keygen`: makes a DKIM private key, writes it to a new file readable by its owner only, and gives the
/// DNS record to publish.
public struct DKIMKeygen {
    public var selector: String
    public var domain: String
    public var algorithm: DKIMKey.Algorithm
    /// RSA key size; ignored for Ed25519.
    public var bits: Int
    /// Where to write the key; an existing file is never replaced.
    public var file: String

    /// The RSA sizes keygen makes: 2048 (the size receivers expect) up to 4096 (larger keys exceed what some DNS
    /// providers accept in one record).
    public static let rsaBits = 2048...4096

    public init(selector: String, domain: String, algorithm: DKIMKey.Algorithm, bits: Int = 2048, file: String) {
        self.selector = selector
        self.domain = domain
        self.algorithm = algorithm
        self.bits = bits
        self.file = file
    }

    /// Makes and writes the key.
    ///
    /// - Returns: the key as read back from the file, and its DNS record.
    /// - Throws: ``DKIMError``: the file exists or cannot be written, or libcrypto failed.
    public func run() throws(DKIMError) -> (key: DKIMKey, record: DKIMRecord) {
        let pem = try DKIMKey.generatePEM(algorithm, bits: bits)
        // O_EXCL: never replace a key that may already be published; 0600: the key is a secret.
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw .exists(file: file) }
            throw .unwritable(file: file, reason: FileSystem.errnoText())
        }
        do {
            try FileSystem.writeFully(fd, pem, path: file)
            guard fsync(fd) == 0 else { throw FileSystem.IOError(path: file, reason: FileSystem.errnoText()) }
            close(fd)
        } catch {
            close(fd)
            unlink(file)
            throw .unwritable(file: file, reason: FileSystem.reason(error))
        }
        let folder = (file as NSString).deletingLastPathComponent
        FileSystem.syncDirectory(folder.isEmpty ? "." : folder)
        let key = try DKIMKey(file: file)
        return (key, DKIMRecord(selector: selector, domain: domain, key: key))
    }

    /// The records of every key in `configuration`'s `dkim` section (`dkim record`).
    ///
    /// - Throws: ``DKIMError``: no `dkim` section, or a key that cannot be used.
    public static func records(_ configuration: Configuration) throws(DKIMError) -> [DKIMRecord] {
        guard let settings = configuration.dkim else { throw .notConfigured(file: configuration.file) }
        let signer = try DKIMSigner(settings: settings)
        return signer.keys.map { DKIMRecord(selector: $0.selector, domain: signer.domain, key: $0.key) }
    }
}
