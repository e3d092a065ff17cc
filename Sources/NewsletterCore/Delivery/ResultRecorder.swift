/// Where a transport puts its results.
///
/// A batch handed to ``record(_:)`` may become durable later, on another thread (see ``JournalWriter``): the
/// transport does not let a connection send its next message's content until ``durableTicket()`` has reached the ticket of
/// that connection's last result, so a crash can repeat at most one message per connection.
public protocol ResultRecorder: AnyObject {
    /// Takes a batch of results and returns its ticket (a number that grows with each batch).
    func record(_ results: [DeliveryResult]) throws -> Int
    /// The ticket up to which every batch is durable.
    ///
    /// - Throws: when making a batch durable failed; the run must stop.
    func durableTicket() throws -> Int
    /// Sets what to call, from any thread, when `durableTicket` advances; nil to stop before the transport ends.
    func setWakeup(_ wakeup: (@Sendable () -> Void)?)
}
