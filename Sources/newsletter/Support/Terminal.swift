import ArgumentParser
import Foundation
import NewsletterCore
import NewsletterServer

#if canImport(Glibc)
    import Glibc
#endif

/// Diagnostics on stderr and the mapping from library errors to exit codes.
enum Terminal {
    /// Writes one line to stderr.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func warning(_ line: String) {
        error("warning: " + line)
    }

    /// Prints `error` as one line and returns the exit code it maps to.
    static func fail(_ error: any Error) -> ExitCode {
        Terminal.error("error: \(error)")
        return exitCode(for: error)
    }

    /// The one map from library errors to exit codes (sysexits): 65 for bad input data, 75 for "try again later",
    /// 1 for everything else.
    static func exitCode(for error: any Error) -> ExitCode {
        switch error {
        case is ConfigurationError, is RenderError, is SubscriberListError, is SecretError, is EmailAddressError, is JSONSyntaxError,
            is SubscriberFileEditor.EditError, is SendSetupError, is ArchiveError:
            return ExitCode(65)
        case let error as MailboxError:
            switch error {
            case .notConfigured, .noStateDirectory, .noPassword: return ExitCode(65)
            default: return ExitCode(1)
            }
        case is FileLock.LockError:
            return ExitCode(75)
        default:
            return ExitCode(1)
        }
    }

    /// Untrusted text (a From, a Subject) in double quotes, fit for one line of a terminal: no control character,
    /// at most 120 characters.
    static func quoted(_ text: String) -> String {
        let line = Sanitize.collapsedLine(text)
        return "\"" + (line.count > 120 ? String(line.prefix(117)) + "..." : line) + "\""
    }

    /// Writes bytes to a file, or prints the error and exits 1.
    static func write(_ bytes: [UInt8], to path: String) throws {
        do {
            try FileSystem.writeAtomically(bytes, to: path)
        } catch {
            throw fail(error)
        }
    }
}
