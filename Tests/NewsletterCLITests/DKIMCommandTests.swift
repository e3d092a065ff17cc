import Foundation
import Testing

/// DKIM end to end: keys made with `openssl genpkey`, a real send captured by aiosmtpd, and every message checked by
/// two independent verifiers given the public keys directly (no DNS): dkimpy (Debian python3-dkim) and Perl's
/// Mail::DKIM (Debian libmail-dkim-perl). Mail::DKIM 1.20230212 does not know ed25519-sha256 (see
/// shared FIELD-NOTES): it must say so, and dkimpy alone judges Ed25519.
@Suite(.serialized)
struct DKIMCommandTests {
    /// A key made for one test, with its DNS record computed by openssl (not by the tool under test).
    struct TestKey {
        var selector: String
        var file: String
        var record: String
        var algorithm: String

        init(selector: String, type: String, in folder: String) throws {
            self.selector = selector
            file = folder + "/\(selector).pem"
            if type == "rsa" {
                try DKIMCommandTests.run("/usr/bin/openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file])
                algorithm = "rsa-sha256"
            } else {
                try DKIMCommandTests.run("/usr/bin/openssl", ["genpkey", "-algorithm", "ED25519", "-out", file])
                algorithm = "ed25519-sha256"
            }
            let der = try DKIMCommandTests.run("/usr/bin/openssl", ["pkey", "-in", file, "-pubout", "-outform", "DER"])
            // RSA: the SubjectPublicKeyInfo; Ed25519: the 32 raw octets at its end (RFC 8463 §4).
            let publicKey = type == "rsa" ? der : der.suffix(32)
            record = "v=DKIM1; k=\(type); p=" + publicKey.base64EncodedString()
        }

        var keyArgument: String { "\(selector)._domainkey.example.org=\(record)" }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) failed") }
        return data
    }

    /// One verifier's lines for `files`: file, selector, algorithm, result (and detail).
    static func verify(_ verifier: String, keys: [TestKey], files: [String]) throws -> [[String]] {
        let script = CLI.repositoryRoot + "/Tests/Support/" + verifier
        let interpreter = verifier.hasSuffix(".py") ? "/usr/bin/python3" : "/usr/bin/perl"
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            throw TestSetupError("\(interpreter) is missing: install Debian's python3-dkim and libmail-dkim-perl (scripts/install-deps does)")
        }
        let result = try CLI.runProcess(interpreter, [script] + keys.flatMap { ["--key", $0.keyArgument] } + files)
        guard result.stderr.isEmpty || !result.stderr.contains("Can't locate") && !result.stderr.contains("ModuleNotFoundError") else {
            throw TestSetupError("\(verifier) cannot run (install python3-dkim, python3-nacl and libmail-dkim-perl): \(result.stderr)")
        }
        return result.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// A send fixture whose digest has a Chinese title and subject, Chinese and very long subscriber names, and a
    /// `dkim` section with `keys`.
    static func fixture(port: Int, keys: [TestKey], subscribers: Int = 6) throws -> SendFixture {
        let fixture = try SendFixture(subscribers: subscribers, smtp: SendCommandTests.plain(port, ", \"connections\": 2"))
        let names = ["张伟", "欧阳娜娜", "Zoë Ångström-Øberg", "李" + String(repeating: "长名字", count: 15), "Mary Ann \"Molly\" O'Neil-Fitzgerald, Esq.", "王小明"]
        let list = "[\n" + (1...subscribers).map { "  { \"email\": \"user\($0)@example.com\", \"name\": \(JSONString(names[($0 - 1) % names.count])) }" }
            .joined(separator: ",\n") + "\n]\n"
        try list.write(toFile: fixture.subscribers, atomically: true, encoding: .utf8)
        var config = try String(contentsOfFile: fixture.config, encoding: .utf8)
        config = config.replacingOccurrences(of: "\"title\": \"Daily Digest\"", with: "\"title\": \"每日文摘：科技、设计与开源软件的最新动态汇总\"")
        config = config.replacingOccurrences(of: "\"from\": \"Daily Digest <digest@example.org>\"", with: "\"from\": \"每日文摘编辑部 <digest@example.org>\"")
        config = config.replacingOccurrences(of: "\"subject\": \"{{title}} — {{date}}\"", with: "\"subject\": \"{{title}}（{{date}}）：本期共有 {{articleCount}} 篇新文章\"")
        let signatures = keys.map { "{\"selector\": \"\($0.selector)\", \"privateKeyFile\": \"\($0.file)\"}" }.joined(separator: ", ")
        config = config.replacingOccurrences(of: "\"state\": {", with: "\"dkim\": {\"domain\": \"example.org\", \"signatures\": [\(signatures)]},\n  \"state\": {")
        try config.write(toFile: fixture.config, atomically: true, encoding: .utf8)
        return fixture
    }

    static func JSONString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Checks that each file passes both verifiers for each key (Ed25519: dkimpy; Mail::DKIM reports it unsupported).
    static func expectVerified(_ files: [String], keys: [TestKey], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let python = try verify("dkim_verify.py", keys: keys, files: files)
        let perl = try verify("dkim_verify.pl", keys: keys, files: files)
        #expect(python.count == files.count * keys.count, "dkimpy: \(python)", sourceLocation: sourceLocation)
        #expect(perl.count == files.count * keys.count, "Mail::DKIM: \(perl)", sourceLocation: sourceLocation)
        for file in files {
            for key in keys {
                let fromPython = python.first { $0[0] == file && $0[1] == key.selector }
                #expect(fromPython.map { Array($0[2...3]) } == [key.algorithm, "pass"], "dkimpy on \(file): \(fromPython ?? [])", sourceLocation: sourceLocation)
                let fromPerl = perl.first { $0[0] == file && $0[1] == key.selector }
                let expected = key.algorithm == "rsa-sha256" ? "pass" : "invalid"
                #expect(fromPerl.map { Array($0[2...3]) } == [key.algorithm, expected], "Mail::DKIM on \(file): \(fromPerl ?? [])", sourceLocation: sourceLocation)
                if key.algorithm != "rsa-sha256" {
                    #expect(fromPerl?.last?.contains("unsupported algorithm ed25519-sha256") == true, sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test("Every message of a real send verifies with dkimpy and Mail::DKIM", arguments: ["rsa", "ed25519", "dual"])
    func sendVerifies(_ kind: String) throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var keys: [TestKey] = []
        if kind != "ed25519" { keys.append(try TestKey(selector: "rsa2026", type: "rsa", in: folder)) }
        if kind != "rsa" { keys.append(try TestKey(selector: "ed2026", type: "ed25519", in: folder)) }
        let server = try AiosmtpdServer(directory: folder + "/server")
        let fixture = try Self.fixture(port: server.port, keys: keys)
        defer { fixture.remove() }

        let result = try fixture.send()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sent 6, failed 0, pending 0"), "\(result.stdout)")
        let files = server.received().map { folder + "/server/" + $0.file }
        #expect(files.count == 6)
        try Self.expectVerified(files, keys: keys)

        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            // Signatures first, folded under 78 characters, one per key, with the agreed h= list.
            #expect(text.hasPrefix("DKIM-Signature: v=1; a=\(keys[0].algorithm); c=relaxed/relaxed; d=example.org;"))
            #expect(text.components(separatedBy: "\r\nDKIM-Signature: ").count == keys.count)
            let header = text.components(separatedBy: "\r\n\r\n")[0]
            let signatureLines = header.components(separatedBy: "\r\n").prefix { !$0.hasPrefix("From:") }
            #expect(signatureLines.allSatisfy { $0.utf8.count <= 78 }, "\(signatureLines)")
            #expect(header.replacingOccurrences(of: "\r\n ", with: " ").contains(
                "h=from:from:to:subject:date:message-id:mime-version: content-type:list-id:list-unsubscribe:list-unsubscribe-post;"))
            // The message really has the long folded fields the test is about.
            #expect(header.contains("\r\nSubject: =?UTF-8?B?") && header.contains("?=\r\n =?UTF-8?B?"))
        }
        #expect(try files.filter { try String(contentsOfFile: $0, encoding: .utf8).contains("\r\nTo: =?UTF-8?B?") }.count >= 4)
        let longName = try #require(files.first { (try? String(contentsOfFile: $0, encoding: .utf8))?.contains("user4@example.com") == true })
        let toField = try String(contentsOfFile: longName, encoding: .utf8).components(separatedBy: "\r\nTo: ")[1].components(separatedBy: "\r\nSubject:")[0]
        #expect(toField.components(separatedBy: "\r\n ").count > 2, "the long name should fold over several lines: \(toField)")
    }

    @Test("One changed body byte, one changed signed header, or an added From fails both verifiers")
    func tampering() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let keys = [try TestKey(selector: "rsa1", type: "rsa", in: folder), try TestKey(selector: "ed1", type: "ed25519", in: folder)]
        let server = try AiosmtpdServer(directory: folder + "/server")
        let fixture = try Self.fixture(port: server.port, keys: keys, subscribers: 1)
        defer { fixture.remove() }
        let result = try fixture.send()
        #expect(result.status == 0, "\(result.stderr)")
        let original = try #require(server.received().first.map { folder + "/server/" + $0.file })
        try Self.expectVerified([original], keys: keys)

        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: original)))
        let text = String(decoding: bytes, as: UTF8.self)
        var tampered: [(String, [UInt8])] = []
        // One byte of the HTML part's base64 (a line in the middle of the body), flipped between two letters.
        let bodyStart = try #require(text.range(of: "\r\n\r\n")).upperBound.utf16Offset(in: text)
        let middle = bodyStart + (bytes.count - bodyStart) * 2 / 3
        var oneByte = bytes
        let index = try #require((middle..<bytes.count).first { bytes[$0] >= 0x61 && bytes[$0] <= 0x79 })
        oneByte[index] += 1
        tampered.append(("body", oneByte))
        let subject = try #require(text.range(of: "\r\nSubject: =?UTF-8?B?"))
        tampered.append(("subject", Array(text.replacingCharacters(in: subject, with: "\r\nSubject: =?UTF-8?b?").utf8)))
        tampered.append(("date", Array(text.replacingOccurrences(of: "\r\nDate: Fri, 02 Feb 2024 08:00:00", with: "\r\nDate: Fri, 02 Feb 2024 08:00:01").utf8)))
        tampered.append(("unsubscribe", Array(text.replacingOccurrences(of: "List-Unsubscribe: <https://example.org/", with: "List-Unsubscribe: <https://evil.example/").utf8)))
        tampered.append(("added From", Array(text.replacingOccurrences(of: "\r\nFrom: ", with: "\r\nFrom: attacker@evil.example\r\nFrom: ").utf8)))
        for (name, changed) in tampered {
            #expect(changed != bytes, "\(name): nothing changed")
            let path = folder + "/tampered-\(name.replacingOccurrences(of: " ", with: "-")).eml"
            try Data(changed).write(to: URL(fileURLWithPath: path))
            let python = try Self.verify("dkim_verify.py", keys: keys, files: [path])
            #expect(python.count == 2 && python.allSatisfy { $0[3] == "fail" }, "dkimpy accepted the \(name) change: \(python)")
            let perl = try Self.verify("dkim_verify.pl", keys: keys, files: [path])
            #expect(perl.first { $0[1] == "rsa1" }?[3] == "fail", "Mail::DKIM accepted the \(name) change: \(perl)")
        }
    }

    @Test("preview signs: its .eml verifies with both verifiers, with the edition's t=")
    func previewSigns() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let keys = [try TestKey(selector: "rsa1", type: "rsa", in: folder), try TestKey(selector: "ed1", type: "ed25519", in: folder)]
        let fixture = try Self.fixture(port: 9, keys: keys)
        defer { fixture.remove() }
        let out = folder + "/preview.eml"
        let result = try CLI.run(["preview", "--config", fixture.config, "--now", "2024-02-02T08:00:00Z", "--out", out], environment: ["NEWSLETTER_SECRET": SendFixture.secret])
        #expect(result.status == 0, "\(result.stderr)")
        try Self.expectVerified([out], keys: keys)
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains(" t=1706860800;"))
    }

    @Test("keygen writes a 0600 key, prints its record, refuses to overwrite; dkim record prints the same line")
    func keygenAndRecord() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let rsa = try CLI.run(["dkim", "keygen", "--selector", "s2026", "--domain", "Example.ORG"], directory: folder)
        #expect(rsa.status == 0, "\(rsa.stderr)")
        let lines = rsa.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Wrote dkim-s2026.pem: RSA 2048-bit private key, mode 0600. Publish this DNS TXT record:")
        let record = try #require(lines.dropFirst().first)
        #expect(record.hasPrefix("s2026._domainkey.example.org IN TXT \"v=DKIM1; k=rsa; p=MIIB"))
        let strings = record.components(separatedBy: " IN TXT ")[1].split(separator: "\" \"")
        #expect(strings.count == 2 && strings.allSatisfy { $0.replacingOccurrences(of: "\"", with: "").utf8.count <= 255 })
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/dkim-s2026.pem")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // The record's key is the key's: openssl derives the same SubjectPublicKeyInfo.
        let der = try Self.run("/usr/bin/openssl", ["pkey", "-in", folder + "/dkim-s2026.pem", "-pubout", "-outform", "DER"])
        #expect(strings.joined().replacingOccurrences(of: "\"", with: "").hasSuffix("p=" + der.base64EncodedString()))

        let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/dkim-s2026.pem"))
        let again = try CLI.run(["dkim", "keygen", "--selector", "s2026", "--domain", "example.org"], directory: folder)
        #expect(again.status == 1)
        #expect(again.stderr == "error: dkim-s2026.pem: already exists; not overwritten (choose another --out, or remove the file first)\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/dkim-s2026.pem")) == before)

        let ed = try CLI.run(["dkim", "keygen", "--selector", "ed2026", "--type", "ed25519", "--out", folder + "/ed.pem", "--domain", "example.org"])
        #expect(ed.status == 0, "\(ed.stderr)")
        let edRecord = try #require(ed.stdout.split(separator: "\n").dropFirst().first.map(String.init))
        #expect(edRecord.hasPrefix("ed2026._domainkey.example.org IN TXT \"v=DKIM1; k=ed25519; p="))
        #expect(edRecord.utf8.count < 120)

        // dkim record prints the same lines from the configuration.
        let fixture = try SendFixture(subscribers: 1, smtp: SendCommandTests.plain(9))
        defer { fixture.remove() }
        var config = try String(contentsOfFile: fixture.config, encoding: .utf8)
        config = config.replacingOccurrences(
            of: "\"state\": {",
            with: "\"dkim\": {\"domain\": \"example.org\", \"signatures\": [{\"selector\": \"s2026\", \"privateKeyFile\": \"\(folder)/dkim-s2026.pem\"}, "
                + "{\"selector\": \"ed2026\", \"privateKeyFile\": \"\(folder)/ed.pem\"}]},\n  \"state\": {")
        try config.write(toFile: fixture.config, atomically: true, encoding: .utf8)
        let printed = try CLI.run(["dkim", "record", "--config", fixture.config])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout == record + "\n" + edRecord + "\n")

        for (arguments, message) in [
            (["--selector", "s1", "--bits", "1024"], "--bits 1024: use 2048 to 4096"),
            (["--selector", "s1", "--type", "ed25519", "--bits", "2048"], "--bits is for RSA keys"),
            (["--selector", "bad_selector"], "is not a selector"),
        ] {
            let refused = try CLI.run(["dkim", "keygen", "--domain", "example.org"] + arguments, directory: folder)
            #expect(refused.status == 64, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
        }
    }

    @Test("A 1024-bit key, a missing key or an unaligned domain stops send and preview with exit 65 before anything is sent")
    func badKeysRefused() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.run("/usr/bin/openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", folder + "/small.pem"])
        let server = try AiosmtpdServer(directory: folder + "/server")
        let cases: [(String, String)] = [
            ("{\"domain\": \"example.org\", \"signatures\": [{\"selector\": \"s1\", \"privateKeyFile\": \"\(folder)/small.pem\"}]}",
             "error: \(folder)/small.pem: a 1024-bit RSA key is too small for DKIM; use 2048 bits or more (`newsletter dkim keygen --bits 2048`)\n"),
            ("{\"domain\": \"example.org\", \"signatures\": [{\"selector\": \"s1\", \"privateKeyFile\": \"\(folder)/missing.pem\"}]}",
             "error: \(folder)/missing.pem: cannot read the DKIM private key: No such file or directory\n"),
            ("{\"domain\": \"example.net\", \"signatures\": [{\"selector\": \"s1\", \"privateKeyFile\": \"\(folder)/small.pem\"}]}",
             "d=example.net is not aligned with the From domain example.org"),
        ]
        for (dkim, message) in cases {
            let fixture = try SendFixture(subscribers: 2, smtp: SendCommandTests.plain(server.port))
            defer { fixture.remove() }
            var config = try String(contentsOfFile: fixture.config, encoding: .utf8)
            config = config.replacingOccurrences(of: "\"state\": {", with: "\"dkim\": \(dkim),\n  \"state\": {")
            try config.write(toFile: fixture.config, atomically: true, encoding: .utf8)
            let send = try fixture.send()
            #expect(send.status == 65, "\(send.stderr)")
            #expect(send.stderr.contains(message), "\(send.stderr)")
            let preview = try CLI.run(["preview", "--config", fixture.config, "--out", fixture.directory + "/p.eml"])
            #expect(preview.status == 65, "\(preview.stderr)")
            #expect(preview.stderr.contains(message.dropFirst(7).prefix(40)), "\(preview.stderr)")
            #expect(fixture.journal().isEmpty)
        }
        #expect(server.received().isEmpty)
    }

    @Test("A signed send stopped by SIGTERM exits 75 with the signing threads stopped; the resume signs the rest, none twice")
    func sigtermWhileSigning() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let keys = [try TestKey(selector: "rsa1", type: "rsa", in: folder)]
        let server = try AiosmtpdServer(directory: folder + "/server", arguments: ["--delay", "0.01"])
        let fixture = try Self.fixture(port: server.port, keys: keys, subscribers: 150)
        defer { fixture.remove() }
        let first = try fixture.start(output: folder + "/first.out")
        for _ in 0..<200 where fixture.journal().count < 20 { Thread.sleep(forTimeInterval: 0.05) }
        kill(first.processIdentifier, SIGTERM)
        first.waitUntilExit()
        #expect(first.terminationStatus == 75)
        #expect(fixture.journal().count < 150)
        let second = try fixture.send()
        #expect(second.status == 0, "\(second.stderr)")
        let received = server.receivedCounts()
        #expect(received.count == 150 && received.values.allSatisfy { $0 == 1 }, "\(received.filter { $0.value != 1 })")
        // A sample of both runs' messages verifies.
        let files = server.received().map { folder + "/server/" + $0.file }
        try Self.expectVerified([files[0], files[files.count / 2], files[files.count - 1]], keys: keys)
    }
}
