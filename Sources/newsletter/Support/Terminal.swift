import ArgumentParser
import Foundation
import NewsletterCore
import NewsletterServer

#if canImport(Glibc)
    import Glibc
#endif

/// Diagnostics on stderr and the mapping from library errors to exit codes.
enum Terminal {
    /// Writes one line to stderr, made safe by ``printable(_:)``.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((printable(line) + "\n").utf8))
    }

    /// Writes one line of product (a summary, a listing) to stdout, made safe by ``printable(_:)``.
    static func output(_ line: String) {
        FileHandle.standardOutput.write(Data((printable(line) + "\n").utf8))
    }

    /// The one form every message takes before it reaches a terminal: each control character other than the line
    /// breaks between lines is quoted (`\u{1b}`, as `ls` and git quote them), so that a file name, a URL or a
    /// list value cannot move the cursor, recolour or retitle the terminal; and no URL shows a user name or
    /// password (`smtp://user:pw@host` is shown as `smtp://host`).
    static func printable(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Sanitize.printable(Sanitize.withoutCredentials(String($0))) }
            .joined(separator: "\n")
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
        case let error as DKIMError:
            switch error {
            case .exists, .unwritable, .crypto: return ExitCode(1)
            default: return ExitCode(65)
            }
        case is FileLock.LockError:
            return ExitCode(75)
        case is FeedError:
            return ExitCode(1)  // A feed that cannot be fetched or read: the others still make the digest.
        case let error as DeliveryError:
            if case .configuration = error { return ExitCode(65) }
            return ExitCode(1)
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
