/// The run's ``ResultRecorder``: counts each batch at once, and queues it for the journal, whose thread writes
/// and flushes it (``JournalWriter``).
final class RunRecorder: ResultRecorder {
    let writer: JournalWriter?
    let count: ([DeliveryResult]) -> Void

    init(writer: JournalWriter?, count: @escaping ([DeliveryResult]) -> Void) {
        self.writer = writer
        self.count = count
    }

    func record(_ results: [DeliveryResult]) throws -> Int {
        let ticket = try writer?.submit(results) ?? 0
        count(results)
        return ticket
    }

    func durableTicket() throws -> Int { try writer?.durableTicket() ?? Int.max }
    func requestDurable(_ ticket: Int) { writer?.requestDurable(ticket) }
    func waitUntilDurable(_ ticket: Int) throws { try writer?.waitUntilDurable(ticket) }
}
