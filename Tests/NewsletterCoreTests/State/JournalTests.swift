import Foundation
import Testing

@testable import NewsletterCore

struct JournalTests {
    /// The journal's lines, without the zeros an open journal keeps ahead of them.
    func linesOf(_ path: String) throws -> [Substring] {
        let bytes = try FileSystem.readAll(path)
        return String(decoding: bytes[..<Journal.linesLength(bytes)], as: UTF8.self).split(separator: "\n")
    }

    func job(_ address: String) throws -> DeliveryJob {
        DeliveryJob(recipient: try EmailAddress(address), messageID: "id-\(address)", bytes: [])
    }

    @Test("Outcomes round-trip; deferred recipients stay pending")
    func roundTrip() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = Journal(path: folder + "/journal.tsv")
        try journal.append([.sent(try job("A@example.com")), .failed(try job("b@example.com"), reply: "RCPT failed:\t550"), .deferred(try job("c@example.com"), reply: "451")], at: Date(timeIntervalSince1970: 0))
        let entries = try Journal(path: folder + "/journal.tsv").load()
        #expect(entries == ["a@example.com": .sent(messageID: "<id-A@example.com>"), "b@example.com": .failed(reply: "RCPT failed: 550")])
    }

    @Test("An unknown outcome is recorded with its relay; one leaves a resend, a second settles it, a known outcome wins")
    func unknownOutcomes() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/journal.tsv"
        var relayed = try job("u@example.com")
        relayed.relay = "mx1.example.org:25"
        try Journal(path: path).append([.unknown(relayed, reply: "timed out\tafter 600 s"), .unknown(try job("v@example.com"), reply: "x")], at: Date(timeIntervalSince1970: 0))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("unknown\tu@example.com\t<id-u@example.com>\t1970-01-01T00:00:00Z\ttimed out after 600 s\tmx1.example.org:25\n"), "\(text)")
        var entries = try Journal(path: path).load()
        #expect(entries["u@example.com"] == .unknown(count: 1, reply: "timed out after 600 s"))
        #expect(entries["u@example.com"]?.isSettled == false)
        // The next run resends both: u is unknown again (settled), v is sent.
        try Journal(path: path).append([.unknown(try job("u@example.com"), reply: "y"), .sent(try job("v@example.com"))], at: Date())
        entries = try Journal(path: path).load()
        #expect(entries["u@example.com"] == .unknown(count: 2, reply: "y"))
        #expect(entries["u@example.com"]?.isSettled == true)
        #expect(entries["v@example.com"] == .sent(messageID: "<id-v@example.com>"))
    }

    @Test("A line cut short by a crash is ignored, and never merges with the next run's first line")
    func tornLine() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/journal.tsv"
        try FileSystem.writeAtomically(Array("sent\ta@example.com\t<1@x>\t2024-02-02T08:00:00Z\nsent\tb@exam".utf8), to: path)
        #expect(try Journal(path: path).load().keys.sorted() == ["a@example.com"])
        try Journal(path: path).append([.sent(try job("c@example.com"))], at: Date())
        #expect(try Journal(path: path).load().keys.sorted() == ["a@example.com", "c@example.com"])
    }

    @Test("While open, the file is kept ahead of its lines with zeros; close cuts them off; zeros a crash left are read past and written over")
    func zerosAhead() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/journal.tsv"
        let journal = Journal(path: path)
        try journal.append([.sent(try job("a@example.com"))], at: Date(timeIntervalSince1970: 0))
        try journal.append([.sent(try job("b@example.com"))], at: Date(timeIntervalSince1970: 0))
        let line = "sent\ta@example.com\t<id-a@example.com>\t1970-01-01T00:00:00Z\n"
        var bytes = try FileSystem.readAll(path)
        #expect(bytes.count == Journal.extent)
        #expect(Journal.linesLength(bytes) == 2 * line.utf8.count)
        #expect(bytes[(2 * line.utf8.count)...].allSatisfy { $0 == 0 })
        #expect(try Journal(path: path).load().keys.sorted() == ["a@example.com", "b@example.com"])
        journal.close()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == line + line.replacingOccurrences(of: "a@", with: "b@"))

        // What a kill leaves: lines, a line cut short, then zeros.
        bytes = Array((line + "sent\tc@exam").utf8) + [UInt8](repeating: 0, count: 70_000)
        try FileSystem.writeAtomically(bytes, to: path)
        #expect(try Journal(path: path).load().keys.sorted() == ["a@example.com"])
        let resumed = Journal(path: path)
        try resumed.append([.sent(try job("d@example.com"))], at: Date(timeIntervalSince1970: 0))
        resumed.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == line + "sent\tc@exam\n" + line.replacingOccurrences(of: "a@", with: "d@"), "\(text.debugDescription)")
        #expect(try Journal(path: path).load().keys.sorted() == ["a@example.com", "d@example.com"])

        // A power loss can keep a later page of the last flush and lose an earlier one: zeros, then more bytes.
        // Reading stops at the first zero, and so does the next run's writing: what follows is dropped, never
        // left between the lines where it would hide the next run's outcomes.
        bytes = Array(line.utf8) + [UInt8](repeating: 0, count: 100) + Array(line.replacingOccurrences(of: "a@", with: "b@").utf8)
            + [UInt8](repeating: 0, count: 5000)
        try FileSystem.writeAtomically(bytes, to: path)
        #expect(try Journal(path: path).load().keys.sorted() == ["a@example.com"])
        let afterHole = Journal(path: path)
        try afterHole.append([.sent(try job("d@example.com"))], at: Date(timeIntervalSince1970: 0))
        afterHole.close()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == line + line.replacingOccurrences(of: "a@", with: "d@"))
        #expect(try Journal(path: path).load().keys.sorted() == ["a@example.com", "d@example.com"])

        // A reply can hold nothing that would end its line or stop the reading early.
        let odd = Journal(path: folder + "/odd.tsv")
        try odd.append([.failed(try job("e@example.com"), reply: "550\0 no\r\nsuch\tuser"), .sent(try job("f@example.com"))], at: Date())
        odd.close()
        #expect(try Journal(path: folder + "/odd.tsv").load() == ["e@example.com": .failed(reply: "550  no such user"), "f@example.com": .sent(messageID: "<id-f@example.com>")])

        // Lines longer than the extent still fit.
        let long = Journal(path: folder + "/long.tsv")
        try long.append((0..<20_000).map { .sent(try job("r\($0)@example.com")) }, at: Date())
        long.close()
        #expect(try Journal(path: folder + "/long.tsv").load().count == 20_000)
    }

    @Test("The writer journals every batch, in order, when asked, on its own thread: one flush covers every batch queued by then")
    func writerFlushesOnRequest() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/journal.tsv"
        let writer = JournalWriter(journal: Journal(path: path))
        var tickets: [Int] = []
        for index in 0..<500 {
            tickets.append(try writer.submit([.sent(try job("r\(index)@example.com"))]))
        }
        #expect(tickets == Array(1...500))
        // Nothing is written before someone asks.
        Thread.sleep(forTimeInterval: 0.05)
        #expect(writer.flushCount == 0)
        #expect(try writer.durableTicket() == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
        try writer.waitUntilDurable(0)
        #expect(writer.flushCount == 0)
        // Asking for ticket 3, without waiting, writes all 500 with one flush, on the writer's thread.
        writer.requestDurable(3)
        let deadline = Date(timeIntervalSinceNow: 10)
        while try writer.durableTicket() < 500, Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
        #expect(try writer.durableTicket() == 500)
        #expect(writer.flushCount == 1)
        try writer.waitUntilDurable(500)
        try writer.finish()
        #expect(writer.flushCount == 1)
        let lines = try linesOf(path)
        #expect(lines.count == 500)
        #expect(lines.map { $0.split(separator: "\t")[1] } == (0..<500).map { "r\($0)@example.com"[...] })
        // The flusher ends when idle, and a wait alone (no request before it) starts it again.
        Thread.sleep(forTimeInterval: 1.3)
        let ticket = try writer.submit([.sent(try job("late@example.com"))])
        try writer.waitUntilDurable(ticket)
        #expect(writer.flushCount == 2)
        #expect(try Journal(path: path).load().count == 501)
    }

    @Test("Threads that submit and wait at once: each ticket is durable when its wait returns, and flushes are shared")
    func writerGroupCommitAcrossThreads() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/journal.tsv"
        let writer = JournalWriter(journal: Journal(path: path))
        let threads = 4
        let perThread = 100
        let problems = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                do {
                    let ticket = try writer.submit([.sent(try job("t\(thread)-\(index)@example.com"))])
                    if thread % 2 == 0 { writer.requestDurable(ticket) }
                    try writer.waitUntilDurable(ticket)
                    if try writer.durableTicket() < ticket { problems.increment() }
                } catch {
                    problems.increment()
                }
            }
        }
        try writer.finish()
        #expect(problems.value == 0)
        #expect(writer.flushCount >= 1 && writer.flushCount <= threads * perThread)
        let lines = try linesOf(path)
        #expect(Set(lines.map { $0.split(separator: "\t")[1] }).count == threads * perThread)
        // Each thread's lines are in its own order.
        for thread in 0..<threads {
            let mine = lines.map { String($0.split(separator: "\t")[1]) }.filter { $0.hasPrefix("t\(thread)-") }
            #expect(mine == (0..<perThread).map { "t\(thread)-\($0)@example.com" })
        }
    }

    @Test("A journal that cannot be written stops the writer, and the error reaches submit, durableTicket and finish")
    func writerFailure() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = JournalWriter(journal: Journal(path: folder + "/missing-folder/journal.tsv"))
        let ticket = try writer.submit([.sent(try job("a@example.com"))])
        #expect(throws: FileSystem.IOError.self) { try writer.waitUntilDurable(ticket) }
        #expect(throws: FileSystem.IOError.self) { try writer.finish() }
        #expect(throws: FileSystem.IOError.self) { _ = try writer.durableTicket() }
        #expect(throws: FileSystem.IOError.self) { _ = try writer.submit([.sent(try job("b@example.com"))]) }
        #expect(ticket == 1)
    }
}

/// A count updated from another thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
