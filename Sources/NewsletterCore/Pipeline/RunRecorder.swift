/// The run's ``ResultRecorder``: counts each batch at once, and journals it on the writer's thread.
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
    func setWakeup(_ wakeup: (@Sendable () -> Void)?) { writer?.setWakeup(wakeup) }
}
