import Foundation

/// Each subscriber's unsubscribe URL, made from the `newsletter.unsubscribeURL` template with `{{token}}` and
/// `{{email}}` (percent-encoded; the example leaves it out: spam filters score a raw address in a link), checked to be a usable https URL.
///
/// The template is rendered in full for the first subscriber; after that, once a skeleton of it (the template
/// rendered with markers) has reproduced a full render, URLs are filled in from the skeleton. Used from the one
/// thread that renders.
final class UnsubscribeLink: @unchecked Sendable {
    let templates: TemplateSet
    /// Names the template in errors: `config.json: newsletter.unsubscribeURL`.
    let source: String
    private var skeleton: BodySkeleton?
    private var triedSkeleton = false

    /// The longest URL accepted: List-Unsubscribe must stay foldable and a mail client must keep it whole.
    static let maximumLength = 900

    init(templates: TemplateSet, source: String) {
        self.templates = templates
        self.source = source
    }

    /// The URL for `address` and its `token`.
    ///
    /// - Throws: ``RenderError`` when the template gives something that is not a usable https URL.
    func url(token: String, address: EmailAddress) throws(RenderError) -> String {
        let encodedEmail = PercentEncoding.queryValue(address.description)
        // The token and the percent-encoded address are URL-safe: once the template's own text has passed the
        // checks below, a URL filled in from its skeleton passes them too, but for its length.
        if let skeleton {
            let url = skeleton.fill([token, encodedEmail])
            if url.utf8.count <= Self.maximumLength { return url }
        }
        let url = templates.unsubscribeLink(["token": token, "email": encodedEmail])
        let isClean = !url.unicodeScalars.contains { Sanitize.isControl($0) || $0 == " " || $0 == "<" || $0 == ">" || $0 == "\"" }
        guard url.lowercased().hasPrefix("https://") || ServerSettings.isLoopbackHTTP(url), isClean, url.utf8.count <= Self.maximumLength else {
            throw .invalidOutput(source: source, reason: "gave '\(Sanitize.printable(url))' for \(address), which is not a usable https URL")
        }
        if !triedSkeleton {
            triedSkeleton = true
            let rendered = templates.unsubscribeLink(["token": BodySkeleton.marker(0), "email": BodySkeleton.marker(1)])
            if let made = BodySkeleton(rendered), made.fill([token, encodedEmail]) == url {
                skeleton = made
            }
        }
        return url
    }

    /// Checks that `url` parses as a URL.
    func validate(_ url: String) throws(RenderError) {
        guard URL(string: url) != nil else {
            throw .invalidOutput(source: source, reason: "gave '\(Sanitize.printable(url))', which is not a valid URL")
        }
    }
}
