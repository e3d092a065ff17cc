import Foundation
import Testing

/// `scripts/bench --web --smoke` runs end to end with the debug binary: the service under one-click POSTs, the
/// list checked entry by entry, the references measured. (Tiny sizes; the target is not enforced here.)
@Test(.timeLimit(.minutes(3)))
func webBenchSmokeRunsEveryFigure() throws {
    let result = try CLI.runProcess("/bin/bash", ["scripts/bench", "--web", "--smoke"], environment: ["NEWSLETTER_BIN": CLI.binary])
    #expect(result.status == 0, "scripts/bench --web --smoke exited \(result.status)\nstderr:\n\(result.stderr)\nstdout:\n\(result.stdout)")
    let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") }.map(String.init)
    for figure in ["serve: 100 one-click POSTs", "reference: GET /healthz", "reference: one unbatched transaction"] {
        #expect(rows.contains { $0.hasPrefix("| " + figure) }, "no row for '\(figure)' in:\n\(result.stdout)")
    }
    #expect(result.stderr.contains("\"ok\": true"))
}
