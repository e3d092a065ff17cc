/// Why the mailbox could not be read, with the server, folder or key at fault.
public enum MailboxError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The configuration has no `mailbox` section.
    case notConfigured(file: String)
    /// The configuration has no `state.directory`, where soft bounces are counted and opt-outs journaled.
    case noStateDirectory(file: String)
    /// `mailbox.username` is set but neither `passwordEnv` nor `passwordFile` gives a password.
    case noPassword(file: String)
    /// curl could not be set up.
    case setup(String)
    /// The server could not be reached, or TLS failed.
    case connection(url: String, detail: String)
    /// The server refused the login.
    case loginDenied(url: String, username: String)
    /// The server refused or failed a command.
    case command(url: String, command: String, detail: String)

    public var description: String {
        switch self {
        case .notConfigured(let file): return "\(file): missing key `mailbox` (the IMAP mailbox to read; see config.example.json)"
        case .noStateDirectory(let file):
            return "\(file): missing key `state.directory`: the mailbox reader counts soft bounces and journals opt-outs there"
        case .noPassword(let file):
            return "\(file): mailbox.username is set but no password: set the variable named by mailbox.passwordEnv, or mailbox.passwordFile"
        case .setup(let detail): return "cannot set up curl: \(detail)"
        case .connection(let url, let detail): return "mailbox \(url): \(detail)"
        case .loginDenied(let url, let username):
            return "mailbox \(url): the server refused the login of \(username); check mailbox.username and the password (mailbox.passwordEnv or mailbox.passwordFile)"
        case .command(let url, let command, let detail): return "mailbox \(url): \(command) failed: \(detail)"
        }
    }
}
