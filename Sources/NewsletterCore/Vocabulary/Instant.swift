import Foundation

/// The one way an instant is written and read in files, JSON and messages: ISO 8601 in UTC with whole seconds
/// (`2024-02-02T08:00:00Z`).
public enum Instant {
    /// `date` as `yyyy-MM-ddTHH:mm:ssZ`.
    public static func iso(_ date: Date) -> String {
        canonical(date) ?? formatter().string(from: date)
    }

    /// `date` written without a formatter, for the years 1 to 9999 (the formatter otherwise): whole seconds,
    /// rounded down, as ISO8601DateFormatter writes them.
    static func canonical(_ date: Date) -> String? {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, interval > -62_135_596_800, interval < 253_402_300_800 else { return nil }
        let seconds = Int(interval.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let (year, month, day) = CivilDate.from(daysSinceEpoch: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(time / 3600)):\(two(time % 3600 / 60)):\(two(time % 60))Z"
    }

    /// The instant written as ISO 8601 with a zone (`Z` or `±hh:mm`), or nil when `text` is not one.
    public static func parse(_ text: String) -> Date? {
        if let date = parseCanonical(text) { return date }
        return formatter().date(from: text)
    }

    /// The form this tool writes, `yyyy-MM-ddTHH:mm:ssZ` with every field in range, read without a formatter
    /// (making an ISO8601DateFormatter costs more than a journal line is worth: the suppression journal is read
    /// on every list transaction). Nil for anything else, which the formatter then reads.
    static func parseCanonical(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard b[index] >= 0x30, b[index] <= 0x39 else { return nil }
                value = value * 10 + Int(b[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), year >= 1, (1...12).contains(month), hour < 24, minute < 60, second < 60
        else { return nil }
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= lengths[month - 1] else { return nil }
        // Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
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
