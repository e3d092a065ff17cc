import Foundation
import Testing

@testable import NewsletterCore

struct TemplateSetTests {
    func configuration(templates: String, html: String = "digest.html", subject: String = "{{title}}") throws -> Configuration {
        let text = """
            {"newsletter": {"title": "T", "from": "t@example.org", "subject": "\(subject)", "unsubscribeURL": "https://e.org/{{token}}"},
             "articles": {"directory": "a"}, "templates": {"directory": "\(templates)", "html": "\(html)"}, "subscribers": {"file": "s.json"}}
            """
        return try Configuration(json: JSONReader.parse(Array(text.utf8)), file: "c.json", baseDirectory: "/")
    }

    @Test("The shipped templates load")
    func shipped() throws {
        _ = try TemplateSet.load(try configuration(templates: Fixtures.repositoryRoot + "/templates"))
    }

    @Test("An unknown template name is an error naming the file it expected")
    func unknownName() throws {
        let root = Fixtures.repositoryRoot + "/templates"
        #expect(throws: RenderError.missingTemplate(name: "weekly.html", expectedFile: root + "/weekly.html.mustache")) {
            _ = try TemplateSet.load(try configuration(templates: root, html: "weekly.html"))
        }
    }

    @Test("A missing templates folder is an error naming it")
    func missingFolder() throws {
        #expect(throws: RenderError.missingDirectory("/nonexistent")) {
            _ = try TemplateSet.load(try configuration(templates: "/nonexistent"))
        }
    }

    @Test("A template that does not parse is an error naming the file and line")
    func syntax() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileSystem.writeAtomically(Array("ok\n{{#articles}}\n".utf8), to: folder + "/digest.html.mustache")
        try FileSystem.writeAtomically(Array("ok".utf8), to: folder + "/digest.txt.mustache")
        do {
            _ = try TemplateSet.load(try configuration(templates: folder))
            Issue.record("loaded a broken template")
        } catch let error as RenderError {
            guard case .syntax(let file, _, _, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(file == folder + "/digest.html.mustache")
        }
    }

    @Test("Text templates never HTML-escape")
    func textIsNotEscaped() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileSystem.writeAtomically(Array("{{title}}".utf8), to: folder + "/digest.html.mustache")
        try FileSystem.writeAtomically(Array("{{title}}".utf8), to: folder + "/digest.txt.mustache")
        let set = try TemplateSet.load(try configuration(templates: folder, subject: "{{title}}"))
        #expect(set.text(["title": "Fish & <chips>"]) == "Fish & <chips>")
        #expect(set.html(["title": "Fish & <chips>"]) == "Fish &amp; &lt;chips&gt;")
        #expect(set.subjectLine(["title": "Fish & <chips>"]) == "Fish & <chips>")
    }
}
