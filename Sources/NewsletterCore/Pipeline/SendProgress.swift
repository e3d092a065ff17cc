/// The counts of a delivery run, updated as it goes.
public struct SendProgress: Sendable {
    /// Recipients this run will try.
    public var total = 0
    public var sent = 0
    public var failed = 0
    public var deferred = 0
    /// Messages whose outcome is unknown: sent whole, no reply to their end of data.
    public var unknown = 0
    public var retried = 0
    /// Seconds since delivery started.
    public var elapsed: Double = 0

    /// Recipients with an outcome.
    public var done: Int { sent + failed + deferred + unknown }
    /// Messages per second so far.
    public var rate: Double { elapsed > 0 ? Double(sent + failed) / elapsed : 0 }
}
