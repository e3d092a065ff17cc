import Foundation

/// A strict, position-aware JSON reader over UTF-8 bytes.
public struct JSONReader {
    let bytes: [UInt8]
    /// The offset of the next unread byte.
    public internal(set) var offset: Int = 0
    /// Nesting deeper than this is refused rather than risking the stack.
    let maxDepth = 512

    /// Creates a reader over `bytes`, skipping a UTF-8 byte order mark.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
    }

    /// Parses a whole document holding exactly one value.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var reader = JSONReader(bytes: bytes)
        let value = try reader.readValue()
        try reader.expectEnd()
        return value
    }

    /// Fails unless only white space remains.
    public mutating func expectEnd() throws(JSONSyntaxError) {
        skipWhitespace()
        if offset < bytes.count { throw error("unexpected \(describeCurrent()) after the end of the document") }
    }

    /// Reads the `[` that opens an array, or fails naming what stood there instead.
    public mutating func beginArray(what: String = "an array") throws(JSONSyntaxError) {
        skipWhitespace()
        guard offset < bytes.count else { throw error("the file is empty; expected \(what)") }
        guard bytes[offset] == UInt8(ascii: "[") else {
            throw error("expected \(what) at the top level, found \(describeCurrent())")
        }
        offset += 1
    }

    /// Reads the next element of an array opened by `beginArray`, with the byte range it occupies.
    ///
    /// Returns nil after the closing `]`. Elements are read one at a time, so a long list is never held whole.
    public mutating func nextArrayElement(isFirst: Bool) throws(JSONSyntaxError) -> (JSONValue, Range<Int>)? {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of file; expected ']'") }
        if bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return nil
        }
        if !isFirst {
            guard bytes[offset] == UInt8(ascii: ",") else { throw error("unexpected \(describeCurrent()); expected ',' or ']'") }
            offset += 1
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { throw error("unexpected ']' after a trailing ','") }
        }
        skipWhitespace()
        let start = offset
        let value = try readValue()
        return (value, start..<offset)
    }

    /// One member of an object with where its key and value stand, for edits that keep the rest of a file.
    public struct MemberRange: Sendable, Equatable {
        public var key: String
        /// The offset of the key's opening quote.
        public var keyStart: Int
        /// The bytes of the value.
        public var valueRange: Range<Int>
    }

    /// The members of the object that starts at `start`, with their byte ranges.
    public static func objectMembers(in bytes: [UInt8], at start: Int) throws(JSONSyntaxError) -> [MemberRange] {
        var reader = JSONReader(bytes: bytes)
        reader.offset = start
        reader.skipWhitespace()
        guard reader.offset < bytes.count, bytes[reader.offset] == UInt8(ascii: "{") else { throw reader.error("expected an object") }
        reader.offset += 1
        var members: [MemberRange] = []
        while true {
            reader.skipWhitespace()
            guard reader.offset < bytes.count else { throw reader.error("unexpected end of file; expected '}'") }
            if bytes[reader.offset] == UInt8(ascii: "}") { return members }
            if bytes[reader.offset] == UInt8(ascii: ",") {
                reader.offset += 1
                continue
            }
            let keyStart = reader.offset
            guard bytes[reader.offset] == UInt8(ascii: "\"") else { throw reader.error("expected a key") }
            let key = try reader.readString()
            reader.skipWhitespace()
            guard reader.offset < bytes.count, bytes[reader.offset] == UInt8(ascii: ":") else { throw reader.error("expected ':'") }
            reader.offset += 1
            reader.skipWhitespace()
            let valueStart = reader.offset
            _ = try reader.readValue()
            members.append(MemberRange(key: key, keyStart: keyStart, valueRange: valueStart..<reader.offset))
        }
    }

    /// Reads one value at the current position.
    public mutating func readValue() throws(JSONSyntaxError) -> JSONValue {
        try readValue(depth: 0)
    }

    private mutating func readValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < maxDepth else { throw error("nesting is deeper than \(maxDepth) levels") }
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of file; expected a value") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try readObject(depth: depth)
        case UInt8(ascii: "["): return try readArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw error("unexpected \(describeCurrent()); expected a value")
        }
    }

    private mutating func readObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        offset += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of file; expected a key") }
            guard bytes[offset] == UInt8(ascii: "\"") else {
                if bytes[offset] == UInt8(ascii: "}") { throw error("unexpected '}' after a trailing ','") }
                throw error("unexpected \(describeCurrent()); expected a key in double quotes")
            }
            let keyStart = offset
            let key = try readString()
            if members.contains(where: { $0.key == key }) {
                offset = keyStart
                throw error("duplicate key \"\(key)\"")
            }
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else {
                throw error("unexpected \(describeCurrent()); expected ':' after the key \"\(key)\"")
            }
            offset += 1
            let value = try readValue(depth: depth + 1)
            members.append((key, value))
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of file; expected ',' or '}'") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
                continue
            }
            if bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            }
            throw error("unexpected \(describeCurrent()); expected ',' or '}'")
        }
    }

    private mutating func readArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { throw error("unexpected ']' after a trailing ','") }
            elements.append(try readValue(depth: depth + 1))
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of file; expected ',' or ']'") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
                continue
            }
            if bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(elements)
            }
            throw error("unexpected \(describeCurrent()); expected ',' or ']'")
        }
    }

    private mutating func readLiteral(_ word: String) throws(JSONSyntaxError) {
        let literal = Array(word.utf8)
        let count = literal.count
        let matches = offset + count <= bytes.count && bytes[offset..<offset + count].elementsEqual(literal)
        guard matches else { throw error("unexpected \(describeCurrent()); expected a value") }
        offset += count
    }

    private mutating func readNumber() throws(JSONSyntaxError) -> String {
        let start = offset
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("a number needs a digit after '-'") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count, isDigit(bytes[offset]) { throw error("a number may not start with 0") }
        } else {
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("a number needs a digit after '.'") }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("a number needs a digit in its exponent") }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    mutating func readString() throws(JSONSyntaxError) -> String {
        offset += 1
        var result: [UInt8] = []
        var runStart = offset
        while true {
            guard offset < bytes.count else { throw error("unexpected end of file inside a string") }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                result.append(contentsOf: bytes[runStart..<offset])
                offset += 1
                break
            }
            if byte < 0x20 {
                throw error(byte == 0x0A ? "a string may not contain a line break (write \\n)" : "a string may not contain control character U+\(hex4(UInt32(byte)))")
            }
            if byte == UInt8(ascii: "\\") {
                result.append(contentsOf: bytes[runStart..<offset])
                try readEscape(into: &result)
                runStart = offset
                continue
            }
            offset += 1
        }
        guard let string = String(validating: result, as: UTF8.self) else {
            throw error("a string holds bytes that are not UTF-8")
        }
        return string
    }

    private mutating func readEscape(into result: inout [UInt8]) throws(JSONSyntaxError) {
        offset += 1
        guard offset < bytes.count else { throw error("unexpected end of file inside a string") }
        let escape = bytes[offset]
        offset += 1
        switch escape {
        case UInt8(ascii: "\""): result.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): result.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): result.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): result.append(0x08)
        case UInt8(ascii: "f"): result.append(0x0C)
        case UInt8(ascii: "n"): result.append(0x0A)
        case UInt8(ascii: "r"): result.append(0x0D)
        case UInt8(ascii: "t"): result.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw error("a \\u escape holds an unpaired surrogate")
                }
                offset += 2
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("a \\u escape holds an unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("a \\u escape holds an unpaired surrogate")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
            result.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            offset -= 1
            throw error("invalid escape '\\\(describeCurrentRaw())' in a string")
        }
    }

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error("unexpected end of file in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("a \\u escape needs four hex digits")
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    private func describeCurrent() -> String {
        guard offset < bytes.count else { return "end of file" }
        return "'\(describeCurrentRaw())'"
    }

    private func describeCurrentRaw() -> String {
        guard offset < bytes.count else { return "" }
        var end = offset + 1
        while end < bytes.count, end - offset < 4, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let text = String(decoding: bytes[offset..<end], as: UTF8.self)
        if let scalar = text.unicodeScalars.first, scalar.value < 0x20 { return "U+" + hex4(scalar.value) }
        return text
    }

    private func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// An error at the current offset, with line and column counted in characters.
    func error(_ message: String) -> JSONSyntaxError {
        let (line, column) = JSONReader.lineAndColumn(of: min(offset, bytes.count), in: bytes)
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    /// The 1-based line and column of a byte offset; columns count characters, not bytes.
    public static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < offset {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return (line, column)
    }
}
