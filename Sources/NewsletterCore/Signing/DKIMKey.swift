import CCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A DKIM private key read from a PEM file, through libcrypto's EVP interface.
///
/// The algorithm follows from the key: RSA (2048 bits or more) signs `rsa-sha256` (RFC 6376 §3.3.1, RFC 8301),
/// Ed25519 signs `ed25519-sha256` (RFC 8463). A key is read once and then only used, so one key serves every
/// signing thread at once: each signature has its own `EVP_MD_CTX`.
public final class DKIMKey: @unchecked Sendable {
    /// The signing algorithms, by their `a=` names.
    public enum Algorithm: String, Sendable {
        case rsaSHA256 = "rsa-sha256"
        case ed25519SHA256 = "ed25519-sha256"

        /// The `k=` of the DNS record.
        public var keyType: String { self == .rsaSHA256 ? "rsa" : "ed25519" }
    }

    /// The file the key came from (or a description, for a generated key).
    public let file: String
    public let algorithm: Algorithm
    /// The key size in bits (256 for Ed25519).
    public let bits: Int
    /// The `p=` of the DNS record: base64 of the SubjectPublicKeyInfo (RSA, RFC 6376 §3.6.1) or of the 32 raw
    /// octets of the public key (Ed25519, RFC 8463 §4).
    public let publicKeyBase64: String
    private let key: OpaquePointer

    /// A PEM private key is a few kilobytes (16,384-bit RSA: about 12 KB); anything larger is the wrong file.
    public static let maximumFileSize = 64 * 1024
    /// The smallest RSA key the tool signs with.
    public static let minimumRSABits = 2048

    /// Reads the PEM private key in `file`.
    ///
    /// - Throws: ``DKIMError`` naming the file: unreadable, too large, not a key, encrypted, of another type, or
    ///   an RSA key under 2048 bits.
    public convenience init(file: String) throws(DKIMError) {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readPrefix(file, count: DKIMKey.maximumFileSize + 1)
        } catch {
            throw .unreadable(file: file, reason: error.reason)
        }
        guard bytes.count <= DKIMKey.maximumFileSize else { throw .tooLarge(file: file, size: DKIMKey.fileSize(file) ?? bytes.count) }
        try self.init(pem: bytes, file: file)
    }

    /// Reads a PEM private key from memory; `file` names it in errors.
    public init(pem bytes: [UInt8], file: String) throws(DKIMError) {
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED") {
            throw .encrypted(file: file)
        }
        guard text.contains("PRIVATE KEY-----") else {
            let reason = text.contains("-----BEGIN PUBLIC KEY-----") ? "it holds a public key; the private key is needed" : "no BEGIN PRIVATE KEY block"
            throw .notAKey(file: file, reason: reason)
        }
        let parsed: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            // A passphrase of "" instead of libcrypto's default callback, which would prompt on the terminal.
            return "".withCString { empty in
                PEM_read_bio_PrivateKey(bio, nil, nil, UnsafeMutableRawPointer(mutating: empty))
            }
        }
        guard let key = parsed else { throw .notAKey(file: file, reason: DKIMKey.libcryptoError()) }
        let type = EVP_PKEY_get_base_id(key)
        let bits = Int(EVP_PKEY_get_bits(key))
        let algorithm: Algorithm
        switch type {
        case EVP_PKEY_RSA:
            guard bits >= DKIMKey.minimumRSABits else {
                EVP_PKEY_free(key)
                throw .tooSmall(file: file, bits: bits)
            }
            algorithm = .rsaSHA256
        case EVP_PKEY_ED25519:
            algorithm = .ed25519SHA256
        default:
            let name = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "type \(type)"
            EVP_PKEY_free(key)
            throw .unsupportedType(file: file, type: name)
        }
        guard let publicKey = DKIMKey.publicKey(key, algorithm: algorithm) else {
            EVP_PKEY_free(key)
            throw .notAKey(file: file, reason: "its public key cannot be derived: " + DKIMKey.libcryptoError())
        }
        self.file = file
        self.key = key
        self.algorithm = algorithm
        self.bits = bits
        publicKeyBase64 = Data(publicKey).base64EncodedString()
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// Signs `data` (the canonicalised header fields, RFC 6376 §3.7): RSASSA-PKCS1-v1_5 with SHA-256, or Ed25519
    /// over the SHA-256 hash of the data (RFC 8463 §3: "the hash is signed").
    ///
    /// - Throws: ``DKIMError/crypto(operation:reason:)`` when libcrypto fails.
    public func sign(_ data: UnsafeRawBufferPointer) throws(DKIMError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw .crypto(operation: "allocate a signing context", reason: DKIMKey.libcryptoError()) }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: Int(EVP_PKEY_get_size(key)))
        var length = signature.count
        let status: Int32
        switch algorithm {
        case .rsaSHA256:
            guard EVP_DigestSignInit(context, nil, DKIMKey.sha256, nil, key) == 1 else {
                throw .crypto(operation: "start an RSA signature", reason: DKIMKey.libcryptoError())
            }
            status = signature.withUnsafeMutableBufferPointer { output in
                EVP_DigestSign(context, output.baseAddress, &length, data.bindMemory(to: UInt8.self).baseAddress, data.count)
            }
        case .ed25519SHA256:
            var digest = DKIMKey.sha256(data)
            guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else {
                throw .crypto(operation: "start an Ed25519 signature", reason: DKIMKey.libcryptoError())
            }
            status = signature.withUnsafeMutableBufferPointer { output in
                digest.withUnsafeMutableBufferPointer { EVP_DigestSign(context, output.baseAddress, &length, $0.baseAddress, $0.count) }
            }
        }
        guard status == 1 else { throw .crypto(operation: "sign with \(file)", reason: DKIMKey.libcryptoError()) }
        signature.removeLast(signature.count - length)
        return signature
    }

    /// SHA-256, fetched once: in OpenSSL 3 `EVP_sha256()` looks the implementation up on every use.
    nonisolated(unsafe) static let sha256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    /// The SHA-256 of `data`.
    public static func sha256(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = digest.withUnsafeMutableBufferPointer { EVP_Digest(data.baseAddress, data.count, $0.baseAddress, &length, sha256, nil) }
        return digest
    }

    /// The SHA-256 of the pieces `feed` gives, hashed as they come.
    public static func sha256(streaming feed: ((UnsafeBufferPointer<UInt8>) -> Void) -> Void) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        guard let context = EVP_MD_CTX_new() else { return digest }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, sha256, nil)
        feed { piece in _ = EVP_DigestUpdate(context, piece.baseAddress, piece.count) }
        var length: UInt32 = 0
        _ = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return digest
    }

    /// A new private key in PEM (PKCS #8): RSA of `bits` bits, or Ed25519.
    ///
    /// - Throws: ``DKIMError/crypto(operation:reason:)`` when libcrypto fails.
    public static func generatePEM(_ algorithm: Algorithm, bits: Int = 2048) throws(DKIMError) -> [UInt8] {
        let type = algorithm == .rsaSHA256 ? EVP_PKEY_RSA : EVP_PKEY_ED25519
        guard let context = EVP_PKEY_CTX_new_id(type, nil) else { throw .crypto(operation: "make a key context", reason: libcryptoError()) }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw .crypto(operation: "start making a key", reason: libcryptoError()) }
        if algorithm == .rsaSHA256 {
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1 else {
                throw .crypto(operation: "set the RSA key size to \(bits)", reason: libcryptoError())
            }
        }
        var made: OpaquePointer?
        guard EVP_PKEY_generate(context, &made) == 1, let key = made else { throw .crypto(operation: "make a key", reason: libcryptoError()) }
        defer { EVP_PKEY_free(key) }
        guard let bio = BIO_new(BIO_s_mem()) else { throw .crypto(operation: "allocate memory", reason: libcryptoError()) }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else {
            throw .crypto(operation: "write the key as PEM", reason: libcryptoError())
        }
        var pem = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let read = pem.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
        guard read == pem.count else { throw .crypto(operation: "read the PEM key back", reason: libcryptoError()) }
        return pem
    }

    private static func publicKey(_ key: OpaquePointer, algorithm: Algorithm) -> [UInt8]? {
        switch algorithm {
        case .rsaSHA256:
            let length = i2d_PUBKEY(key, nil)
            guard length > 0 else { return nil }
            var der = [UInt8](repeating: 0, count: Int(length))
            let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
                var cursor = buffer.baseAddress
                return i2d_PUBKEY(key, &cursor)
            }
            return written == length ? der : nil
        case .ed25519SHA256:
            var raw = [UInt8](repeating: 0, count: 32)
            var length = raw.count
            guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1, length == 32 else { return nil }
            return raw
        }
    }

    private static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// The oldest error on this thread's libcrypto error queue, and the queue cleared.
    static func libcryptoError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no detail from libcrypto" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
