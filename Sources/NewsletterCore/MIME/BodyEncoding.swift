import Foundation

/// The content transfer encoding of one text part, chosen by content.
public enum BodyEncoding: String, Sendable {
    case quotedPrintable = "quoted-printable"
    case base64 = "base64"

    /// The shorter of quoted-printable and base64 for `text`; quoted-printable on a tie, since people can read it.
    ///
    /// English text stays quoted-printable (nearly every octet is literal); Chinese text, where every character
    /// costs nine quoted-printable characters against four base64 ones, goes base64.
    public static func choose(for text: String) -> BodyEncoding {
        let octets = text.utf8.count
        let base64Length = (octets + 2) / 3 * 4
        return QuotedPrintable.estimatedLength(text) <= base64Length ? .quotedPrintable : .base64
    }

    /// Encodes `text` (LF or CRLF line breaks) with CRLF line endings and lines of at most 76 characters.
    public func encode(_ text: String) -> String {
        switch self {
        case .quotedPrintable:
            return QuotedPrintable.encode(text)
        case .base64:
            let crlf = BodyEncoding.crlfText(text)
            return Data(crlf.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]) + "\r\n"
        }
    }

    /// `text` with every line break as CRLF and a final CRLF: the canonical form a text part is encoded from.
    static func crlfText(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count + text.utf8.count / 20)
        var lines = LineEndings.normalized(text).split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            result += line
            result += "\r\n"
        }
        return result
    }
}
