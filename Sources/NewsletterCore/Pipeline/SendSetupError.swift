/// A `send` problem found before anything was sent: a missing section, secret or password.
public enum SendSetupError: Error, Equatable, CustomStringConvertible, Sendable {
    case missing(file: String, what: String)

    public var description: String {
        switch self {
        case .missing(let file, let what): return "\(file): \(what)"
        }
    }
}
