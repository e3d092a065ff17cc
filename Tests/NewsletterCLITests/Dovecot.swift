import Foundation
import Testing

/// A real Dovecot IMAP server on loopback for one test (Debian `dovecot-imapd`): its own configuration, passwd-file
/// users and Maildir in a temporary folder, run in the foreground and stopped by PID when the test ends.
///
/// When the tests run as root, mail is owned by an unprivileged uid (65534): Dovecot refuses a userdb uid of 0.
/// With `tls`, it offers STARTTLS on the plain port and implicit TLS on a second port, with a certificate for
/// localhost and 127.0.0.1 that the client trusts as its CA file.
final class DovecotServer {
    let process = Process()
    let directory: String
    let port: Int
    let tlsPort: Int
    let certificate: String?
    let uid: uid_t
    let gid: gid_t
    static let binary = "/usr/sbin/dovecot"

    init(directory: String, users: [String: String], tls: Bool) throws {
        guard FileManager.default.isExecutableFile(atPath: DovecotServer.binary) else {
            throw TestSetupError("\(DovecotServer.binary) is missing: install Debian's dovecot-imapd (scripts/install-deps does)")
        }
        self.directory = directory
        let isRoot = getuid() == 0
        uid = isRoot ? 65534 : getuid()
        gid = isRoot ? 65534 : getgid()
        let user = isRoot ? "nobody" : (ProcessInfo.processInfo.environment["USER"] ?? "nobody")
        port = try SmtpSink.freePort()
        var tlsPort = try SmtpSink.freePort()
        while tlsPort == port { tlsPort = try SmtpSink.freePort() }
        self.tlsPort = tlsPort
        for folder in ["base", "state", "mail"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
        }
        chmod(directory, 0o755)
        try users.map { "\($0.key):{PLAIN}\($0.value)" }.joined(separator: "\n").appending("\n")
            .write(toFile: directory + "/passwd", atomically: true, encoding: .utf8)
        var tlsSettings = "ssl = no\n"
        if tls {
            let (cert, key) = try makeCertificate(in: directory)
            certificate = cert
            tlsSettings = "ssl = yes\nssl_cert = <\(cert)\nssl_key = <\(key)\n"
        } else {
            certificate = nil
        }
        let config = """
            base_dir = \(directory)/base
            state_dir = \(directory)/state
            log_path = \(directory)/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            \(tlsSettings)
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            auth_failure_delay = 0
            mail_location = maildir:\(directory)/mail/%u/Maildir
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u \(directory)/passwd
            }
            userdb {
              driver = static
              args = uid=\(uid) gid=\(gid) home=\(directory)/mail/%u
            }
            service imap-login {
              chroot =
              inet_listener imap {
                address = 127.0.0.1
                port = \(port)
              }
              inet_listener imaps {
                address = 127.0.0.1
                port = \(tls ? tlsPort : 0)
              }
            }
            service anvil {
              chroot =
            }
            service stats {
              chroot =
            }
            default_internal_user = \(user)
            default_login_user = \(user)

            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        for name in users.keys { try makeMaildir(name) }
        // The test runner blocks most signals and a child inherits the mask, which would leave Dovecot deaf to
        // SIGTERM: start it through Python with the mask cleared.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
            DovecotServer.binary, "-F", "-c", configPath,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if SmtpSink.canConnect(port) && (!tls || SmtpSink.canConnect(tlsPort)) { return }
            Thread.sleep(forTimeInterval: 0.025)
        }
        let log = (try? String(contentsOfFile: directory + "/dovecot.log", encoding: .utf8)) ?? ""
        throw TestSetupError("dovecot did not start on port \(port): \(log)")
    }

    var configPath: String { directory + "/dovecot.conf" }

    deinit {
        // SIGTERM lets the master stop its children (about a second); SIGKILL only if it hangs.
        process.terminate()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 10, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()
    }

    func maildir(_ user: String) -> String { directory + "/mail/\(user)/Maildir" }

    private func makeMaildir(_ user: String) throws {
        var path = directory + "/mail"
        for component in [user, "Maildir"] {
            path += "/" + component
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            chown(path, uid, gid)
        }
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(atPath: path + "/" + sub, withIntermediateDirectories: true)
            chown(path + "/" + sub, uid, gid)
        }
    }

    /// Puts a message into the user's INBOX, as a delivery agent does: a file in Maildir/new.
    func deliver(_ bytes: [UInt8], to user: String) throws {
        let name = "\(Int(Date().timeIntervalSince1970)).\(UUID().uuidString).test"
        let temporary = maildir(user) + "/tmp/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        chown(temporary, uid, gid)
        try FileManager.default.moveItem(atPath: temporary, toPath: maildir(user) + "/new/" + name)
    }

    /// The UIDs of the user's messages in `folder` that match an IMAP search, through `doveadm`.
    func search(_ user: String, folder: String = "INBOX", _ query: String) throws -> [Int] {
        let result = try CLI.runProcess(
            "/usr/bin/doveadm", ["-c", configPath, "search", "-u", user, "mailbox", folder] + query.split(separator: " ").map(String.init))
        guard result.status == 0 else { throw TestSetupError("doveadm search failed: \(result.stderr)") }
        return result.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
    }
}
