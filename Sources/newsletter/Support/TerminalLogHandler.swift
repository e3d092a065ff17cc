import Foundation
import Logging

/// The CLI's log output: each message as it is, one line (or block of lines) on stderr, with the level in front
/// for warnings and errors. The core logs through swift-log; only the executable decides where that goes.
struct TerminalLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix: String
        switch event.level {
        case .warning: prefix = "warning: "
        case .error, .critical: prefix = "error: "
        default: prefix = ""
        }
        FileHandle.standardError.write(Data((Terminal.printable(prefix + event.message.description) + "\n").utf8))
    }
}
