import Foundation

/// Reads the dates feeds carry: RFC 822 (RSS 2.0, `Sat, 07 Sep 2002 00:00:01 GMT`) and RFC 3339 (Atom, RSS 1.0's
/// `dc:date`, `2002-10-02T10:00:00-05:00`), tolerating the mistakes real feeds make.
///
/// Tolerated: a missing or misspelt day name, full month or day names, one-digit days, hours and minutes,
/// two-digit years (RFC 822's own form: 00–49 is 20xx), missing seconds, zones written as names (`GMT`, `UTC`,
/// `EST`, `CEST`…), as military letters, as `+0000`, `+00:00` or `+00`, or missing (UTC); ISO forms with a space
/// or lowercase `t` for `T`, fractional seconds, `+0000` without a colon, a date alone (midnight UTC); extra
/// spaces and commas. Anything else is nil: the item then takes the time it was first seen.
public enum FeedDate {
    /// The instant `text` names, or nil.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 100 else { return nil }
        if let first = trimmed.unicodeScalars.first, ("0"..."9").contains(first), let date = iso(trimmed) { return date }
        return rfc822(trimmed) ?? iso(trimmed)
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Zone names seen in feeds, in minutes east of UTC.
    static let zones: [String: Int] = [
        "gmt": 0, "ut": 0, "utc": 0, "z": 0, "wet": 0, "bst": 60, "cet": 60, "cest": 120, "met": 60, "mest": 120,
        "eet": 120, "eest": 180, "msk": 180, "ist": 330, "cst": -360, "cdt": -300, "est": -300, "edt": -240,
        "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480, "hst": -600,
        "jst": 540, "kst": 540, "hkt": 480, "sgt": 480, "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780,
    ]

    /// RFC 822 / RFC 1123 / RFC 2822, loosely.
    static func rfc822(_ text: String) -> Date? {
        let tokens = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        var index = 0
        // A day name, full or short or misspelt: any leading word of letters.
        if index < tokens.count, tokens[index].allSatisfy(\.isLetter), month(tokens[index]) == nil { index += 1 }
        guard index + 3 <= tokens.count else { return nil }
        var day: Int
        var monthNumber: Int
        // "07 Sep 2002" or, seen too, "Sep 07 2002".
        if let d = Int(tokens[index]), let m = month(tokens[index + 1]) {
            day = d
            monthNumber = m
        } else if let m = month(tokens[index]), let d = Int(tokens[index + 1]) {
            day = d
            monthNumber = m
        } else {
            return nil
        }
        index += 2
        guard var year = Int(tokens[index]) else { return nil }
        index += 1
        if tokens[index - 1].count <= 2 { year += year < 50 ? 2000 : 1900 } else if tokens[index - 1].count == 3 { year += 1900 }
        var hour = 0
        var minute = 0
        var second = 0
        if index < tokens.count, tokens[index].contains(":") {
            let parts = tokens[index].split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3, let h = Int(parts[0]), let m = Int(parts[1]) else { return nil }
            hour = h
            minute = m
            if parts.count == 3 {
                guard let s = Int(parts[2].prefix { $0.isNumber }) else { return nil }
                second = s
            }
            index += 1
        }
        var offset = 0
        if index < tokens.count {
            guard let zone = zoneOffset(tokens[index]) else { return nil }
            offset = zone
        }
        guard (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        day = min(day, 31)
        return make(year: year, month: monthNumber, day: day, hour: hour, minute: minute, second: min(second, 59), offsetMinutes: offset)
    }

    static func month(_ word: String) -> Int? {
        guard word.count >= 3, word.allSatisfy(\.isLetter) else { return nil }
        let prefix = String(word.prefix(3))
        if prefix == "sept" { return 9 }
        return months.firstIndex(of: prefix).map { $0 + 1 }
    }

    /// `+0200`, `-05:00`, `+02`, `GMT`, `EST`, `Z`, military letters, `GMT+2`.
    static func zoneOffset(_ raw: String) -> Int? {
        var text = raw.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
        if let named = zones[text] { return named }
        for prefix in ["gmt", "utc", "ut"] where text.hasPrefix(prefix) && text.count > prefix.count {
            text = String(text.dropFirst(prefix.count))
            break
        }
        if text.count == 1, let letter = text.unicodeScalars.first, ("a"..."z").contains(letter), letter != "j" {
            // RFC 822's military zones; RFC 1123 notes their signs were often wrong, so only Z is trusted as such.
            return 0
        }
        guard let sign = text.first, sign == "+" || sign == "-" else { return nil }
        let digits = text.dropFirst().filter { $0 != ":" }
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), digits.count <= 4 else { return nil }
        let hours: Int
        let minutes: Int
        if digits.count <= 2 {
            hours = Int(digits) ?? 0
            minutes = 0
        } else {
            let value = Int(digits) ?? 0
            hours = value / 100
            minutes = value % 100
        }
        guard hours <= 14, minutes < 60 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 60 + minutes)
    }

    /// RFC 3339 and ISO 8601 near-misses.
    static func iso(_ text: String) -> Date? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= scalars.count else { return nil }
            var value = 0
            for scalar in scalars[index..<index + count] {
                guard ("0"..."9").contains(scalar) else { return nil }
                value = value * 10 + Int(scalar.value - 48)
            }
            index += count
            return value
        }
        func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < scalars.count, scalars[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2) else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        if index < scalars.count, ["T", "t", " "].contains(scalars[index]) {
            index += 1
            guard let h = number(2), skip(":"), let m = number(2) else { return nil }
            hour = h
            minute = m
            if skip(":") {
                guard let s = number(2) else { return nil }
                second = s
                if skip(".") || skip(",") {
                    while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
                }
            }
        }
        while index < scalars.count, scalars[index] == " " { index += 1 }
        var offset = 0
        if index < scalars.count {
            guard let zone = zoneOffset(String(String.UnicodeScalarView(scalars[index...])).lowercased()) else { return nil }
            offset = zone
        }
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else {
            return nil
        }
        return make(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59), offsetMinutes: offset)
    }

    static func make(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offsetMinutes: Int) -> Date? {
        guard (1900...9999).contains(year), (1...12).contains(month) else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm): no calendar object, no locale.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
