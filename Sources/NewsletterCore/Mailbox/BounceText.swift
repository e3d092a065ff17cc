import Foundation

/// Reads a bounce written for people (a plain-text "Undelivered Mail" notice, or a DSN's diagnostic): is the failure
/// permanent or temporary, and what code says so.
///
/// Status codes decide first (RFC 3463 `5.1.1` beats a bare `550`), then the wording the common servers use
/// (Postfix, Exim, qmail, Sendmail, Microsoft Exchange, Gmail). A delay warning is always temporary.
public enum BounceText {
    /// The verdict on one text.
    public enum Severity: Sendable, Equatable {
        /// A permanent failure, with the code or phrase that says so.
        case permanent(String)
        /// A temporary failure or a delay warning.
        case temporary(String)
        /// Nothing recognisable.
        case unknown
    }

    static let delayPhrases = [
        "delivery has been delayed", "message delayed", "delivery delayed", "will be retried", "will retry", "still trying",
        "delivery is delayed", "has not yet been delivered", "temporary failure", "delivery incomplete", "not yet been delivered",
    ]
    static let permanentPhrases = [
        "user unknown", "unknown user", "no such user", "no such recipient", "does not exist", "doesn't exist",
        "mailbox unavailable", "mailbox not found", "recipient address rejected", "invalid recipient", "no mailbox here",
        "address rejected", "account has been disabled", "account is disabled", "unrouteable address", "not our customer",
        "recipient not found", "address not found", "no longer available", "user doesn't have", "mailbox is disabled",
        "unknown recipient", "the email account that you tried to reach does not exist",
    ]
    static let temporaryPhrases = [
        "mailbox full", "mailbox is full", "over quota", "quota exceeded", "insufficient storage", "out of storage",
        "try again later", "temporarily", "greylist", "too many connections",
    ]

    /// Classifies `text` (a bounce body, or a diagnostic line).
    public static func severity(of text: String) -> Severity {
        let lower = text.lowercased()
        if let phrase = delayPhrases.first(where: lower.contains) { return .temporary(phrase) }
        if let code = enhancedStatus(in: text) {
            return code.hasPrefix("5") ? .permanent(code) : .temporary(code)
        }
        if let phrase = permanentPhrases.first(where: lower.contains) { return .permanent(phrase) }
        if let code = replyCode(in: text) {
            return code.hasPrefix("5") ? .permanent(code) : .temporary(code)
        }
        if let phrase = temporaryPhrases.first(where: lower.contains) { return .temporary(phrase) }
        return .unknown
    }

    nonisolated(unsafe) private static let enhancedPattern = try? NSRegularExpression(pattern: "(?<![0-9.])([45])\\.[0-9]{1,3}\\.[0-9]{1,3}(?![0-9.])")
    nonisolated(unsafe) private static let replyPattern = try? NSRegularExpression(pattern: "(?<![0-9.#])([45][0-9][0-9])(?=[ -][^0-9])")

    /// The first RFC 3463 status of class 4 or 5 in `text`, e.g. `5.1.1`.
    public static func enhancedStatus(in text: String) -> String? {
        firstMatch(enhancedPattern, in: text)
    }

    /// The first SMTP reply code of class 4 or 5 in `text`, e.g. `550`.
    public static func replyCode(in text: String) -> String? {
        firstMatch(replyPattern, in: text)
    }

    private static func firstMatch(_ expression: NSRegularExpression?, in text: String) -> String? {
        guard let expression else { return nil }
        let bounded = String(text.prefix(100_000))
        let range = NSRange(bounded.startIndex..., in: bounded)
        guard let match = expression.firstMatch(in: bounded, range: range), let found = Range(match.range, in: bounded) else { return nil }
        return String(bounded[found])
    }
}
