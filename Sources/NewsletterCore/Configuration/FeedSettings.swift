import Foundation

/// `feeds.*`: how feeds are fetched and when a failing one is called out.
public struct FeedSettings: Sendable, Equatable {
    /// The most feeds downloaded at the same time.
    public var parallel: Int = 4
    /// How long one feed's download may take, connection included, in seconds.
    public var timeoutSeconds: Int = 30
    /// The largest feed read, in bytes, checked while downloading (after gzip is undone).
    public var maxBytes: Int = 10 * 1024 * 1024
    /// After how many days of failing in a row a feed is called out by `check`.
    public var failingDays: Int = 3
    /// The most items taken from one feed per digest, newest first.
    public var maxItemsPerFeed: Int = 50
    /// A PEM file of trusted CAs for https feeds; the system store otherwise. Certificates are always verified.
    public var caFile: String?

    public init() {}

    init(reading reader: inout ConfigurationReader, resolve: (String) -> String) throws(ConfigurationError) {
        parallel = try reader.integer("parallel", in: 1...64) ?? parallel
        timeoutSeconds = try reader.integer("timeoutSeconds", in: 1...3600) ?? timeoutSeconds
        maxBytes = try reader.integer("maxBytes", in: 1024...(512 * 1024 * 1024)) ?? maxBytes
        failingDays = try reader.integer("failingDays", in: 1...365) ?? failingDays
        maxItemsPerFeed = try reader.integer("maxItemsPerFeed", in: 1...10_000) ?? maxItemsPerFeed
        caFile = try reader.string("caFile").map(resolve)
    }
}
