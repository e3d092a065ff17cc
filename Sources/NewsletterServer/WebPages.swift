import Foundation
import Mustache
import NewsletterCore

/// The service's pages and its confirmation mail: the Mustache templates of `templates/web/`, loaded once.
///
/// Every `*.mustache` file of the folder is a template named by its relative path without the extension
/// (`unsubscribe.html`, `partials/header.html`); those ending in `.txt` render as text. `style.css` is served as is.
struct WebPages: Sendable {
    let library: MustacheLibrary
    let stylesheet: [UInt8]
    let directory: String

    /// The templates the service renders; each must exist.
    static let required = [
        "unsubscribe.html", "unsubscribed.html", "resubscribed.html", "subscribe.html", "subscribe-sent.html", "confirm.html",
        "confirmed.html", "error.html", "archive-index.html", "archive-feed.atom", "confirmation-mail.txt", "confirmation-mail.html",
    ]

    /// Loads the templates in `directory`.
    ///
    /// - Throws: ``RenderError`` naming the folder or the file that is missing or does not parse.
    init(directory: String) throws(RenderError) {
        self.directory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
            let enumerator = FileManager.default.enumerator(atPath: directory)
        else { throw .missingDirectory(directory) }
        var library = MustacheLibrary()
        var names: Set<String> = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".mustache") else { continue }
            let path = directory + "/" + relative
            let name = String(relative.dropLast(".mustache".count))
            let source: String
            do {
                source = try String(decoding: FileSystem.readAll(path), as: UTF8.self)
            } catch {
                throw .syntax(file: path, line: 1, column: 1, message: "cannot read: \(error.reason)")
            }
            let pragma = "{{% CONTENT_TYPE: TEXT}}"
            let text = name.hasSuffix(".txt") && !source.hasPrefix(pragma) ? pragma + source : source
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw .syntax(file: path, line: error.context.lineNumber, column: error.context.columnNumber, message: "\(error.error)")
            } catch {
                throw .syntax(file: path, line: 1, column: 1, message: "\(error)")
            }
            names.insert(name)
        }
        for name in WebPages.required where !names.contains(name) {
            throw .missingTemplate(name: name, expectedFile: directory + "/" + name + ".mustache")
        }
        do {
            stylesheet = try FileSystem.readAll(directory + "/style.css")
        } catch {
            throw .missingTemplate(name: "style.css", expectedFile: directory + "/style.css")
        }
        self.library = library
    }

    /// Renders the template `name` with `context`.
    func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }
}
