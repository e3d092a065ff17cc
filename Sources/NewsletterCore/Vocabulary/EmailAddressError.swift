/// Why a text is not a usable email address.
public enum EmailAddressError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The address and the rule it breaks.
    case invalid(String, String)

    public var description: String {
        switch self {
        case .invalid(let address, let reason): return "'\(Sanitize.printable(address))' is not a valid email address: \(reason)"
        }
    }
}
