import Foundation
import Hummingbird
import NewsletterCore

/// `/archive/`: the same files as `newsletter archive`, made on request from the state folder.
extension WebApp {
    /// The archive pages hold the digest's own inline styles and remote images: their policy allows those, and
    /// still no script, no form and no framing.
    static let archivePolicy = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src https: data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

    func addArchiveRoutes(to router: Router<WebRequestContext>) {
        // The index's links are relative: `/archive` without its slash is sent to `/archive/`.
        router.get("/archive") { [self] request, _ in
            request.uri.path.hasSuffix("/") ? try archive("index.html") : Response(status: .movedPermanently, headers: [.location: "/archive/"])
        }
        router.get("/archive/:file") { [self] _, context in
            try archive(context.parameters.get("file") ?? "")
        }
    }

    func archive(_ name: String) throws -> Response {
        guard configuration.stateDirectory != nil else { throw HTTPError(.notFound) }
        let writer = ArchiveWriter(configuration: configuration, pages: pages, baseURL: settings.publicURL.map { $0 + "/archive/" })
        let editions = try writer.editions()
        let file: ArchiveWriter.File
        switch name {
        case "index.html", "": file = writer.index(editions)
        case "feed.atom": file = writer.feed(editions)
        case "style.css": file = writer.stylesheet
        default:
            guard name.hasSuffix(".html"), ArchiveWriter.isEditionID(String(name.dropLast(5))),
                let edition = editions.first(where: { $0.id + ".html" == name })
            else { throw HTTPError(.notFound) }
            file = writer.page(for: edition, templates: try TemplateSet.load(configuration))
        }
        return Response(
            status: .ok,
            headers: [.contentType: file.contentType, .contentSecurityPolicy: WebApp.archivePolicy, .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
