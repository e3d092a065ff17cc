import NewsletterCore
import Testing

/// RFC 6376 §3.4.2 and §3.4.4 ("relaxed"), table-driven; the first rows are the RFC's own example (§3.4.6).
struct DKIMCanonicalizationTests {
    static func header(_ field: String) -> String {
        var output: [UInt8] = []
        var field = field
        field.withUTF8 { DKIMCanonicalization.relaxedHeader($0, into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    static func body(_ body: String) -> String {
        var output: [UInt8] = []
        var body = body
        body.withUTF8 { DKIMCanonicalization.relaxedBody($0, into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    static let headerCases: [(String, String)] = [
        ("A: X", "a:X\r\n"),  // RFC 6376 §3.4.6
        ("B : Y\t\r\n\tZ  ", "b:Y Z\r\n"),  // RFC 6376 §3.4.6
        ("Subject:   lots   of\t\tspace  ", "subject:lots of space\r\n"),
        ("SUBJECT:x", "subject:x\r\n"),
        ("List-Unsubscribe: <https://example.org/u?t=1>,\r\n <mailto:u@example.org>", "list-unsubscribe:<https://example.org/u?t=1>, <mailto:u@example.org>\r\n"),
        ("To: =?UTF-8?B?5byg5Lyf?=\r\n <zhang.wei@example.com>", "to:=?UTF-8?B?5byg5Lyf?= <zhang.wei@example.com>\r\n"),
        ("Empty:", "empty:\r\n"),
        ("Empty:   \t", "empty:\r\n"),
        ("X: a\r\n\r\n b", "x:a b\r\n"),
    ]

    @Test("Header fields in relaxed form", arguments: headerCases)
    func relaxedHeader(_ input: String, _ expected: String) {
        #expect(Self.header(input) == expected)
    }

    static let bodyCases: [(String, String)] = [
        (" C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n"),  // RFC 6376 §3.4.6
        ("", ""),
        ("\r\n", ""),
        ("\r\n\r\n\r\n", ""),
        ("abc", "abc\r\n"),
        ("abc  \t", "abc\r\n"),
        ("a\r\n \r\n\t\r\n", "a\r\n"),
        ("a\r\n\r\nb\r\n\r\n", "a\r\n\r\nb\r\n"),
        ("a  b\t\tc \r\n", "a b c\r\n"),
        ("\t lead\r\n", " lead\r\n"),
        ("a\r\n  \r\nb", "a\r\n\r\nb\r\n"),
        ("5Lit5paH\r\nSGk=\r\n", "5Lit5paH\r\nSGk=\r\n"),
        ("lone\nLF\r\n", "lone\nLF\r\n"),
    ]

    @Test("Bodies in relaxed form", arguments: bodyCases)
    func relaxedBody(_ input: String, _ expected: String) {
        #expect(Self.body(input) == expected)
    }

    /// RFC 6376 §3.4.4 written the plain way, line by line, to check the fast version against.
    static func reference(_ body: [UInt8]) -> [UInt8] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < body.count {
            if body[index] == 0x0D && index + 1 < body.count && body[index + 1] == 0x0A {
                lines.append(current)
                current = []
                index += 2
                continue
            }
            current.append(body[index])
            index += 1
        }
        if !current.isEmpty { lines.append(current) }
        var canonical = lines.map { line -> [UInt8] in
            var out: [UInt8] = []
            var space = false
            for byte in line {
                if byte == 0x20 || byte == 0x09 { space = true; continue }
                if space { out.append(0x20); space = false }
                out.append(byte)
            }
            return out
        }
        while canonical.last?.isEmpty == true { canonical.removeLast() }
        return canonical.flatMap { $0 + [0x0D, 0x0A] }
    }

    @Test("The fast body canonicalisation equals the plain one on 3,000 random bodies of a, b, space, tab, CR and LF")
    func randomBodies() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        // The second alphabet is mostly letters, so that runs of eight octets without a CR, space or tab (skipped
        // eight at a time) meet the special octets at every offset.
        let alphabets: [[UInt8]] = [
            [0x61, 0x62, 0x20, 0x20, 0x09, 0x0D, 0x0A, 0x0D, 0x0A],
            Array(repeating: 0x61, count: 20) + Array(repeating: 0x62, count: 20) + [0x20, 0x20, 0x09, 0x0D, 0x0A, 0x0D, 0x0A, 0x0A, 0x0D],
        ]
        for round in 0..<3000 {
            let alphabet = alphabets[round % 2]
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int(state >> 58) * (round % 2 == 0 ? 1 : 4)
            var body: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                body.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            var fast: [UInt8] = []
            body.withUnsafeBufferPointer { DKIMCanonicalization.relaxedBody($0, into: &fast) }
            #expect(fast == Self.reference(body), "\(body)")
        }
    }
}
