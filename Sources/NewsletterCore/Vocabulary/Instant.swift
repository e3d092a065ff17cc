import Foundation

/// The one way an instant is written and read in files, JSON and messages: ISO 8601 in UTC with whole seconds
/// (`2024-02-02T08:00:00Z`).
public enum Instant {
    /// `date` as `yyyy-MM-ddTHH:mm:ssZ`.
    public static func iso(_ date: Date) -> String {
        formatter().string(from: date)
    }

    /// The instant written as ISO 8601 with a zone (`Z` or `±hh:mm`), or nil when `text` is not one.
    public static func parse(_ text: String) -> Date? {
        formatter().date(from: text)
    }

    /// An instant as a person types it: ISO 8601 with or without fractional seconds, or a bare date (midnight
    /// UTC), as `--now` takes it.
    public static func parseGiven(_ text: String) -> Date? {
        let formatter = formatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        // A bare date only when that is all there is: the formatter would take "2024-02-02T08:00" or
        // "2024-02-02garbage" for midnight too, and a digest of another day with no word said.
        let isBareDate = text.utf8.count == 10 && text.utf8.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard isBareDate else { return nil }
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)
    }

    /// ISO8601DateFormatter is not Sendable: one per call is cheap next to what every caller does with it.
    private static func formatter() -> ISO8601DateFormatter {
        ISO8601DateFormatter()
    }
}
