import Foundation
import Testing

/// `scripts/bench --smoke` runs end to end with the debug binary: every figure is measured and tabulated.
/// (Sizes are tiny and targets are not enforced in smoke mode; this only proves the benchmark still works.)
@Test(.timeLimit(.minutes(3)))
func benchSmokeRunsEveryFigure() throws {
    let result = try CLI.runProcess("/bin/bash", ["scripts/bench", "--smoke"], environment: ["NEWSLETTER_BIN": CLI.binary])
    #expect(result.status == 0, "scripts/bench --smoke exited \(result.status)\nstderr:\n\(result.stderr)\nstdout:\n\(result.stdout)")

    let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") }.map(String.init)
    let figures = [
        "send, 4 connections, ",
        "send, 1 connection, ",
        "render + encode only",
        "articles, ",
        "peak memory, send",
        "peak memory, subscribers check",
        "time per message as the list grows",
        "subscribers check, ",
    ]
    for figure in figures {
        #expect(rows.contains { $0.hasPrefix("| " + figure) }, "no table row for '\(figure)' in:\n\(result.stdout)\nstderr:\n\(result.stderr)")
    }
    #expect(rows.contains { $0.hasPrefix("| figure | newsletter") }, "no table header in:\n\(result.stdout)")
}

/// `scripts/bench --feeds --smoke` measures the feed figures (parse, merge, merge into a digest) beside their references.
@Test(.timeLimit(.minutes(2)))
func benchFeedsSmokeRunsEveryFigure() throws {
    let result = try CLI.runProcess("/bin/bash", ["scripts/bench", "--feeds", "--smoke"], environment: ["NEWSLETTER_BIN": CLI.binary])
    #expect(result.status == 0, "scripts/bench --feeds --smoke exited \(result.status)\nstderr:\n\(result.stderr)\nstdout:\n\(result.stdout)")
    let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") }.map(String.init)
    for figure in ["parse a 0.5 MB feed of 100 items", "merge 100 feed items (`articles`", "merge 100 feed items into a digest"] {
        #expect(rows.contains { $0.hasPrefix("| " + figure) }, "no table row for '\(figure)' in:\n\(result.stdout)")
    }
}
