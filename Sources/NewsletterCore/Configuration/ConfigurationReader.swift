/// Reads one JSON object of the configuration strictly: typed getters that name the key path on error, and a
/// final check that every key present was read, so that a misspelt key is an error rather than silently ignored.
struct ConfigurationReader {
    let file: String
    let path: String
    let members: [(key: String, value: JSONValue)]
    private(set) var consumed: Set<String> = []

    init(file: String, path: String, value: JSONValue) throws(ConfigurationError) {
        guard case .object(let members) = value else {
            throw .wrongType(file: file, key: path.isEmpty ? "(top level)" : path, expected: "an object", found: value.typeDescription)
        }
        self.file = file
        self.path = path
        self.members = members
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    mutating func value(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        if case .null = value { return nil }
        return value
    }

    mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let string) = value else {
            throw .wrongType(file: file, key: keyPath(key), expected: "a string", found: value.typeDescription)
        }
        return string
    }

    mutating func requiredString(_ key: String) throws(ConfigurationError) -> String {
        guard let string = try string(key) else { throw .missingKey(file: file, key: keyPath(key)) }
        guard !string.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidValue(file: file, key: keyPath(key), reason: "must not be empty")
        }
        return string
    }

    mutating func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let bool) = value else {
            throw .wrongType(file: file, key: keyPath(key), expected: "true or false", found: value.typeDescription)
        }
        return bool
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let text) = value, let integer = Int(text) else {
            throw .wrongType(file: file, key: keyPath(key), expected: "a whole number", found: value.typeDescription)
        }
        guard range.contains(integer) else {
            throw .invalidValue(file: file, key: keyPath(key), reason: "must be between \(range.lowerBound) and \(range.upperBound), found \(integer)")
        }
        return integer
    }

    mutating func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
        guard let value = value(key) else { return nil }
        guard case .number(let text) = value, let number = Double(text) else {
            throw .wrongType(file: file, key: keyPath(key), expected: "a number", found: value.typeDescription)
        }
        guard range.contains(number) else {
            throw .invalidValue(file: file, key: keyPath(key), reason: "must be between \(range.lowerBound) and \(range.upperBound), found \(text)")
        }
        return number
    }

    mutating func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else {
            throw .wrongType(file: file, key: keyPath(key), expected: "an array of strings", found: value.typeDescription)
        }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let string) = element else {
                throw .wrongType(file: file, key: "\(keyPath(key))[\(index)]", expected: "a string", found: element.typeDescription)
            }
            result.append(string)
        }
        return result
    }

    mutating func object(_ key: String) throws(ConfigurationError) -> ConfigurationReader? {
        guard let value = value(key) else { return nil }
        return try ConfigurationReader(file: file, path: keyPath(key), value: value)
    }

    /// Fails on the first key that no getter asked for.
    /// Refuses a key not among `known`, before any required key is missed: a misspelt section
    /// (`"newsleter"`) is named as the unknown key it is, not reported as `newsletter` missing.
    func refuseUnknown(_ known: Set<String>) throws(ConfigurationError) {
        for member in members where !known.contains(member.key) {
            throw .unknownKey(file: file, key: keyPath(member.key))
        }
    }

    func finish() throws(ConfigurationError) {
        for member in members where !consumed.contains(member.key) {
            throw .unknownKey(file: file, key: keyPath(member.key))
        }
    }
}
