import Foundation

/// The machine-readable part of a delivery status notification (RFC 3464 section 2): the per-message fields, then
/// one group of fields per recipient.
public struct DeliveryStatus: Sendable, Equatable {
    /// One recipient's fields.
    public struct Recipient: Sendable, Equatable {
        /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`, lowercased.
        public var action: String
        /// The RFC 3463 status, e.g. `5.1.1`.
        public var status: String
        /// The address of `Final-Recipient: rfc822; address`, when it validates.
        public var finalRecipient: EmailAddress?
        /// The address of `Original-Recipient: rfc822; address` (the address as the sender gave it), when present.
        public var originalRecipient: EmailAddress?
        /// `Diagnostic-Code`, e.g. `smtp; 550 5.1.1 user unknown`, as written.
        public var diagnostic: String?

        /// The class digit of ``status``: 2, 4 or 5, or nil when the status is not `d.d.d`.
        public var statusClass: Int? {
            let pieces = status.split(separator: ".")
            guard pieces.count == 3, pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }), let first = Int(pieces[0]) else {
                return nil
            }
            return [2, 4, 5].contains(first) ? first : nil
        }
    }

    /// The `Reporting-MTA` of the per-message fields.
    public var reportingMTA: String?
    public var recipients: [Recipient]

    /// Reads the fields of a `message/delivery-status` (or `message/global-delivery-status`, RFC 6533) body.
    public init(text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        var groups: [MessageHeaders] = []
        // Leading blank lines are tolerated; each group ends at a blank line.
        while offset < bytes.count, groups.count < 1000 {
            while offset < bytes.count, bytes[offset] == 0x0A || bytes[offset] == 0x0D { offset += 1 }
            guard offset < bytes.count else { break }
            let (group, next) = MessageHeaders.parse(bytes[offset...])
            if !group.fields.isEmpty { groups.append(group) }
            guard next > offset else { break }
            offset = next
        }
        reportingMTA = groups.first?["Reporting-MTA"]
        recipients = groups.compactMap { group -> Recipient? in
            guard let action = group["Action"] else { return nil }
            return Recipient(
                action: action.trimmingCharacters(in: .whitespaces).lowercased(),
                status: (group["Status"] ?? "").split(separator: " ").first.map(String.init) ?? "",
                finalRecipient: DeliveryStatus.address(group["Final-Recipient"]),
                originalRecipient: DeliveryStatus.address(group["Original-Recipient"]),
                diagnostic: group["Diagnostic-Code"])
        }
    }

    /// The address of an `address-type; address` field (`rfc822;bob@example.org`).
    static func address(_ value: String?) -> EmailAddress? {
        guard let value else { return nil }
        let address = value.split(separator: ";", maxSplits: 1).last.map(String.init) ?? value
        let trimmed = address.trimmingCharacters(in: CharacterSet(charactersIn: " \t<>"))
        return try? EmailAddress(trimmed)
    }
}
