import Foundation

/// Where a transport puts its results.
///
/// A batch handed to ``record(_:)`` may become durable later (see ``JournalWriter``): the transport does not let a
/// connection end its next message (its last byte, and so its end of data) until ``waitUntilDurable(_:)`` has
/// returned for the ticket of that connection's last result, so a crash can repeat at most one message per connection.
public protocol ResultRecorder: AnyObject {
    /// Takes a batch of results and returns its ticket (a number that grows with each batch).
    func record(_ results: [DeliveryResult]) throws -> Int
    /// The ticket up to which every batch is durable.
    ///
    /// - Throws: when making a batch durable failed; the run must stop.
    func durableTicket() throws -> Int
    /// Asks for every batch up to `ticket` to be made durable, without waiting (called on a connection's thread
    /// just before its next message's content, so that the work overlaps it).
    func requestDurable(_ ticket: Int)
    /// Returns once every batch up to `ticket` is durable, making it so if need be (called on a connection's
    /// thread; several may call it at once).
    ///
    /// - Throws: when making a batch durable failed; the run must stop.
    func waitUntilDurable(_ ticket: Int) throws
}

extension ResultRecorder {
    /// Nothing to ask for: for recorders that make results durable by themselves.
    public func requestDurable(_ ticket: Int) {}

    /// Polls ``durableTicket()`` every millisecond: for recorders that make results durable by themselves.
    public func waitUntilDurable(_ ticket: Int) throws {
        while try durableTicket() < ticket { usleep(1000) }
    }
}
