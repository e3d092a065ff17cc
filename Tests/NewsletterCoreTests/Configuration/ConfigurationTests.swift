import Foundation
import Testing

@testable import NewsletterCore

struct ConfigurationTests {
    static let minimal = """
        {
          "newsletter": {"title": "T", "from": "T <t@example.org>", "subject": "{{title}}", "unsubscribeURL": "https://e.org/u/{{token}}"},
          "articles": {"directory": "articles"},
          "templates": {"directory": "templates"},
          "subscribers": {"file": "subscribers.json"}
        }
        """

    func load(_ text: String) throws(ConfigurationError) -> Configuration {
        let json: JSONValue
        do {
            json = try JSONReader.parse(Array(text.utf8))
        } catch {
            throw .syntax(file: "c.json", error)
        }
        return try Configuration(json: json, file: "c.json", baseDirectory: "/etc/nl")
    }

    @Test("config.example.json loads and every path in it exists")
    func example() throws {
        let configuration = try Configuration.load(from: Fixtures.repositoryRoot + "/config.example.json")
        #expect(configuration.newsletter.title == "Daily Digest")
        #expect(configuration.newsletter.from.address.description == "digest@example.org")
        #expect(configuration.articles.window == 86_400)
        #expect(FileManager.default.fileExists(atPath: configuration.articles.directory))
        #expect(FileManager.default.fileExists(atPath: configuration.templates.directory))
        #expect(FileManager.default.fileExists(atPath: configuration.subscribers.file))
        #expect(configuration.articles.boilerplate.selectors.count > BoilerplateRules.defaultSelectorTexts.count)
    }

    @Test("config.example.json holds every key README's configuration table documents, and nothing else")
    func exampleHasEveryKey() throws {
        let readme = try String(contentsOfFile: Fixtures.repositoryRoot + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## Configuration\n").last?.components(separatedBy: "\n## ").first)
        var documented: Set<String> = []
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(2).prefix { $0 != "|" }
            for part in cell.split(separator: "/") {
                let key = part.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                if key.contains("."), key.first?.isLowercase == true, !key.contains(" ") { documented.insert(key) }
            }
        }
        let json = try JSONReader.parse(try FileSystem.readAll(Fixtures.repositoryRoot + "/config.example.json"))
        var present: Set<String> = []
        func walk(_ value: JSONValue, _ path: String) {
            guard case .object(let members) = value else { return }
            for member in members {
                let key = path.isEmpty ? member.key : path + "." + member.key
                if case .object(let inner) = member.value, !inner.isEmpty {
                    walk(member.value, key)
                } else if case .array(let elements) = member.value, case .object? = elements.first {
                    // A list of objects (`sources`): its entries' keys, as `sources[].feed`.
                    for element in elements { walk(element, key + "[]") }
                } else {
                    present.insert(key)
                }
            }
        }
        walk(json, "")
        // README names the pair `templates.html` / `templates.text` and `smtp.passwordEnv` / `smtp.passwordFile`.
        documented.formUnion(["templates.text", "smtp.passwordFile"])
        // `dkim` is documented but left out of the example on purpose: its key files must exist, and the quick start
        // runs the example without any (README, "DKIM, SPF and DMARC").
        documented.subtract(["dkim.domain", "dkim.signatures"])
        #expect(documented.subtracting(present).sorted() == [])
        #expect(present.subtracting(documented).sorted() == [])
    }

    @Test("Defaults of a minimal configuration; relative paths resolve against its folder")
    func defaults() throws {
        let configuration = try load(Self.minimal)
        #expect(configuration.articles.window == 86_400)
        #expect(configuration.articles.maxArticles == 20)
        #expect(configuration.articles.excerptLength == 300)
        #expect(configuration.articles.directory == "/etc/nl/articles")
        #expect(configuration.templates.html == "digest.html")
        #expect(configuration.templates.text == "digest.txt")
        #expect(configuration.subscribers.secretEnv == "NEWSLETTER_SECRET")
        #expect(configuration.newsletter.listID == "T <t.example.org>")
        #expect(configuration.articles.boilerplate == BoilerplateRules.standard())
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var from: String
        var to: String
        var expected: String
        var testDescription: String { expected }
    }

    static let bad: [Bad] = [
        Bad(from: "\"title\": \"T\"", to: "\"titel\": \"T\"", expected: "c.json: missing key `newsletter.title`"),
        Bad(from: "\"subject\": \"{{title}}\",", to: "\"subject\": \"{{title}}\", \"extra\": 1,", expected: "c.json: unknown key `newsletter.extra`"),
        Bad(from: "\"directory\": \"articles\"", to: "\"directory\": \"articles\", \"window\": 24", expected: "c.json: `articles.window` must be a string, found a number"),
        Bad(from: "\"directory\": \"articles\"", to: "\"directory\": \"articles\", \"window\": \"1 day\"", expected: "c.json: `articles.window`: '1 day' is not a duration such as \"90m\", \"24h\" or \"7d\""),
        Bad(from: "\"directory\": \"articles\"", to: "\"directory\": \"articles\", \"maxArticles\": \"5\"", expected: "c.json: `articles.maxArticles` must be a whole number, found a string"),
        Bad(from: "\"directory\": \"articles\"", to: "\"directory\": \"articles\", \"maxArticles\": 0", expected: "c.json: `articles.maxArticles`: must be between 1 and 1000, found 0"),
        Bad(from: "\"directory\": \"articles\"", to: "\"directory\": \"articles\", \"boilerplate\": {\"selectors\": [\"div > p\"]}", expected: "c.json: `articles.boilerplate.selectors[0]`: selector 'div > p': unexpected ' ' (combinators and pseudo-classes are not supported)"),
        Bad(from: "\"directory\": \"articles\"", to: "\"directory\": \"articles\", \"boilerplate\": {\"textBlocks\": [\"(\"]}", expected: "c.json: `articles.boilerplate.textBlocks[0]`: '(' is not a valid regular expression"),
        Bad(from: "\"T <t@example.org>\"", to: "\"T <not-an-address>\"", expected: "c.json: `newsletter.from`: 'not-an-address' is not a valid email address: it has no '@'"),
        Bad(from: "\"https://e.org/u/{{token}}\"", to: "\"http://e.org/u/{{token}}\"", expected: "c.json: `newsletter.unsubscribeURL`: must be an https:// URL (RFC 8058 one-click unsubscribe needs https)"),
        Bad(from: "\"subscribers\": {\"file\": \"subscribers.json\"}", to: "\"subscribers\": [\"subscribers.json\"]", expected: "c.json: `subscribers` must be an object, found an array"),
        Bad(from: "\"newsletter\": {", to: "\"newsleter\": {", expected: "c.json: unknown key `newsleter`"),
        Bad(from: "\"templates\": {\"directory\": \"templates\"},", to: "\"templates\": {\"folder\": \"templates\"},", expected: "c.json: unknown key `templates.folder`"),
        Bad(from: "\"subject\": \"{{title}}\",", to: "\"subject\": \"{{title}}\", \"timeZone\": \"Mars/Olympus\",", expected: "c.json: `newsletter.timeZone`: 'Mars/Olympus' is not a time zone name such as \"Europe/Paris\" or \"UTC\""),
        Bad(from: "\"T\",", to: "\"T\",,", expected: "c.json:2:31: unexpected ','; expected a key in double quotes"),
    ]

    @Test("Bad configurations name the file and the key", arguments: bad)
    func errors(_ example: Bad) {
        let text = Self.minimal.replacingOccurrences(of: example.from, with: example.to)
        #expect(text != Self.minimal)
        do {
            _ = try load(text)
            Issue.record("loaded a bad configuration")
        } catch {
            #expect(error.description == example.expected)
        }
    }

    @Test("A missing file is reported with its path")
    func missingFile() {
        do {
            _ = try Configuration.load(from: "/nonexistent/config.json")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description == "/nonexistent/config.json: cannot read the configuration: No such file or directory")
        }
    }

    @Test("Durations", arguments: [("90m", 5400.0), ("24h", 86_400.0), ("7d", 604_800.0), ("2w", 1_209_600.0), ("30s", 30.0), ("1.5h", 5400.0)])
    func durations(_ example: (String, Double)) {
        #expect(Configuration.parseDuration(example.0) == example.1)
    }

    @Test("Bad durations", arguments: ["", "h", "24", "-1h", "0h", "1y", "abc"])
    func badDurations(_ text: String) {
        #expect(Configuration.parseDuration(text) == nil)
    }
}

/// Issue 12: every configuration value that reaches a header is checked at load time, naming the key.
struct HeaderValueConfigurationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var key: String
        var value: String
        var testDescription: String { "\(key) = \(value.debugDescription.prefix(60))" }
    }

    func load(_ newsletter: [String: String]) throws(ConfigurationError) -> Configuration {
        var members: [(key: String, value: JSONValue)] = [
            ("title", .string("T")), ("from", .string("T <t@example.org>")), ("subject", .string("{{title}}")),
            ("unsubscribeURL", .string("https://e.org/u/{{token}}")),
        ]
        for (key, value) in newsletter {
            if let index = members.firstIndex(where: { $0.key == key }) { members[index].value = .string(value) } else { members.append((key, .string(value))) }
        }
        let json = JSONValue.object([
            ("newsletter", .object(members)), ("articles", .object([("directory", .string("a"))])),
            ("subscribers", .object([("file", .string("s.json"))])),
        ])
        return try Configuration(json: json, file: "c.json", baseDirectory: "/etc/nl")
    }

    static let bad: [Case] = [
        Case(key: "listId", value: "Digest <日报.example.org>"),
        Case(key: "listId", value: "Digest <digest.例子.org>"),
        Case(key: "listId", value: "Digest <digest>"),
        Case(key: "listId", value: "Digest <.example.org>"),
        Case(key: "listId", value: "Digest <a..example.org>"),
        Case(key: "listId", value: "Digest <example.org>"),
        Case(key: "listId", value: "Digest <a b.example.org>"),
        Case(key: "listId", value: "Digest <a\"b.example.org>"),
        Case(key: "listId", value: "Digest <digest.-example.org>"),
        Case(key: "listId", value: "Digest <" + String(repeating: "a", count: 250) + ".example.org>"),
        Case(key: "listId", value: "Digest daily-digest.example.org"),
        Case(key: "listId", value: "Di\u{1B}[31mgest <d.example.org>"),
        Case(key: "listId", value: String(repeating: "x", count: 300) + " <d.example.org>"),
        Case(key: "title", value: "Daily\u{0}Digest"),
        Case(key: "title", value: "Daily\rDigest"),
        Case(key: "title", value: "Daily \u{202E}tsegiD"),
        Case(key: "title", value: String(repeating: "长", count: 201)),
        Case(key: "from", value: "Daily\u{7}Digest <d@example.org>"),
        Case(key: "from", value: "\(String(repeating: "N", count: 201)) <d@example.org>"),
        Case(key: "from", value: "Digest <日报@example.org>"),
        Case(key: "subject", value: "{{title}}\n{{date}}"),
        Case(key: "subject", value: String(repeating: "s", count: 501)),
        Case(key: "unsubscribeURL", value: "https://e.org/退订?t={{token}}"),
        Case(key: "unsubscribeURL", value: "https://e.org/u?t={{token}}>, <https://evil.example"),
        Case(key: "unsubscribeURL", value: "https://e.org/u?t={{token}}\r\nBcc: x@evil.example"),
        Case(key: "unsubscribeMailto", value: "退订@example.org"),
    ]

    @Test("A value that cannot go into its header is refused at load time, naming the key", arguments: bad)
    func refused(_ example: Case) {
        do {
            _ = try load([example.key: example.value])
            Issue.record("accepted \(example.value.debugDescription)")
        } catch {
            guard case .invalidValue(let file, let key, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == "c.json")
            #expect(key == "newsletter.\(example.key)", "\(reason)")
        }
    }

    static let good: [Case] = [
        Case(key: "listId", value: "Daily Digest <daily-digest.example.org>"),
        Case(key: "listId", value: "<digest.example.org>"),
        Case(key: "listId", value: "每日简报 <daily.news.example.org>"),
        Case(key: "listId", value: "\"Quoted, name\" <a+b_c.list.example.org>"),
        Case(key: "listId", value: "Local <test.localhost>"),
        Case(key: "title", value: "每日简报 — Daily"),
        Case(key: "from", value: "\"Digest, Daily\" <d@xn--fsqu00a.example>"),
        Case(key: "from", value: "日报 <d@例子.example>"),
    ]

    @Test("Good header values load", arguments: good)
    func accepted(_ example: Case) throws {
        _ = try load([example.key: example.value])
    }

    @Test("The default List-Id of a long or non-ASCII title on an IDN domain is valid ASCII")
    func defaultListID() throws {
        let configuration = try load(["title": String(repeating: "Weekly news ", count: 16), "from": "日报 <d@例子.example>"])
        #expect(HeaderText.listIDProblem(configuration.newsletter.listID) == nil, "\(configuration.newsletter.listID)")
        #expect(configuration.newsletter.listID.hasSuffix(".xn--fsqu00a.example>"))
        let chinese = try load(["title": "每日简报"])
        #expect(chinese.newsletter.listID == "每日简报 <newsletter.example.org>")
    }
}
