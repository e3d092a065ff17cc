/// A node of an HTML tree held in Swift: an element or a run of text.
///
/// libxml2 parses the untrusted HTML; its tree is copied into these values at once, and every later step
/// (boilerplate removal, sanitising, serialising, plain text) works on them.
public enum HTMLNode: Equatable, Sendable {
    case element(HTMLElement)
    /// Decoded text (no entities).
    case text(String)

    /// All the text below this node, concatenated.
    public var textContent: String {
        switch self {
        case .text(let text): return text
        case .element(let element): return element.textContent
        }
    }
}

/// An element: a lowercase name, attributes in document order, children.
public struct HTMLElement: Equatable, Sendable {
    public var name: String
    public var attributes: [(name: String, value: String)]
    public var children: [HTMLNode]

    public init(name: String, attributes: [(name: String, value: String)] = [], children: [HTMLNode] = []) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    public static func == (lhs: HTMLElement, rhs: HTMLElement) -> Bool {
        lhs.name == rhs.name && lhs.children == rhs.children && lhs.attributes.count == rhs.attributes.count
            && zip(lhs.attributes, rhs.attributes).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// The value of the attribute `name`, if present.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// All the text below this element, concatenated.
    public var textContent: String {
        var result = ""
        for child in children { result += child.textContent }
        return result
    }
}
