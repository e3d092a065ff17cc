import Foundation
import Testing

@testable import NewsletterCore

/// Paths and helpers shared by the tests.
enum Fixtures {
    /// The Fixtures folder copied into the test bundle.
    static var directory: String {
        Bundle.module.resourcePath! + "/Fixtures"
    }

    /// The repository root (for templates/, examples/ and config.example.json).
    static var repositoryRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    static func read(_ relative: String) throws -> [UInt8] {
        try FileSystem.readAll(directory + "/" + relative)
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "newsletter-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Decodes RFC 2047 encoded-words (B and Q) in a header value, the way a mail reader would, for checks.
func decodeEncodedWords(_ value: String) -> String {
    let unfolded = value.replacingOccurrences(of: "\r\n ", with: " ")
    let pattern = try! NSRegularExpression(pattern: #"=\?UTF-8\?([BQ])\?([^?]*)\?="#, options: [.caseInsensitive])
    var result = ""
    var last = unfolded.startIndex
    var previousWasWord = false
    for match in pattern.matches(in: unfolded, range: NSRange(unfolded.startIndex..., in: unfolded)) {
        let range = Range(match.range, in: unfolded)!
        let between = String(unfolded[last..<range.lowerBound])
        if !(previousWasWord && between.trimmingCharacters(in: .whitespaces).isEmpty) { result += between }
        let kind = String(unfolded[Range(match.range(at: 1), in: unfolded)!]).uppercased()
        let text = String(unfolded[Range(match.range(at: 2), in: unfolded)!])
        if kind == "B", let data = Data(base64Encoded: text) {
            result += String(decoding: data, as: UTF8.self)
        } else {
            result += text
        }
        last = range.upperBound
        previousWasWord = true
    }
    result += unfolded[last...]
    return result
}

/// Decodes quoted-printable text (for round-trip checks).
func decodeQuotedPrintable(_ text: String) -> [UInt8] {
    var output: [UInt8] = []
    let bytes = Array(text.utf8)
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        if byte == UInt8(ascii: "=") {
            if index + 2 < bytes.count, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A {
                index += 3
                continue
            }
            if index + 2 < bytes.count, let value = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16) {
                output.append(value)
                index += 3
                continue
            }
        }
        output.append(byte)
        index += 1
    }
    return output
}
