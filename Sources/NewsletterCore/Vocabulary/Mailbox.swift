import Foundation

/// A mailbox: an optional display name and an address.
public struct Mailbox: Hashable, Sendable {
    /// The display name, any text; it is sanitised and encoded when written.
    public var displayName: String?
    /// The address.
    public var address: EmailAddress

    public init(displayName: String?, address: EmailAddress) {
        self.displayName = displayName
        self.address = address
    }

    /// Parses `Name <local@domain>` or a bare `local@domain`.
    ///
    /// - Throws: ``EmailAddressError`` when the address part is not valid.
    public init(parsing text: String) throws(EmailAddressError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            var name = String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
                name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            self.init(displayName: name.isEmpty ? nil : name, address: try EmailAddress(address))
        } else {
            self.init(displayName: nil, address: try EmailAddress(trimmed))
        }
    }
}
