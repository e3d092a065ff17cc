/// Edits a hand-formatted subscriber file in place, changing only the bytes of the entry concerned.
///
/// Every other entry, its key order, its unknown keys, the indentation and the comments-free layout the person
/// chose stay exactly as they were. A file that does not parse is refused and left untouched.
public enum SubscriberFileEditor {
    /// One change to the list.
    public enum Edit: Sendable {
        /// Adds a subscriber (or re-subscribes one who had unsubscribed).
        case add(EmailAddress, name: String?)
        /// Marks every entry of the address `"subscribed": false`.
        case unsubscribe(EmailAddress)
        /// Removes every entry of the address.
        case remove(EmailAddress)
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

    struct Layout {
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

    static func matches(_ value: JSONValue, _ address: EmailAddress) -> Bool {
        guard case .string(let email)? = value["email"] else { return false }
        if let parsed = try? EmailAddress(email) { return parsed.normalized == address.normalized }
        return email.lowercased() == address.description.lowercased()
    }

    /// Applies `edit` to the file contents `bytes`.
    ///
    /// - Throws: ``EditError`` when the file does not parse, or when the address to unsubscribe or remove is not listed.
    public static func apply(_ edit: Edit, to bytes: [UInt8], file: String) throws(EditError) -> Outcome {
        let layout = try layout(bytes, file: file)
        var output = bytes
        switch edit {
        case .remove(let address):
            let indices = layout.elements.indices.filter { matches(layout.elements[$0].value, address) }
            guard !indices.isEmpty else { throw .notListed(file: file, address: address.description) }
            // Work from the end so that earlier offsets stay valid; each deletion takes one separator with it.
            var remaining = layout.elements.map(\.range)
            var close = layout.close
            for index in indices.reversed() {
                let range = remaining[index]
                let cut: Range<Int>
                if index < remaining.count - 1 {
                    cut = range.lowerBound..<remaining[index + 1].lowerBound
                } else if index > 0 {
                    cut = remaining[index - 1].upperBound..<range.upperBound
                } else {
                    // The only entry left: the array becomes `[]`.
                    cut = (layout.open + 1)..<close
                }
                output.removeSubrange(cut)
                close -= cut.count
                remaining.remove(at: index)
                for later in index..<remaining.count {
                    remaining[later] = (remaining[later].lowerBound - cut.count)..<(remaining[later].upperBound - cut.count)
                }
            }
            return Outcome(bytes: finish(output), changed: true, summary: "removed \(address) (\(indices.count) entr\(indices.count == 1 ? "y" : "ies"))")

        case .unsubscribe(let address):
            let indices = layout.elements.indices.filter { matches(layout.elements[$0].value, address) }
            guard !indices.isEmpty else { throw .notListed(file: file, address: address.description) }
            var changed = false
            for index in indices.reversed() {
                let element = layout.elements[index]
                if case .bool(false)? = element.value["subscribed"] { continue }
                try setSubscribed(false, in: &output, element: element.range, file: file)
                changed = true
            }
            return Outcome(bytes: finish(output), changed: changed, summary: changed ? "unsubscribed \(address)" : "\(address) was already unsubscribed")

        case .add(let address, let name):
            let indices = layout.elements.indices.filter { matches(layout.elements[$0].value, address) }
            if !indices.isEmpty {
                let unsubscribed = indices.filter { index in
                    if case .bool(true)? = layout.elements[index].value["subscribed"] { return false }
                    return layout.elements[index].value["subscribed"] != nil
                }
                let isActive = unsubscribed.isEmpty
                if isActive { return Outcome(bytes: bytes, changed: false, summary: "\(address) is already subscribed") }
                for index in unsubscribed.reversed() {
                    try setSubscribed(true, in: &output, element: layout.elements[index].range, file: file)
                }
                return Outcome(bytes: finish(output), changed: true, summary: "re-subscribed \(address)")
            }
            output = append(address: address, name: name, to: output, layout: layout)
            return Outcome(bytes: finish(output), changed: true, summary: "added \(address)")
        }
    }

    /// Sets or adds the `subscribed` member of the object at `element`, in the object's own style.
    static func setSubscribed(_ value: Bool, in output: inout [UInt8], element: Range<Int>, file: String) throws(EditError) {
        let members: [JSONReader.MemberRange]
        do {
            members = try JSONReader.objectMembers(in: output, at: element.lowerBound)
        } catch {
            throw .syntax(file: file, error)
        }
        let literal = Array((value ? "true" : "false").utf8)
        if let existing = members.first(where: { $0.key == "subscribed" }) {
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
        insertion += Array("\"subscribed\": ".utf8) + literal
        output.insert(contentsOf: insertion, at: last.valueRange.upperBound)
    }

    /// Appends a new entry after the last one, in the style of the entries already there.
    static func append(address: EmailAddress, name: String?, to bytes: [UInt8], layout: Layout) -> [UInt8] {
        var output = bytes
        var fields = [("email", JSONValue.encodeString(address.description))]
        if let name, !Sanitize.collapsedLine(name).isEmpty { fields.append(("name", JSONValue.encodeString(Sanitize.collapsedLine(name)))) }
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
