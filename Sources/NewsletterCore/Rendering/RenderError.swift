/// A template problem, naming the file at fault.
public enum RenderError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The templates folder does not exist or cannot be read.
    case missingDirectory(String)
    /// A template the configuration names has no file.
    case missingTemplate(name: String, expectedFile: String)
    /// A template does not parse.
    case syntax(file: String, line: Int, column: Int, message: String)
    /// A template that must render to something usable did not (an unsubscribe URL that is not https, say).
    case invalidOutput(source: String, reason: String)

    public var description: String {
        switch self {
        case .missingDirectory(let path): return "\(path): the templates folder does not exist or cannot be read"
        case .missingTemplate(let name, let file): return "\(file): no such template (the configuration names the template '\(name)')"
        case .syntax(let file, let line, let column, let message): return "\(file):\(line):\(column): \(message)"
        case .invalidOutput(let source, let reason): return "\(source): \(reason)"
        }
    }
}
