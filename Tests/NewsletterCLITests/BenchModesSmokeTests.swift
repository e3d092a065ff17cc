import Foundation
import Testing

/// `scripts/bench --dkim --smoke` runs end to end with the debug binary: the signed and unsigned sends are measured
/// and tabulated (tiny sizes; the target is not enforced in smoke mode).
@Test(.timeLimit(.minutes(3)))
func benchDKIMSmokeRunsTheFigure() throws {
    let result = try CLI.runProcess("/bin/bash", ["scripts/bench", "--dkim", "--smoke"], environment: ["NEWSLETTER_BIN": CLI.binary])
    #expect(result.status == 0, "scripts/bench --dkim --smoke exited \(result.status)\nstderr:\n\(result.stderr)\nstdout:\n\(result.stdout)")
    let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") }.map(String.init)
    #expect(rows.first?.hasPrefix("| figure | signed, RSA-2048") == true, "\(result.stdout)")
    #expect(rows.contains { $0.hasPrefix("| send with DKIM, 4 connections, 200 subscribers | ") }, "\(result.stdout)\n\(result.stderr)")
    #expect(result.stderr.contains("x 4, signed: ") && result.stderr.contains("x 4, plain: "))
}

/// `scripts/bench --wire --smoke`: the libcurl-in-C reference builds and sends, and the table has its rows.
@Test(.timeLimit(.minutes(3)))
func benchWireSmokeRunsTheFigure() throws {
    let result = try CLI.runProcess("/bin/bash", ["scripts/bench", "--wire", "--smoke"], environment: ["NEWSLETTER_BIN": CLI.binary])
    #expect(result.status == 0, "scripts/bench --wire --smoke exited \(result.status)\nstderr:\n\(result.stderr)\nstdout:\n\(result.stdout)")
    let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") }.map(String.init)
    for figure in ["send, 4 connections, 200 subscribers", "send, 4 connections, 400 subscribers", "peak memory, send to 400 vs 200"] {
        #expect(rows.contains { $0.hasPrefix("| " + figure + " | ") }, "no row for \(figure) in:\n\(result.stdout)\n\(result.stderr)")
    }
    #expect(result.stderr.contains("libcurl-in-C 400 x 4: "))
}
