import Testing

@testable import NewsletterCore

struct TextWrapperTests {
    @Test("Latin text wraps at spaces within the width")
    func latin() {
        let text = String(repeating: "lorem ipsum dolor ", count: 20)
        let lines = TextWrapper.wrap(text, width: 72)
        #expect(lines.allSatisfy { $0.count <= 72 })
        #expect(lines.joined(separator: " ") == text.trimmingCharacters(in: .whitespaces))
    }

    @Test("CJK wraps between characters, counting two columns each, never before closing punctuation")
    func cjk() {
        let text = "澳大利亚与新西兰的首次外长、防长“2+2”会谈在澳洲墨尔本举行，讨论深化这两个邻国之间的安全关系。部长们还分别举行了两国防长和外长磋商。"
        let lines = TextWrapper.wrap(text, width: 20)
        #expect(lines.allSatisfy { TextWrapper.displayWidth($0) <= 20 })
        #expect(lines.joined() == text)
        for line in lines.dropFirst() {
            #expect(!"，。、”）".contains(line.first!), "line starts with closing punctuation: \(line)")
        }
    }

    @Test("A word longer than the width stays whole")
    func longWord() {
        let url = "https://example.org/" + String(repeating: "x", count: 100)
        #expect(TextWrapper.wrap("see " + url + " now", width: 72) == ["see", url, "now"])
    }

    @Test("Prefixes are applied to the first and following lines")
    func prefixes() {
        #expect(TextWrapper.wrap("aaa bbb ccc", width: 7, firstPrefix: "- ", restPrefix: "  ") == ["- aaa", "  bbb", "  ccc"])
    }
}

struct PlainTextRendererTests {
    func render(_ html: String) -> String {
        PlainTextRenderer.render(HTMLSanitizer(rules: .standard()).clean(HTMLParser.parseFragment(html), base: nil))
    }

    @Test("Paragraphs, lists, quotes and links as numbered references")
    func structure() {
        let text = render("""
            <h2>Title</h2><p>First <a href="https://e.org/a">link</a> and
            second line.</p><ul><li>one</li><li>two</li></ul><ol start="3"><li>three</li></ol>
            <blockquote><p>quoted</p></blockquote><p>a<br>b</p>
            """)
        #expect(text == """
            Title

            First link[1] and second line.

            - one
            - two

            3. three

            > quoted

            a
            b

            [1] https://e.org/a
            """)
    }

    @Test("A hostile list start cannot overflow the numbering", arguments: ["9223372036854775807", "-9223372036854775808", "x"])
    func hostileStart(_ start: String) {
        let text = render("<ol start=\"\(start)\"><li>a</li><li>b</li></ol>")
        #expect(text.contains("a") && text.contains("b"))
    }

    @Test("No HTML entities or tags reach the text part")
    func noEntities() {
        let text = render("<p>Fish &amp; chips &lt;3 &quot;ok&quot; &#20013;</p>")
        #expect(text == "Fish & chips <3 \"ok\" 中")
    }
}
