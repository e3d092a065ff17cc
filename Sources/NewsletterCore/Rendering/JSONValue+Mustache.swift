extension JSONValue {
    /// The value as Mustache walks it: dictionaries, arrays, strings, numbers, booleans (null is false).
    var mustacheValue: Any {
        switch self {
        case .null: return false
        case .bool(let bool): return bool
        case .number(let text): return Int(text).map { $0 as Any } ?? (Double(text).map { $0 as Any } ?? text)
        case .string(let string): return string
        case .array(let elements): return elements.map(\.mustacheValue)
        case .object(let members):
            var dictionary: [String: Any] = [:]
            for member in members { dictionary[member.key] = member.value.mustacheValue }
            return dictionary
        }
    }
}
