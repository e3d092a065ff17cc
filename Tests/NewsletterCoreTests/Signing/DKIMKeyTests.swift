import Foundation
import NewsletterCore
import Testing

/// Key files: every way a key can be unusable gives an error that names the file. Test keys are made here with
/// `openssl genpkey`.
struct DKIMKeyTests {
    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " ")) failed")
    }

    static func load(_ path: String) -> DKIMError? {
        do {
            _ = try DKIMKey(file: path)
            return nil
        } catch {
            return error
        }
    }

    @Test("RSA 2048 and Ed25519 keys load with their algorithm; each signs")
    func goodKeys() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", folder + "/rsa.pem"])
        try Self.openssl(["genpkey", "-algorithm", "ED25519", "-out", folder + "/ed.pem"])
        let rsa = try DKIMKey(file: folder + "/rsa.pem")
        #expect(rsa.algorithm == .rsaSHA256 && rsa.bits == 2048)
        let ed = try DKIMKey(file: folder + "/ed.pem")
        #expect(ed.algorithm == .ed25519SHA256)
        let data = Array("from:a@example.org\r\n".utf8)
        #expect(try data.withUnsafeBytes { try rsa.sign($0) }.count == 256)
        #expect(try data.withUnsafeBytes { try ed.sign($0) }.count == 64)
        // The record's p=: SubjectPublicKeyInfo for RSA, the 32 raw octets for Ed25519 (RFC 8463 §4).
        #expect(Data(base64Encoded: rsa.publicKeyBase64)?.count == 294)
        #expect(Data(base64Encoded: ed.publicKeyBase64)?.count == 32)
    }

    @Test("Unusable key files: each error names the file")
    func badKeys() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let missing = folder + "/missing.pem"
        guard case .unreadable(missing, _) = Self.load(missing) else { Issue.record("missing file: \(String(describing: Self.load(missing)))"); return }

        try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", folder + "/small.pem"])
        #expect(Self.load(folder + "/small.pem") == .tooSmall(file: folder + "/small.pem", bits: 1024))
        #expect(Self.load(folder + "/small.pem")?.description.contains("small.pem: a 1024-bit RSA key is too small") == true)

        try Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", folder + "/ec.pem"])
        guard case .unsupportedType(folder + "/ec.pem", _) = Self.load(folder + "/ec.pem") else { Issue.record("EC key accepted"); return }

        try Self.openssl(["genpkey", "-algorithm", "ED25519", "-aes-256-cbc", "-pass", "pass:secret", "-out", folder + "/encrypted.pem"])
        #expect(Self.load(folder + "/encrypted.pem") == .encrypted(file: folder + "/encrypted.pem"))

        try Self.openssl(["pkey", "-in", folder + "/ec.pem", "-pubout", "-out", folder + "/public.pem"])
        #expect(Self.load(folder + "/public.pem") == .notAKey(file: folder + "/public.pem", reason: "it holds a public key; the private key is needed"))

        try "not a key\n".write(toFile: folder + "/text.pem", atomically: true, encoding: .utf8)
        guard case .notAKey(folder + "/text.pem", _) = Self.load(folder + "/text.pem") else { Issue.record("text accepted"); return }

        try "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".write(toFile: folder + "/garbled.pem", atomically: true, encoding: .utf8)
        guard case .notAKey(folder + "/garbled.pem", _) = Self.load(folder + "/garbled.pem") else { Issue.record("garbled key accepted"); return }

        try String(repeating: "A", count: DKIMKey.maximumFileSize + 1).write(toFile: folder + "/huge.pem", atomically: true, encoding: .utf8)
        #expect(Self.load(folder + "/huge.pem") == .tooLarge(file: folder + "/huge.pem", size: DKIMKey.maximumFileSize + 1))

        guard case .unreadable(folder, _) = Self.load(folder) else { Issue.record("a folder was read as a key"); return }
    }

    @Test("The DNS record: RSA text split into strings of at most 255 octets")
    func record() throws {
        let key = try DKIMKey(file: Fixtures.directory + "/dkim/test-rsa-2048.pem")
        let record = DKIMRecord(selector: "s1", domain: "example.org", key: key)
        #expect(record.name == "s1._domainkey.example.org")
        #expect(record.text == "v=DKIM1; k=rsa; p=" + key.publicKeyBase64)
        #expect(record.strings.count == 2 && record.strings.allSatisfy { $0.utf8.count <= 255 } && record.strings.joined() == record.text)
        #expect(record.zoneLine == "s1._domainkey.example.org IN TXT \"\(record.strings[0])\" \"\(record.strings[1])\"")
        let ed = DKIMRecord(selector: "e1", domain: "football.example.com", key: try DKIMKey(file: Fixtures.directory + "/dkim/rfc8463-ed25519.pem"))
        #expect(ed.zoneLine == "e1._domainkey.football.example.com IN TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"")
    }
}
