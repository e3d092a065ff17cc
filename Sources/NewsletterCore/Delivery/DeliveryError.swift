/// A failure that stops a whole delivery run: nothing more can be sent until the cause is fixed.
public enum DeliveryError: Error, Equatable, CustomStringConvertible, Sendable {
    /// libcurl could not be set up.
    case setup(String)
    /// The server cannot be reached.
    case connection(server: String, detail: String)
    /// TLS failed: STARTTLS not offered, or the certificate is not trusted or does not match.
    case tls(server: String, detail: String)
    /// The server refused the credentials, or requires authentication that is not configured.
    case authentication(server: String, detail: String)
    /// The server refused the envelope sender.
    case senderRejected(server: String, detail: String)
    /// The configuration cannot work with this libcurl (a URL or option it refuses, an unreadable CA file).
    case configuration(server: String, detail: String)
    /// Any other failure that stops the run: a code this tool does not expect from an SMTP transfer.
    case stopped(server: String, detail: String)
    /// Every relay of `smtp.relays` failed three times in a row and is set aside.
    case allRelaysFailed(detail: String)
    /// Too many recipients in a row failed permanently: something is wrong with every message.
    case tooManyFailures(count: Int, lastReply: String)

    public var description: String {
        switch self {
        case .setup(let detail): return "cannot set up libcurl: \(detail)"
        case .connection(let server, let detail): return "cannot connect to \(server): \(detail)"
        case .tls(let server, let detail): return "TLS with \(server) failed: \(detail); check smtp.security and smtp.caFile"
        case .authentication(let server, let detail): return "\(server) refused the login: \(detail); check smtp.username and the password"
        case .senderRejected(let server, let detail): return "\(server) refused the envelope sender: \(detail); check smtp.envelopeFrom / newsletter.from"
        case .configuration(let server, let detail): return "the settings for \(server) do not work: \(detail); check the smtp section of the configuration"
        case .stopped(let server, let detail): return "sending through \(server) failed: \(detail); stopping"
        case .allRelaysFailed(let detail): return "every relay failed and is set aside: \(detail)"
        case .tooManyFailures(let count, let reply): return "\(count) recipients in a row failed permanently (last reply: \(reply)); stopping"
        }
    }
}
