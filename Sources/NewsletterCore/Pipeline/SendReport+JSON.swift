import Foundation

extension SendReport {
    /// The report as JSON, for `send --json`: the counts of the summary, each relay's counts and rate, and the
    /// recipients that failed, stay pending or have an unknown outcome.
    public var json: JSONValue {
        let p = progress
        func number(_ value: Double) -> JSONValue { .number(String(format: "%.3f", value)) }
        func people(_ list: [(address: String, reply: String)]) -> JSONValue {
            .array(list.map { .object([("email", .string($0.address)), ("reply", .string($0.reply))]) })
        }
        return .object([
            ("edition", editionID.map(JSONValue.string) ?? .null),
            ("resumed", .bool(isResumed)),
            ("articles", .integer(articleCount)),
            ("sent", .integer(p.sent)),
            ("failed", .integer(p.failed)),
            ("pending", .integer(p.deferred)),
            ("unknown", .integer(p.unknown)),
            ("resent", .integer(resent.count)),
            ("retried", .integer(p.retried)),
            ("skipped", .integer(skipped.count)),
            ("suppressed", .integer(suppressed)),
            ("alreadyDone", .integer(alreadyDone)),
            ("seconds", number(p.elapsed)),
            ("rate", number(p.rate)),
            ("complete", .bool(isComplete)),
            ("interrupted", .bool(wasInterrupted)),
            ("nothingNew", .bool(nothingNew)),
            ("relays", .array(relays.map { relay in
                .object([
                    ("name", .string(relay.name)),
                    ("connections", .integer(relay.connections)),
                    ("messagesPerSecond", relay.messagesPerSecond.map(number) ?? .null),
                    ("sent", .integer(relay.sent)),
                    ("failed", .integer(relay.failed)),
                    ("unknown", .integer(relay.unknown)),
                    ("setAside", .integer(relay.setAside)),
                    ("lastProblem", relay.lastProblem.map(JSONValue.string) ?? .null),
                    ("seconds", number(relay.seconds)),
                    ("rate", number(relay.rate)),
                ])
            })),
            ("failures", people(failures)),
            ("pendingRecipients", people(deferred)),
            ("unknownRecipients", people(unknown)),
        ])
    }
}
