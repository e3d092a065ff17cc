/// Edits a hand-formatted subscriber file in place, changing only the bytes of the entry concerned.
///
/// Every other entry, its key order, its unknown keys, the indentation and the comments-free layout the person
/// chose stay exactly as they were. A file that does not parse is refused and left untouched.
public enum SubscriberFileEditor {
    /// One change to the list.
    public enum Edit: Sendable {
        /// Adds a subscriber, or re-subscribes one who had unsubscribed; `fields` (e.g. `subscribedAt`, `source`)
        /// are set on the entry. `resubscribe` is the explicit consent needed to lift a suppression (see
        /// ``SubscriberStore``); the file editor itself does not look at it.
        case add(EmailAddress, name: String?, fields: [(key: String, value: JSONValue)] = [], resubscribe: Bool = false)
        /// Marks every entry of the address `"subscribed": false`, setting `fields` (e.g. `reason`,
        /// `unsubscribedAt`) too.
        case unsubscribe(EmailAddress, fields: [(key: String, value: JSONValue)] = [])
        /// Removes every entry of the address.
        case remove(EmailAddress)

        /// The address the edit is about.
        public var address: EmailAddress {
            switch self {
            case .add(let address, _, _, _), .unsubscribe(let address, _), .remove(let address): return address
            }
        }
    }

    /// The edited file and what was done.
    public struct Outcome: Sendable {
        /// The new file contents; equal to the old ones when nothing changed.
        public var bytes: [UInt8]
        /// Whether the file changed.
        public var changed: Bool
        /// One line saying what was done.
        public var summary: String
    }

    /// What one edit of a batch did.
    public enum EditResult: Sendable, Equatable {
        /// The file changed; the text says how.
        case changed(String)
        /// Nothing needed changing (already unsubscribed, already subscribed).
        case unchanged(String)
        /// The address is not in the list (unsubscribe, remove).
        case notListed(String)

        /// One line saying what was done.
        public var summary: String {
            switch self {
            case .changed(let text), .unchanged(let text), .notListed(let text): return text
            }
        }
    }

    /// Why an edit was refused.
    public enum EditError: Error, Equatable, CustomStringConvertible, Sendable {
        case syntax(file: String, JSONSyntaxError)
        case notListed(file: String, address: String)

        public var description: String {
            switch self {
            case .syntax(let file, let error): return "\(file):\(error.line):\(error.column): \(error.message); the file was not changed"
            case .notListed(let file, let address): return "\(file): \(address) is not in the list; the file was not changed"
            }
        }
    }

    struct Layout: Sendable {
        var open: Int
        var close: Int
        var elements: [(value: JSONValue, range: Range<Int>)]
    }

    static func layout(_ bytes: [UInt8], file: String) throws(EditError) -> Layout {
        var reader = JSONReader(bytes: bytes)
        var elements: [(value: JSONValue, range: Range<Int>)] = []
        do {
            try reader.beginArray(what: "an array of subscribers")
            let open = reader.offset - 1
            while let element = try reader.nextArrayElement(isFirst: elements.isEmpty) {
                elements.append((element.0, element.1))
            }
            let close = reader.offset - 1
            try reader.expectEnd()
            return Layout(open: open, close: close, elements: elements)
        } catch {
            throw .syntax(file: file, error)
        }
    }

    /// The key an entry is matched by: the normalised address, or the lowercased text when it is not one.
    static func key(of value: JSONValue) -> String? {
        guard case .string(let email)? = value["email"] else { return nil }
        if let parsed = try? EmailAddress(email) { return parsed.normalized }
        return email.lowercased()
    }

    /// Applies `edit` to the file contents `bytes`.
    ///
    /// - Throws: ``EditError`` when the file does not parse, or when the address to unsubscribe or remove is not listed.
    public static func apply(_ edit: Edit, to bytes: [UInt8], file: String) throws(EditError) -> Outcome {
        let (output, results) = try apply([edit], to: bytes, file: file)
        switch results[0] {
        case .notListed: throw .notListed(file: file, address: edit.address.description)
        case .changed(let summary): return Outcome(bytes: output, changed: true, summary: summary)
        case .unchanged(let summary): return Outcome(bytes: output, changed: false, summary: summary)
        }
    }

    /// Applies `edits` in order with one read of the layout and one pass over the bytes: a burst of requests costs
    /// one parse and one rewrite of the file, not one each.
    ///
    /// - Returns: the new contents (the old ones when nothing changed) and one result per edit.
    /// - Throws: ``EditError/syntax(file:_:)`` when the file does not parse; nothing is changed then.
    public static func apply(_ edits: [Edit], to bytes: [UInt8], file: String) throws(EditError) -> (bytes: [UInt8], results: [EditResult]) {
        let (output, results, _) = try apply(edits, to: try ParsedList(bytes, file: file), file: file)
        return (output, results)
    }

    /// A list file parsed once, down to what an edit needs: its bytes, where the array and each entry are, whether
    /// each entry is subscribed, and the entries of each address.
    ///
    /// A long-running writer (the web service) keeps the one its last transaction wrote, and reuses it while the
    /// file is unchanged, instead of parsing the whole list again for every batch. It holds no parsed values, so
    /// making the next one costs two flat copies, not a copy of 100,000 JSON trees.
    public struct ParsedList: Sendable {
        let bytes: [UInt8]
        let open: Int
        let close: Int
        let ranges: [Range<Int>]
        /// `subscribed` absent or `true`; a non-boolean value is never consent.
        let subscribed: [Bool]
        let byKey: [String: [Int]]

        /// Parses `bytes`.
        ///
        /// - Throws: ``EditError/syntax(file:_:)`` when they are not a JSON array.
        public init(_ bytes: [UInt8], file: String) throws(EditError) {
            let layout = try SubscriberFileEditor.layout(bytes, file: file)
            var byKey: [String: [Int]] = [:]
            var subscribed: [Bool] = []
            subscribed.reserveCapacity(layout.elements.count)
            for (index, element) in layout.elements.enumerated() {
                if let key = SubscriberFileEditor.key(of: element.value) { byKey[key, default: []].append(index) }
                let value = element.value["subscribed"]
                subscribed.append(value == nil || value == .bool(true))
            }
            self.init(bytes: bytes, open: layout.open, close: layout.close, ranges: layout.elements.map(\.range), subscribed: subscribed, byKey: byKey)
        }

        init(bytes: [UInt8], open: Int, close: Int, ranges: [Range<Int>], subscribed: [Bool], byKey: [String: [Int]]) {
            self.bytes = bytes
            self.open = open
            self.close = close
            self.ranges = ranges
            self.subscribed = subscribed
            self.byKey = byKey
        }
    }

    /// Applies `edits` to an already parsed list.
    ///
    /// - Returns: the new contents, one result per edit, and the new contents parsed when that came cheaply (only
    ///   members of existing entries were set: their places shift, and only the changed entries are read again);
    ///   nil when entries were added or removed.
    public static func apply(_ edits: [Edit], to parsed: ParsedList, file: String) throws(EditError)
        -> (bytes: [UInt8], results: [EditResult], parsed: ParsedList?)
    {
        let bytes = parsed.bytes
        let byKey = parsed.byKey
        // What the batch does to each entry, decided edit by edit against the entry's state so far.
        var memberSets: [Int: [(key: String, literal: [UInt8])]] = [:]
        var subscribedNow: [Int: Bool] = [:]
        var removed = Set<Int>()
        var appended: [(address: EmailAddress, name: String?, fields: [(key: String, value: JSONValue)], isSubscribed: Bool)] = []
        var results: [EditResult] = []

        func isSubscribed(_ index: Int) -> Bool {
            if let now = subscribedNow[index] { return now }
            return parsed.subscribed[index]
        }
        func set(_ index: Int, subscribed: Bool, fields: [(key: String, value: JSONValue)]) {
            var sets = memberSets[index] ?? []
            for (key, literal) in [("subscribed", Array((subscribed ? "true" : "false").utf8))] + fields.map({ ($0.key, Array($0.value.encoded.utf8)) }) {
                sets.removeAll { $0.key == key }
                sets.append((key, literal))
            }
            memberSets[index] = sets
            subscribedNow[index] = subscribed
        }

        for edit in edits {
            let address = edit.address
            let indices = (byKey[address.normalized] ?? []).filter { !removed.contains($0) }
            let pending = appended.indices.filter { appended[$0].address.normalized == address.normalized }
            switch edit {
            case .remove:
                guard !indices.isEmpty || !pending.isEmpty else {
                    results.append(.notListed("\(address) is not in the list"))
                    continue
                }
                indices.forEach { removed.insert($0) }
                appended.removeAll { $0.address.normalized == address.normalized }
                let count = indices.count + pending.count
                results.append(.changed("removed \(address) (\(count) entr\(count == 1 ? "y" : "ies"))"))

            case .unsubscribe(_, let fields):
                guard !indices.isEmpty || !pending.isEmpty else {
                    results.append(.notListed("\(address) is not in the list"))
                    continue
                }
                var changed = false
                for index in indices where isSubscribed(index) {
                    set(index, subscribed: false, fields: fields)
                    changed = true
                }
                for index in pending where appended[index].isSubscribed {
                    appended[index].isSubscribed = false
                    appended[index].fields = merged(appended[index].fields, fields)
                    changed = true
                }
                results.append(changed ? .changed("unsubscribed \(address)") : .unchanged("\(address) was already unsubscribed"))

            case .add(_, let name, let fields, _):
                if !indices.isEmpty || !pending.isEmpty {
                    let inactive = indices.filter { !isSubscribed($0) }
                    let inactivePending = pending.filter { !appended[$0].isSubscribed }
                    guard !inactive.isEmpty || !inactivePending.isEmpty else {
                        results.append(.unchanged("\(address) is already subscribed"))
                        continue
                    }
                    inactive.forEach { set($0, subscribed: true, fields: fields) }
                    for index in inactivePending {
                        appended[index].isSubscribed = true
                        appended[index].fields = merged(appended[index].fields, fields)
                    }
                    results.append(.changed("re-subscribed \(address)"))
                } else {
                    appended.append((address, name, fields, true))
                    results.append(.changed("added \(address)"))
                }
            }
        }
        guard !memberSets.isEmpty || !removed.isEmpty || !appended.isEmpty else { return (bytes, results, parsed) }

        // Each changed entry is edited on its own (a few bytes), then the file is put together in one pass, and
        // the places of the entries after each change shift by what it added: linear in the file, however many
        // entries a batch changes.
        var ranges = parsed.ranges
        var output: [UInt8]
        if memberSets.isEmpty {
            output = bytes
        } else {
            output = []
            output.reserveCapacity(bytes.count + memberSets.count * 64)
            var copied = 0
            var shift = 0
            var changed = memberSets.keys.sorted().makeIterator()
            var next = changed.next()
            for index in ranges.indices {
                let range = ranges[index]
                ranges[index] = (range.lowerBound + shift)..<(range.upperBound + shift)
                guard index == next else { continue }
                next = changed.next()
                var piece = Array(bytes[range])
                for (key, literal) in memberSets[index] ?? [] {
                    try setMember(key, literal, in: &piece, element: 0..<piece.count, file: file)
                }
                output.append(contentsOf: bytes[copied..<range.lowerBound])
                output.append(contentsOf: piece)
                copied = range.upperBound
                let delta = piece.count - range.count
                ranges[index] = ranges[index].lowerBound..<(ranges[index].upperBound + delta)
                shift += delta
            }
            output.append(contentsOf: bytes[copied...])
        }
        if removed.isEmpty && appended.isEmpty {
            // Only members were set: the entries keep their order and keys; their places moved by what was
            // inserted before them, and the changed ones are subscribed as the batch left them.
            var subscribed = parsed.subscribed
            for (index, now) in subscribedNow { subscribed[index] = now }
            let close = parsed.close + (output.count - bytes.count)
            let finished = finish(output)
            return (
                finished, results,
                ParsedList(bytes: finished, open: parsed.open, close: close, ranges: ranges, subscribed: subscribed, byKey: byKey)
            )
        }
        if !removed.isEmpty {
            var close = parsed.close + (output.count - bytes.count)
            var remaining = ranges
            for index in removed.sorted(by: >) {
                let range = remaining[index]
                let cut: Range<Int>
                if index < remaining.count - 1 {
                    cut = range.lowerBound..<remaining[index + 1].lowerBound
                } else if index > 0 {
                    cut = remaining[index - 1].upperBound..<range.upperBound
                } else {
                    // The only entry left: the array becomes `[]`.
                    cut = (parsed.open + 1)..<close
                }
                output.removeSubrange(cut)
                close -= cut.count
                remaining.remove(at: index)
                for later in index..<remaining.count {
                    remaining[later] = (remaining[later].lowerBound - cut.count)..<(remaining[later].upperBound - cut.count)
                }
            }
        }
        for entry in appended {
            var fields = entry.fields
            if !entry.isSubscribed { fields = merged([("subscribed", .bool(false))], fields) }
            output = append(address: entry.address, name: entry.name, fields: fields, to: output, layout: try Self.layout(output, file: file))
        }
        return (finish(output), results, nil)
    }

    /// `base` with `updates` set: an existing key takes the new value in place, a new key goes at the end.
    static func merged(_ base: [(key: String, value: JSONValue)], _ updates: [(key: String, value: JSONValue)]) -> [(key: String, value: JSONValue)] {
        var result = base
        for update in updates {
            if let index = result.firstIndex(where: { $0.key == update.key }) {
                result[index].value = update.value
            } else {
                result.append(update)
            }
        }
        return result
    }

    /// Sets or adds the member `key` of the object at `element` to the JSON text `literal`, in the object's own style.
    static func setMember(_ key: String, _ literal: [UInt8], in output: inout [UInt8], element: Range<Int>, file: String) throws(EditError) {
        let members: [JSONReader.MemberRange]
        do {
            members = try JSONReader.objectMembers(in: output, at: element.lowerBound)
        } catch {
            throw .syntax(file: file, error)
        }
        if let existing = members.first(where: { $0.key == key }) {
            output.replaceSubrange(existing.valueRange, with: literal)
            return
        }
        guard let last = members.last else { return }
        let isMultiline = output[element].contains(0x0A)
        var insertion: [UInt8]
        if isMultiline {
            insertion = Array(",\n".utf8) + indentation(before: last.keyStart, in: output)
        } else {
            insertion = Array(", ".utf8)
        }
        insertion += Array("\(JSONValue.encodeString(key)): ".utf8) + literal
        output.insert(contentsOf: insertion, at: last.valueRange.upperBound)
    }

    /// Appends a new entry after the last one, in the style of the entries already there.
    static func append(address: EmailAddress, name: String?, fields extra: [(key: String, value: JSONValue)], to bytes: [UInt8], layout: Layout) -> [UInt8] {
        var output = bytes
        var fields = [("email", JSONValue.encodeString(address.description))]
        if let name, !Sanitize.collapsedLine(name).isEmpty { fields.append(("name", JSONValue.encodeString(Sanitize.collapsedLine(name)))) }
        fields += extra.map { ($0.key, $0.value.encoded) }
        guard let last = layout.elements.last else {
            let entry = "{ " + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + " }"
            output.replaceSubrange(layout.open...layout.close, with: Array("[\n  \(entry)\n]".utf8))
            return output
        }
        let indent = indentation(before: last.range.lowerBound, in: bytes)
        let lastText = bytes[last.range]
        let entry: [UInt8]
        if lastText.contains(0x0A), let firstKey = (try? JSONReader.objectMembers(in: bytes, at: last.range.lowerBound))?.first {
            let memberIndent = indentation(before: firstKey.keyStart, in: bytes)
            let closeIndent = indentation(before: last.range.upperBound - 1, in: bytes)
            entry = Array("{\n".utf8)
                + fields.enumerated().flatMap { index, field in
                    memberIndent + Array("\"\(field.0)\": \(field.1)\(index < fields.count - 1 ? "," : "")\n".utf8)
                } + closeIndent + Array("}".utf8)
        } else {
            let spaced = lastText.starts(with: Array("{ ".utf8))
            let inner = fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ")
            entry = Array((spaced ? "{ \(inner) }" : "{\(inner)}").utf8)
        }
        let between = bytes[(layout.open + 1)..<layout.elements[0].range.lowerBound]
        let separator = between.contains(0x0A) ? Array(",\n".utf8) + indent : Array(", ".utf8)
        output.insert(contentsOf: separator + entry, at: last.range.upperBound)
        return output
    }

    /// The spaces and tabs between the start of the line holding `offset` and `offset`; empty if anything else
    /// stands there.
    static func indentation(before offset: Int, in bytes: [UInt8]) -> [UInt8] {
        var start = offset
        while start > 0, bytes[start - 1] == 0x20 || bytes[start - 1] == 0x09 { start -= 1 }
        guard start == 0 || bytes[start - 1] == 0x0A else { return [] }
        return Array(bytes[start..<offset])
    }

    /// Ensures the file ends with exactly the newline it should.
    static func finish(_ bytes: [UInt8]) -> [UInt8] {
        bytes.last == 0x0A ? bytes : bytes + [0x0A]
    }
}
