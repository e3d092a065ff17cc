import Foundation

/// English dates for people (the digest's `{{date}}`, an article's publication time), independent of locale.
public enum DisplayDate {
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let weekdays = ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"]

    struct Parts {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, weekday: Int
    }

    static func parts(_ date: Date, _ zone: TimeZone) -> Parts {
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: date)
        let days = Int((Double(local) / 86_400).rounded(.down))
        let seconds = local - days * 86_400
        let (year, month, day) = CivilDate.from(daysSinceEpoch: days)
        return Parts(year: year, month: month, day: day, hour: seconds / 3600, minute: seconds / 60 % 60, weekday: ((days % 7) + 7) % 7)
    }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `2024-02-02`
    public static func iso(_ date: Date, _ zone: TimeZone) -> String {
        let p = parts(date, zone)
        return "\(p.year)-\(two(p.month))-\(two(p.day))"
    }

    /// `2024-02-02 05:48`
    public static func isoMinute(_ date: Date, _ zone: TimeZone) -> String {
        let p = parts(date, zone)
        return "\(p.year)-\(two(p.month))-\(two(p.day)) \(two(p.hour)):\(two(p.minute))"
    }

    /// `2024-02-02T08:00:03Z`, UTC: made by hand because a Foundation formatter costs far more per call.
    public static func isoInstant(_ date: Date) -> String {
        let p = parts(date, utc)
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) % 60
        return "\(p.year)-\(two(p.month))-\(two(p.day))T\(two(p.hour)):\(two(p.minute)):\(two((seconds + 60) % 60))Z"
    }

    static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!

    /// `Friday, 2 February 2024`
    public static func long(_ date: Date, _ zone: TimeZone) -> String {
        let p = parts(date, zone)
        return "\(weekdays[p.weekday]), \(p.day) \(months[p.month - 1]) \(p.year)"
    }

    /// `1 Feb 2024, 21:15`
    public static func short(_ date: Date, _ zone: TimeZone) -> String {
        let p = parts(date, zone)
        return "\(p.day) \(months[p.month - 1].prefix(3)) \(p.year), \(two(p.hour)):\(two(p.minute))"
    }
}
