import Testing

@testable import NewsletterCore

struct JSONReaderTests {
    struct Bad: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { text.debugDescription }
    }

    static let bad: [Bad] = [
        Bad(text: "[1,]", line: 1, column: 4, message: "unexpected ']' after a trailing ','"),
        Bad(text: "[\n  {\"a\": 1},\n]\n", line: 3, column: 1, message: "unexpected ']' after a trailing ','"),
        Bad(text: "{\"a\": 1,}", line: 1, column: 9, message: "unexpected '}' after a trailing ','"),
        Bad(text: "{\"a\" 1}", line: 1, column: 6, message: "unexpected '1'; expected ':' after the key \"a\""),
        Bad(text: "{\"a\": 1, \"a\": 2}", line: 1, column: 10, message: "duplicate key \"a\""),
        Bad(text: "[01]", line: 1, column: 3, message: "a number may not start with 0"),
        Bad(text: "[\"x\ny\"]", line: 1, column: 4, message: "a string may not contain a line break (write \\n)"),
        Bad(text: "[\"\\q\"]", line: 1, column: 4, message: "invalid escape '\\q' in a string"),
        Bad(text: "[tru]", line: 1, column: 2, message: "unexpected 't'; expected a value"),
        Bad(text: "[1] 2", line: 1, column: 5, message: "unexpected '2' after the end of the document"),
        Bad(text: "", line: 1, column: 1, message: "unexpected end of file; expected a value"),
        Bad(text: "// comment\n[]", line: 1, column: 1, message: "unexpected '/'; expected a value"),
        Bad(text: "[\"张伟\" x]", line: 1, column: 7, message: "unexpected 'x'; expected ',' or ']'"),
        Bad(text: "[\"\\ud800\"]", line: 1, column: 9, message: "a \\u escape holds an unpaired surrogate"),
    ]

    @Test("Syntax errors name the line, the column and the fault", arguments: bad)
    func syntaxErrors(_ example: Bad) {
        #expect(throws: JSONSyntaxError(line: example.line, column: example.column, message: example.message)) {
            _ = try JSONReader.parse(Array(example.text.utf8))
        }
    }

    @Test("Values parse, keys keep their order, escapes decode")
    func values() throws {
        let value = try JSONReader.parse(Array("\u{FEFF}{\"b\": [true, false, null, -1.5e3, 12345678901234567890], \"a\": \"x\\u00e9\\ud83d\\ude00\\n\"}".utf8))
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a"])
        #expect(value["a"] == .string("xé😀\n"))
        #expect(value["b"] == .array([.bool(true), .bool(false), .null, .number("-1.5e3"), .number("12345678901234567890")]))
    }

    @Test("Array elements stream one at a time with their byte ranges")
    func streaming() throws {
        let text = Array("[ {\"a\":1} , 2 ]".utf8)
        var reader = JSONReader(bytes: text)
        try reader.beginArray()
        var ranges: [Range<Int>] = []
        var index = 0
        while let (_, range) = try reader.nextArrayElement(isFirst: index == 0) {
            ranges.append(range)
            index += 1
        }
        try reader.expectEnd()
        #expect(ranges.map { String(decoding: text[$0], as: UTF8.self) } == ["{\"a\":1}", "2"])
    }
}
