/// A syntax error in a JSON text, with its 1-based line and column.
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible, Sendable {
    /// 1-based line of the offending character.
    public var line: Int
    /// 1-based column (in characters) of the offending character.
    public var column: Int
    /// What was wrong, e.g. "unexpected ']'".
    public var message: String

    public var description: String { "\(line):\(column): \(message)" }
}
