import Foundation
import Testing

@testable import NewsletterCore

struct HeaderEncodingTests {
    static let subjects: [String] = [
        "Daily Digest",
        "Daily Digest — 2024-02-02",
        "澳新举行首次外长防长“2+2”会谈 深化安全合作关系",
        String(repeating: "深化安全合作关系", count: 12),
        "Mixed 中文 and English words, with punctuation: ok?",
        "Emoji 👩‍👩‍👧‍👦 family and flags 🇫🇷🇨🇳 in a subject line that is long enough to fold",
        "Looks like =?UTF-8?B?abc?= an encoded word",
        String(repeating: "a", count: 120),
        "Short words that are plain ASCII but make a subject long enough to need folding at spaces",
        "ü",
    ]

    @Test("Subjects decode back to the text, with words ≤ 75 and lines ≤ 76 characters", arguments: subjects)
    func subjectRoundTrip(_ subject: String) {
        let field = HeaderEncoding.unstructuredField("Subject", subject)
        #expect(field.hasPrefix("Subject: "))
        for line in field.components(separatedBy: "\r\n") {
            #expect(line.count <= 76, "line too long: \(line)")
            #expect(line.unicodeScalars.allSatisfy { $0.value < 0x80 }, "non-ASCII in header: \(line)")
        }
        let words = field.split(whereSeparator: { $0 == " " || $0 == "\r\n" }).filter { $0.hasPrefix("=?") }
        for word in words {
            #expect(word.count <= 75)
            // Each word decodes on its own to valid UTF-8: no character is split between words.
            let payload = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            let data = Data(base64Encoded: String(payload))
            #expect(data != nil)
            #expect(String(validating: Array(data ?? Data()), as: UTF8.self) != nil, "word splits a character: \(word)")
        }
        #expect(decodeEncodedWords(String(field.dropFirst("Subject: ".count))) == subject)
    }

    @Test("CR and LF in a subject never start a new header")
    func headerInjection() {
        let field = HeaderEncoding.unstructuredField("Subject", "Hello\r\nBcc: victim@example.com\nX: y")
        #expect(!field.contains("\r\nBcc"))
        #expect(!field.contains("\nX:"))
        #expect(field == "Subject: Hello Bcc: victim@example.com X: y")
    }

    struct MailboxCase: Sendable, CustomTestStringConvertible {
        var name: String?
        var expected: String
        var testDescription: String { name ?? "(none)" }
    }

    static let mailboxes: [MailboxCase] = [
        MailboxCase(name: nil, expected: "To: <a@example.org>"),
        MailboxCase(name: "Alice Martin", expected: "To: Alice Martin <a@example.org>"),
        MailboxCase(name: "Martin, Alice", expected: "To: \"Martin, Alice\" <a@example.org>"),
        MailboxCase(name: "Al \"Bo\" \\ C.", expected: "To: \"Al \\\"Bo\\\" \\\\ C.\" <a@example.org>"),
        MailboxCase(name: "张伟", expected: "To: =?UTF-8?B?5byg5Lyf?= <a@example.org>"),
        MailboxCase(name: "Evil\r\nBcc: x@example.org", expected: "To: \"Evil Bcc: x@example.org\" <a@example.org>"),
        MailboxCase(name: "  ", expected: "To: <a@example.org>"),
    ]

    @Test("Display names are atoms, quoted strings or encoded-words", arguments: mailboxes)
    func mailbox(_ example: MailboxCase) throws {
        let field = HeaderEncoding.mailboxField("To", displayName: example.name, address: try EmailAddress("a@example.org"))
        #expect(field == example.expected)
    }

    /// Found by the Encoders fuzzer (issue 12): 38 double quotes became a 78-character quoted string on an
    /// 82-character line, since the length was checked before escaping.
    @Test("A display name of quotes or backslashes stays within 76 characters a line", arguments: [
        String(repeating: "\"", count: 38), String(repeating: "\\", count: 59), String(repeating: "a\"", count: 30),
    ])
    func escapedNameWithinLineLimit(_ name: String) throws {
        for header in ["To", "From"] {
            let field = HeaderEncoding.mailboxField(header, displayName: name, address: try EmailAddress("a@example.org"))
            for line in field.components(separatedBy: "\r\n") { #expect(line.count <= 76, "\(field)") }
            let unfolded = field.replacingOccurrences(of: "\r\n ", with: " ")
            #expect(decodeEncodedWords(String(unfolded.dropFirst(header.count + 2).dropLast(" <a@example.org>".count))) == name)
        }
    }

    @Test("A long non-ASCII display name folds before the address")
    func longName() throws {
        let name = String(repeating: "张伟", count: 30)
        let field = HeaderEncoding.mailboxField("To", displayName: name, address: try EmailAddress("zhang.wei@example.com"))
        for line in field.components(separatedBy: "\r\n") { #expect(line.count <= 76) }
        #expect(field.hasSuffix("<zhang.wei@example.com>"))
        let unfolded = field.replacingOccurrences(of: "\r\n ", with: " ")
        #expect(decodeEncodedWords(String(unfolded.dropFirst(4).dropLast(" <zhang.wei@example.com>".count))) == name)
    }
}

struct QuotedPrintableTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var expected: String
        var testDescription: String { input.debugDescription }
    }

    static let cases: [Case] = [
        Case(input: "hello", expected: "hello\r\n"),
        Case(input: "a=b", expected: "a=3Db\r\n"),
        Case(input: "trailing space \nnext", expected: "trailing space=20\r\nnext\r\n"),
        Case(input: "tab\t", expected: "tab=09\r\n"),
        Case(input: "café", expected: "caf=C3=A9\r\n"),
        Case(input: "line1\r\nline2\r\n", expected: "line1\r\nline2\r\n"),
        Case(input: "From here", expected: "=46rom here\r\n"),
        Case(input: ".\nx", expected: "=2E\r\nx\r\n"),
        Case(input: "中", expected: "=E4=B8=AD\r\n"),
        Case(input: String(repeating: "x", count: 76), expected: String(repeating: "x", count: 76) + "\r\n"),
        Case(input: String(repeating: "x", count: 77), expected: String(repeating: "x", count: 75) + "=\r\nxx\r\n"),
    ]

    @Test("Known encodings", arguments: cases)
    func known(_ example: Case) {
        #expect(QuotedPrintable.encode(example.input) == example.expected)
    }

    static let texts: [String] = [
        String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 20),
        String(repeating: "澳大利亚与新西兰的首次外长、防长会谈", count: 10),
        String(repeating: "=", count: 200),
        String(repeating: "a ", count: 100) + "\n" + String(repeating: "é", count: 90),
        "ends with spaces   ",
    ]

    @Test("Lines stay within 76 characters and decode back", arguments: texts)
    func roundTrip(_ text: String) {
        let encoded = QuotedPrintable.encode(text)
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.count <= 76)
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
        }
        #expect(!encoded.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let decoded = decodeQuotedPrintable(encoded)
        #expect(decoded == Array(BodyEncoding.crlfText(text).utf8))
    }
}

struct BodyEncodingTests {
    @Test("English text is quoted-printable, Chinese text base64")
    func choice() {
        #expect(BodyEncoding.choose(for: "Hello, world.\nA plain English digest.") == .quotedPrintable)
        #expect(BodyEncoding.choose(for: "澳大利亚与新西兰的首次外长、防长会谈在澳洲墨尔本举行") == .base64)
    }

    @Test("Base64 bodies use CRLF lines of at most 76 characters and decode to CRLF text")
    func base64() {
        let text = String(repeating: "澳大利亚与新西兰\n", count: 40)
        let encoded = BodyEncoding.base64.encode(text)
        let lines = encoded.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        let data = Data(base64Encoded: lines.joined())
        #expect(data.map { String(decoding: $0, as: UTF8.self) } == BodyEncoding.crlfText(text))
    }
}

struct RFC5322DateTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var seconds: Double
        var zone: String
        var expected: String
        var testDescription: String { expected }
    }

    static let cases: [Case] = [
        Case(seconds: 0, zone: "UTC", expected: "Thu, 01 Jan 1970 00:00:00 +0000"),
        Case(seconds: 1_706_860_800, zone: "UTC", expected: "Fri, 02 Feb 2024 08:00:00 +0000"),
        Case(seconds: 1_706_860_800, zone: "Asia/Shanghai", expected: "Fri, 02 Feb 2024 16:00:00 +0800"),
        Case(seconds: 1_706_860_800, zone: "America/New_York", expected: "Fri, 02 Feb 2024 03:00:00 -0500"),
        Case(seconds: 1_706_860_800, zone: "Asia/Kolkata", expected: "Fri, 02 Feb 2024 13:30:00 +0530"),
        Case(seconds: 1_709_164_799, zone: "UTC", expected: "Wed, 28 Feb 2024 23:59:59 +0000"),
        Case(seconds: 1_709_251_200, zone: "UTC", expected: "Fri, 01 Mar 2024 00:00:00 +0000"),
        Case(seconds: 1_709_164_800, zone: "UTC", expected: "Thu, 29 Feb 2024 00:00:00 +0000"),
        Case(seconds: 4_102_444_800, zone: "UTC", expected: "Fri, 01 Jan 2100 00:00:00 +0000"),
    ]

    @Test("English names and a numeric zone, whatever the locale", arguments: cases)
    func format(_ example: Case) throws {
        let zone = try #require(TimeZone(identifier: example.zone))
        #expect(RFC5322Date.string(from: Date(timeIntervalSince1970: example.seconds), timeZone: zone) == example.expected)
    }
}
