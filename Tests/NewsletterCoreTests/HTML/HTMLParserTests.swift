import Foundation
import Testing

@testable import NewsletterCore

/// Issue 12: the parser sees what a browser sees (HTML5 character references, void elements).
struct HTMLParserTests {
    static let base = URL(string: "https://news.example.com/a/b.html")

    func cleaned(_ html: String, base: URL? = HTMLParserTests.base) -> String {
        HTMLSerializer.html(HTMLSanitizer(rules: BoilerplateRules.standard()).clean(HTMLParser.parseFragment(html), base: base))
    }

    struct Vector: Sendable, CustomTestStringConvertible {
        var html: String
        var testDescription: String { html }
    }

    /// URLs that a browser reads as javascript: or data: once HTML5's named references are decoded.
    static let hiddenSchemes: [Vector] = [
        Vector(html: #"<a href="javascript&colon;alert(1)">x</a>"#),
        Vector(html: #"<a href="javascript&#x3a;alert(1)">x</a>"#),
        Vector(html: #"<a href="java&Tab;script&colon;alert(1)">x</a>"#),
        Vector(html: #"<a href="java&NewLine;script:alert(1)">x</a>"#),
        Vector(html: #"<a href="&#x6A;avascript&colon;alert&lpar;1&rpar;">x</a>"#),
        Vector(html: #"<img src="data&colon;image/svg+xml,&lt;svg onload=alert(1)&gt;" width="50" height="50"><p>x</p>"#),
        Vector(html: #"<a href="vbscript&colon;msgbox(1)">x</a>"#),
    ]

    @Test("HTML5 named references are decoded before the scheme check: the URL is dropped, not made a junk https link", arguments: hiddenSchemes)
    func hiddenScheme(_ vector: Vector) {
        let output = cleaned(vector.html)
        #expect(!output.contains("href="), "\(output)")
        #expect(!output.contains("src="), "\(output)")
        #expect(!output.lowercased().contains("javascript"), "\(output)")
    }

    @Test("HTML5 named references in text are decoded as a browser would; &amp;colon; stays literal")
    func referencesInText() {
        #expect(cleaned("<p>f&lpar;x&rpar; &colon; &amp;colon; &hellip;</p>").contains("f(x) : &amp;colon; …"))
        #expect(HTMLCharacterReferences.numeric(Array("a &nosuch; &amp; b".utf8)) == Array("a &nosuch; &amp; b".utf8))
        #expect(HTMLCharacterReferences.numeric(Array("&NotEqualTilde;".utf8)) == Array("&#x2242;&#x338;".utf8))
    }

    @Test("A link through an HTML5 reference that stays http(s) is kept, decoded")
    func decodedHTTPLink() {
        #expect(cleaned(#"<p><a href="https&colon;//e.org/a&quest;b=1">x</a></p>"#).contains(#"href="https://e.org/a?b=1""#))
    }

    @Test("<embed> and <source> keep the rest of their paragraph", arguments: ["embed", "source", "track", "param", "input", "keygen", "area"])
    func voidElementKeepsSiblings(_ tag: String) {
        let output = cleaned(#"<p>before <\#(tag) src="https://e.org/x"> after <b>bold</b></p><p>next</p>"#)
        #expect(output.contains("before  after <strong>bold</strong>") || output.contains("before  after <b>bold</b>"), "\(output)")
        #expect(output.contains("next"), "\(output)")
        #expect(!output.contains("<\(tag)"))
    }

    @Test("Credentials in a link written in the article are removed")
    func credentialsInLink() {
        let output = cleaned(#"<p><a href="https://bob:secret@e.org/x">x</a><img src="//u:p@cdn.e.org/i.png" width="80" height="80"></p>"#)
        #expect(output.contains(#"href="https://e.org/x""#), "\(output)")
        #expect(output.contains(#"src="https://cdn.e.org/i.png""#), "\(output)")
        #expect(!output.contains("secret") && !output.contains("bob") && !output.contains("u:p"))
    }
}
