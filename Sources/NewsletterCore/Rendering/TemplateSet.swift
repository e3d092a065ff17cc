import Foundation
import Mustache

/// The digest's Mustache templates, parsed once per run and rendered once per subscriber.
///
/// Every `*.mustache` file below the templates folder is loaded under its relative name without the extension
/// (`partials/article.html`). Templates whose name ends in `.txt`, and the subject and unsubscribe-URL templates
/// from the configuration, render as text: `{{% CONTENT_TYPE: TEXT}}` is added when the file lacks it, so that
/// `{{x}}` is never HTML-escaped in plain text.
public struct TemplateSet: Sendable {
    let library: MustacheLibrary
    let htmlName: String
    let textName: String
    let subject: MustacheTemplate
    let unsubscribeURL: MustacheTemplate
    /// Whether any template mentions `fields`: then a subscriber with fields is always rendered in full.
    let mentionsFields: Bool

    static let textPragma = "{{% CONTENT_TYPE: TEXT}}"

    /// Loads the templates the configuration names.
    ///
    /// - Throws: ``RenderError`` naming the file that is missing or does not parse.
    public static func load(_ configuration: Configuration) throws(RenderError) -> TemplateSet {
        let directory = configuration.templates.directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
            let enumerator = FileManager.default.enumerator(atPath: directory)
        else { throw .missingDirectory(directory) }
        var library = MustacheLibrary()
        var names: [String] = []
        var mentionsFields = false
        while let relative = enumerator.nextObject() as? String {
            // templates/web/ holds the pages of `newsletter serve`, which loads them itself.
            guard relative.hasSuffix(".mustache"), !relative.hasPrefix("web/") else { continue }
            let path = directory + "/" + relative
            let name = String(relative.dropLast(".mustache".count))
            let source: String
            do {
                source = try String(decoding: FileSystem.readAll(path), as: UTF8.self)
            } catch {
                throw .syntax(file: path, line: 1, column: 1, message: "cannot read: \(error.reason)")
            }
            let text = name.hasSuffix(".txt") && !source.hasPrefix(textPragma) ? textPragma + source : source
            if source.contains("fields") { mentionsFields = true }
            library.register(try parse(text, file: path), named: name)
            names.append(name)
        }
        for name in [configuration.templates.html, configuration.templates.text] where !names.contains(name) {
            throw .missingTemplate(name: name, expectedFile: directory + "/" + name + ".mustache")
        }
        return TemplateSet(
            library: library, htmlName: configuration.templates.html, textName: configuration.templates.text,
            subject: try parse(textPragma + configuration.newsletter.subject, file: "\(configuration.file): newsletter.subject"),
            unsubscribeURL: try parse(textPragma + configuration.newsletter.unsubscribeURL, file: "\(configuration.file): newsletter.unsubscribeURL"),
            mentionsFields: mentionsFields)
    }

    static func parse(_ text: String, file: String) throws(RenderError) -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: text)
        } catch let error as MustacheTemplate.ParserError {
            let column = error.context.lineNumber == 1 && text.hasPrefix(textPragma) ? error.context.columnNumber - textPragma.count : error.context.columnNumber
            throw .syntax(file: file, line: error.context.lineNumber, column: max(column, 1), message: "\(error.error)")
        } catch {
            throw .syntax(file: file, line: 1, column: 1, message: "\(error)")
        }
    }

    /// The partial rendered once per article and edition (`{{{renderedHTML}}}` in the digest template).
    public static let articleHTMLPartial = "partials/article.html"
    /// The plain-text counterpart (`{{{renderedText}}}`).
    public static let articleTextPartial = "partials/article.txt"

    /// Renders the template `name` if it exists.
    public func partial(_ name: String, _ context: [String: Any]) -> String? {
        library.getTemplate(named: name).map { $0.render(context, library: library) }
    }

    /// Renders the HTML body.
    public func html(_ context: [String: Any]) -> String {
        library.render(context, withTemplate: htmlName) ?? ""
    }

    /// Renders the plain-text body.
    public func text(_ context: [String: Any]) -> String {
        library.render(context, withTemplate: textName) ?? ""
    }

    /// Renders the subject (one line).
    public func subjectLine(_ context: [String: Any]) -> String {
        Sanitize.collapsedLine(subject.render(context, library: library))
    }

    /// Renders the unsubscribe URL for one subscriber.
    public func unsubscribeLink(_ context: [String: Any]) -> String {
        unsubscribeURL.render(context, library: library).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
