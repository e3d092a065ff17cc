/// A configuration file that cannot be used, with the file and the key at fault.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file cannot be read.
    case unreadable(file: String, reason: String)
    /// The file is not valid JSON.
    case syntax(file: String, JSONSyntaxError)
    /// A required key is missing.
    case missingKey(file: String, key: String)
    /// A key holds the wrong type of value.
    case wrongType(file: String, key: String, expected: String, found: String)
    /// A key the tool does not know (a typo, usually).
    case unknownKey(file: String, key: String)
    /// A key's value is of the right type but not usable.
    case invalidValue(file: String, key: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read the configuration: \(reason)"
        case .syntax(let file, let error): return "\(file):\(error.line):\(error.column): \(error.message)"
        case .missingKey(let file, let key): return "\(file): missing key `\(key)`"
        case .wrongType(let file, let key, let expected, let found): return "\(file): `\(key)` must be \(expected), found \(found)"
        case .unknownKey(let file, let key): return "\(file): unknown key `\(key)`"
        case .invalidValue(let file, let key, let reason): return "\(file): `\(key)`: \(reason)"
        }
    }
}
