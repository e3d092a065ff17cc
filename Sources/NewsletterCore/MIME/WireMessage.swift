/// Both wire skeletons of a message.
final class WireMessage {
    let text: WireSkeleton
    let html: WireSkeleton

    init(text: [WireSkeleton.Piece], html: [WireSkeleton.Piece]) {
        self.text = WireSkeleton(text)
        self.html = WireSkeleton(html)
    }

    /// `envelope` in wire form with the skeletons' bodies filled with `values` (email, name, unsubscribe URL);
    /// `escaped` holds the same values HTML-escaped, for the slots that take them so.
    func message(_ envelope: MailMessage, values: [String], escaped: [String], fixed: MailMessage.FixedFields) -> [UInt8] {
        envelope.assembled(
            textEncoding: text.encoding, htmlEncoding: html.encoding, bodySize: text.fixedSize + html.fixedSize + 512, fixed: fixed,
            text: { self.text.write(values, escaped: escaped, to: &$0) }, html: { self.html.write(values, escaped: escaped, to: &$0) })
    }
}
