/// A small CSS-like selector for boilerplate removal rules.
///
/// Grammar: an optional tag name, then any number of `.class`, `#id` and attribute tests:
/// `[name]`, `[name=value]`, `[name^=prefix]`, `[name*=part]`, `[name$=suffix]`. An attribute name ending in
/// `*` matches every attribute whose name starts with the rest (`[data-selfpromo-*]`). Values may be quoted.
/// Examples: `share-button`, `div[data-root-share]`, `.share`, `a[href^="whatsapp:"]`.
public struct ElementSelector: Sendable, Equatable, CustomStringConvertible {
    enum Match: Sendable, Equatable {
        case present
        case equals(String)
        case prefix(String)
        case contains(String)
        case suffix(String)
    }

    struct AttributeTest: Sendable, Equatable {
        var name: String
        var isNamePrefix: Bool
        var match: Match
    }

    var tag: String?
    var tests: [AttributeTest] = []
    /// The selector as written.
    public let description: String

    /// Parses `text`, or throws a message saying what is wrong with it.
    public init(_ text: String) throws(SelectorError) {
        description = text
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { throw SelectorError(selector: text, reason: "it is empty") }
        // Tag names are case-insensitive in HTML; class names and ids are not.
        func readName(_ rest: inout Substring) -> String {
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ":" }
            rest = rest.dropFirst(name.count)
            return String(name)
        }
        if rest.first != "[" && rest.first != "." && rest.first != "#" {
            let name = readName(&rest).lowercased()
            guard !name.isEmpty else { throw SelectorError(selector: text, reason: "expected a tag name, '.', '#' or '['") }
            tag = name
        }
        while let first = rest.first {
            rest = rest.dropFirst()
            switch first {
            case ".":
                let name = readName(&rest)
                guard !name.isEmpty else { throw SelectorError(selector: text, reason: "'.' needs a class name") }
                tests.append(AttributeTest(name: "class", isNamePrefix: false, match: .contains(name)))
            case "#":
                let name = readName(&rest)
                guard !name.isEmpty else { throw SelectorError(selector: text, reason: "'#' needs an id") }
                tests.append(AttributeTest(name: "id", isNamePrefix: false, match: .equals(name)))
            case "[":
                guard let close = rest.firstIndex(of: "]") else { throw SelectorError(selector: text, reason: "'[' is not closed") }
                let inner = rest[..<close]
                rest = rest[rest.index(after: close)...]
                tests.append(try ElementSelector.attributeTest(inner, selector: text))
            default:
                throw SelectorError(selector: text, reason: "unexpected '\(first)' (combinators and pseudo-classes are not supported)")
            }
        }
    }

    private static func attributeTest(_ inner: Substring, selector: String) throws(SelectorError) -> AttributeTest {
        let operators: [(String, (String) -> Match)] = [
            ("^=", Match.prefix), ("*=", Match.contains), ("$=", Match.suffix), ("=", Match.equals),
        ]
        for (op, make) in operators {
            if let range = inner.range(of: op) {
                var name = inner[..<range.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
                var value = inner[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                    value = String(value.dropFirst().dropLast())
                }
                let isPrefix = name.hasSuffix("*")
                if isPrefix { name.removeLast() }
                guard !name.isEmpty else { throw SelectorError(selector: selector, reason: "an attribute test needs a name") }
                return AttributeTest(name: name, isNamePrefix: isPrefix, match: make(value))
            }
        }
        var name = inner.trimmingCharacters(in: .whitespaces).lowercased()
        let isPrefix = name.hasSuffix("*")
        if isPrefix { name.removeLast() }
        guard !name.isEmpty else { throw SelectorError(selector: selector, reason: "an attribute test needs a name") }
        return AttributeTest(name: name, isNamePrefix: isPrefix, match: .present)
    }

    /// True when `element` matches every part of the selector.
    public func matches(_ element: HTMLElement) -> Bool {
        if let tag, tag != element.name { return false }
        return tests.allSatisfy { test in
            element.attributes.contains { attribute in
                let nameMatches = test.isNamePrefix ? attribute.name.hasPrefix(test.name) : attribute.name == test.name
                guard nameMatches else { return false }
                switch test.match {
                case .present: return true
                case .equals(let value): return attribute.value == value
                case .prefix(let value): return attribute.value.hasPrefix(value)
                case .suffix(let value): return attribute.value.hasSuffix(value)
                case .contains(let value):
                    if test.name == "class" { return attribute.value.split(separator: " ").contains { $0 == value } }
                    return attribute.value.contains(value)
                }
            }
        }
    }
}

/// A removal selector that cannot be parsed.
public struct SelectorError: Error, Equatable, CustomStringConvertible, Sendable {
    public var selector: String
    public var reason: String
    public var description: String { "selector '\(selector)': \(reason)" }
}
