import Foundation

/// Counts events per key (a client's IP address, an email address) within a sliding window, in memory, with a
/// bound on how many keys it remembers.
actor RateLimiter {
    let limit: Int
    let window: TimeInterval
    /// The most keys remembered; past that, keys whose events have all left the window are forgotten, and if
    /// that is not enough, the whole table (a flood of distinct keys must not exhaust memory).
    let maximumKeys: Int
    private var events: [String: [Date]] = [:]

    init(limit: Int, window: TimeInterval, maximumKeys: Int = 100_000) {
        self.limit = limit
        self.window = window
        self.maximumKeys = maximumKeys
    }

    /// Records an event for `key` and says whether it is within the limit (an event over the limit is not recorded).
    func allow(_ key: String, now: Date = Date()) -> Bool {
        let start = now.addingTimeInterval(-window)
        var recent = (events[key] ?? []).filter { $0 > start }
        guard recent.count < limit else {
            events[key] = recent
            return false
        }
        recent.append(now)
        events[key] = recent
        if events.count > maximumKeys {
            events = events.filter { $0.value.contains { $0 > start } }
            if events.count > maximumKeys { events = [key: recent] }
        }
        return true
    }
}
