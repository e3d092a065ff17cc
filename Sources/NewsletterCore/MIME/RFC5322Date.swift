import Foundation

/// The RFC 5322 §3.3 date-time, always in English and with a numeric zone, whatever the system locale.
public enum RFC5322Date {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formats `date` as `Fri, 02 Feb 2024 08:00:00 +0000` in `timeZone`.
    public static func string(from date: Date, timeZone: TimeZone) -> String {
        let offsetSeconds = timeZone.secondsFromGMT(for: date)
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + offsetSeconds
        let days = Int((Double(local) / 86_400).rounded(.down))
        let secondsOfDay = local - days * 86_400
        let (year, month, day) = CivilDate.from(daysSinceEpoch: days)
        let weekday = weekdays[((days % 7) + 7) % 7]
        let sign = offsetSeconds < 0 ? "-" : "+"
        let offsetMinutes = abs(offsetSeconds) / 60
        return "\(weekday), \(pad(day)) \(months[month - 1]) \(year) "
            + "\(pad(secondsOfDay / 3600)):\(pad(secondsOfDay / 60 % 60)):\(pad(secondsOfDay % 60)) "
            + "\(sign)\(pad(offsetMinutes / 60))\(pad(offsetMinutes % 60))"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
