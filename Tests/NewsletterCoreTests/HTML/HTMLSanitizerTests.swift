import Foundation
import Testing

@testable import NewsletterCore

// MARK: - Helpers (file-private)

/// The URL every fragment in these tests is cleaned against.
private let articleBase = URL(string: "https://news.example.com/a/b.html")

/// The pipeline under test: parse, clean (boilerplate + allow-list), serialise.
private func cleaned(
    _ html: String, rules: BoilerplateRules = BoilerplateRules.standard(), base: URL? = articleBase
) -> String {
    let sanitizer = HTMLSanitizer(rules: rules)
    let tree = sanitizer.clean(HTMLParser.parseFragment(html), base: base)
    return HTMLSerializer.html(tree)
}

/// The cleaned tree itself, for structural checks.
private func cleanedTree(_ html: String, rules: BoilerplateRules = BoilerplateRules.standard()) -> [HTMLNode] {
    HTMLSanitizer(rules: rules).clean(HTMLParser.parseFragment(html), base: articleBase)
}

/// Every capture group 1 of `pattern` in `text`.
private func captures(_ pattern: String, in text: String) -> [String] {
    let regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
    return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
        Range(match.range(at: 1), in: text).map { String(text[$0]) }
    }
}

/// True when `pattern` matches somewhere in `text`.
private func matches(_ pattern: String, in text: String) -> Bool {
    let regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
    return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
}

/// All the element names in a tree.
private func elementNames(_ nodes: [HTMLNode]) -> [String] {
    nodes.flatMap { node -> [String] in
        guard case .element(let element) = node else { return [] }
        return [element.name] + elementNames(element.children)
    }
}

/// `levels` nested `<div>`s around `inner`.
private func nestedDivs(_ levels: Int, around inner: String) -> String {
    String(repeating: "<div>", count: levels) + inner + String(repeating: "</div>", count: levels)
}

/// An element built by hand, for selector checks.
private func element(_ name: String, _ attributes: [(String, String)] = []) -> HTMLElement {
    HTMLElement(name: name, attributes: attributes.map { (name: $0.0, value: $0.1) })
}

/// The fixture article, parsed.
private func fixtureArticle() throws -> Article {
    let file = "articles/000_3ae00dc528254de1.txt"
    let path = Bundle.module.resourcePath! + "/Fixtures/" + file
    let bytes = try FileSystem.readAll(path)
    return try ArticleFileParser.parse(bytes, file: file)
}

// MARK: - Tests

struct HTMLSanitizerTests {
    // MARK: XSS vectors

    /// Known XSS vectors, in the style of the OWASP XSS filter evasion cheat sheet.
    static let xssVectors: [String] = [
        // Plain scripts
        "<script>alert('XSS')</script>",
        "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
        "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
        "<div><script>alert(1)</script>text</div>",
        "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
        "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<scr<script>ipt>alert(1)</script>",
        // Event handlers
        "<img src=x onerror=alert(1)>",
        "<img src=x onerror=alert(1)//",
        "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
        "<img src=x:alert(alt) onerror=eval(src) alt=0>",
        "<img src=\"https://news.example.com/ok.png\" onload=\"alert(1)\">",
        "<svg onload=alert(1)>",
        "<svg/onload=alert(1)>",
        "<body onload=alert(1)>text",
        "<div onmouseover=\"alert(1)\">hover</div>",
        "<a href=\"https://ok.example/\" onclick=\"alert(1)\">ok</a>",
        "<a href=\"mailto:x@example.com\" onclick=alert(1)>mail</a>",
        "<details open ontoggle=alert(1)>x</details>",
        "<marquee onstart=alert(1)>x</marquee>",
        "<x onclick=alert(1)>click</x>",
        "<audio src=x onerror=alert(1)>",
        "<video><source onerror=\"alert(1)\"></video>",
        "<p onclick\n=alert(1)>newline before equals</p>",
        // javascript: URLs in many spellings
        "<a href=\"javascript:alert(1)\">click</a>",
        "<a href=\"JAVASCRIPT:alert(1)\">click</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
        "<IMG SRC=\"javascript:alert('XSS');\">",
        "<IMG SRC=JaVaScRiPt:alert('XSS')>",
        "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
        "<a href=\"&#106;avascript:alert(1)\">click</a>",
        "<a href=\"&#x6A;avascript:alert(1)\">click</a>",
        "<a href=\"&#X6a;avascript:alert(1)\">click</a>",
        "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)\">click</a>",
        "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
        "<a href=\"javascript&#58;alert(1)\">click</a>",
        "<a href=\"javascript&#x3A;alert(1)\">click</a>",
        "<a href=\"javas&#99;ript:alert(1)\">click</a>",
        "<a href=\"java\tscript:alert(1)\">click</a>",
        "<a href=\"java\nscript:alert(1)\">click</a>",
        "<a href=\"java\r\nscript:alert(1)\">click</a>",
        "<a href=\"java&#x09;script:alert(1)\">click</a>",
        "<a href=\"java&#x0A;script:alert(1)\">click</a>",
        "<a href=\"java&#x0D;script:alert(1)\">click</a>",
        "<a href=\"java&#0;script:alert(1)\">click</a>",
        "<a href=\"java&Tab;script:alert(1)\">click</a>",
        "<a href=\"java&NewLine;script:alert(1)\">click</a>",
        "<a href=\"javascript&colon;alert(1)\">click</a>",
        "<img src=\"jav&#x09;ascript:alert(1)\">",
        "<img src=\"jav\tascript:alert(1)\">",
        "<a href=\"  javascript:alert(1)\">click</a>",
        "<a href=\" &#x09; javascript:alert(1)\">click</a>",
        "<a href=\"&#x20;javascript:alert(1)\">click</a>",
        "<a href=\"&#14;  javascript:alert(1)\">click</a>",
        "<a href=\"\u{0001}javascript:alert(1)\">click</a>",
        "<a href=\"javascript://%0aalert(1)\">click</a>",
        "<a href=\"javascript:alert(1)\"",
        "<a href=javascript:alert(1)>unquoted</a>",
        "<blockquote cite=\"javascript:alert(1)\">quote</blockquote>",
        "<table background=\"javascript:alert(1)\"><tr><td>cell</td></tr></table>",
        "<img dynsrc=\"javascript:alert(1)\" lowsrc=\"javascript:alert(1)\">",
        // Other schemes
        "<a href=\"vbscript:msgbox(1)\">click</a>",
        "<a href=\"VBScript:msgbox(1)\">click</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">click</a>",
        "<a href=\"data:text/html,<script>alert(1)</script>\">click</a>",
        "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
        "<a href=\"mailto:\">empty mailto</a>",
        // Frames, objects, embeds, forms
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<iframe src=\"https://evil.example/\">fallback</iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<frameset><frame src=\"javascript:alert(1)\"></frameset>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<object type=\"text/x-scriptlet\" data=\"http://xss.rocks/scriptlet.html\"></object>",
        "<embed src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
        "<embed src=\"https://evil.example/x.swf\" allowscriptaccess=always>",
        "<form action=\"javascript:alert(1)\"><input type=submit></form>",
        "<form><button formaction=\"javascript:alert(1)\">x</button></form>",
        "<button formaction=javascript:alert(1)>x</button>",
        "<input type=\"image\" src=\"javascript:alert(1)\">",
        "<isindex type=image src=1 onerror=alert(1)>",
        "<isindex action=\"javascript:alert(1)\" type=submit value=click>",
        // meta, base, link
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg\">",
        "<META HTTP-EQUIV=\"Set-Cookie\" Content=\"USERID=<SCRIPT>alert('XSS')</SCRIPT>\">",
        "<base href=\"javascript:alert(1)//\"><a href=\"x\">x</a>",
        "<link rel=import href=\"https://evil.example/x.html\">",
        "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
        // Styles
        "<style>body{background:url(\"javascript:alert(1)\")}</style>",
        "<style>@import 'javascript:alert(1)';</style>",
        "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
        "<div style=\"width: expression(alert(1));\">x</div>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<p style=\"background-image: url(&#1;javascript:alert(1))\">x</p>",
        "<xss style=\"xss:expression(alert(1))\">x</xss>",
        "<img src=\"https://news.example.com/ok.png\" style=\"behavior:url(x.htc)\">",
        // SVG and MathML
        "<svg><script>alert(1)</script></svg>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>click</text></a></svg>",
        "<a xlink:href=\"javascript:alert(1)\">click</a>",
        "<svg><animate xlink:href=#x attributeName=href values=\"javascript:alert(1)\" /><a id=x><text>click</text></a></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<math href=\"javascript:alert(1)\">click</math>",
        "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\">click</maction></math>",
        // template, noscript and raw-text tricks
        "<template><script>alert(1)</script></template>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        "<noscript><style></noscript><img src=x onerror=alert(1)></style></noscript>",
        "<xmp><script>alert(1)</script></xmp>",
        "<textarea><script>alert(1)</script></textarea>",
        "<title><script>alert(1)</script></title>",
        "<p>text<plaintext><script>alert(1)</script>",
        // Comments and CDATA
        "<!--<script>alert(1)</script>-->",
        "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
        "<!-- --!><script>alert(1)</script> -->",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<![CDATA[><script>alert(1)</script>]]>",
        // Custom elements
        "<my-widget onclick=alert(1)><script>alert(1)</script>text</my-widget>",
    ]

    @Test("XSS vectors leave no active content in the output", arguments: xssVectors)
    func xssVectorIsNeutralised(_ vector: String) {
        let output = cleaned(vector)
        let lower = output.lowercased()
        let context = Comment(rawValue: "input: \(vector.debugDescription)\noutput: \(output.debugDescription)")
        for forbidden in [
            "<script", "javascript:", "vbscript:", "data:", "<iframe", "<frame", "<object", "<embed", "<form", "<input",
            "<button", "<meta", "<base", "<link", "<style", "<svg", "<math", "<template", "<noscript", "srcdoc",
            "formaction", "xlink", "expression(",
        ] {
            #expect(!lower.contains(forbidden), "found \(forbidden); \(context.rawValue)")
        }
        #expect(!matches(#"\son[a-z]+\s*="#, in: lower), context)
        // The only inline styles are the serializer's own.
        let allowedStyles = Set(HTMLSerializer.styles.values)
        for style in captures(#"\sstyle="([^"]*)""#, in: output) {
            #expect(allowedStyles.contains(style), "unexpected style \(style.debugDescription); \(context.rawValue)")
        }
        #expect(captures(#"\sstyle=([^"])"#, in: output).isEmpty, context)
        // Every URL is http(s) or mailto.
        for url in captures(#"\s(?:href|src|cite)="([^"]*)""#, in: output) {
            let lowerURL = url.lowercased()
            #expect(
                lowerURL.hasPrefix("https://") || lowerURL.hasPrefix("http://") || lowerURL.hasPrefix("mailto:"),
                "unsafe URL \(url.debugDescription); \(context.rawValue)")
        }
        #expect(captures(#"\s(?:href|src|cite)=([^"])"#, in: output).isEmpty, context)
    }

    @Test("There are at least 40 XSS vectors")
    func enoughVectors() {
        #expect(Self.xssVectors.count >= 40)
    }

    @Test("A link with an unsafe URL loses the link but keeps its text")
    func unsafeLinkKeepsText() {
        #expect(cleaned(#"<p>Go <a href="javascript:alert(1)">here</a> now</p>"#) == #"<p style="margin:0 0 14px 0;">Go here now</p>"#)
        #expect(cleaned(#"<a href="vbscript:msgbox(1)">text</a>"#) == "text")
    }

    @Test("Event, style, class and id attributes are removed from kept elements")
    func attributesStripped() {
        let output = cleaned(#"<p id="x" class="lead" style="color:red" onclick="alert(1)" title="T" lang="fr" dir="ltr">Bonjour</p>"#)
        #expect(output == #"<p title="T" lang="fr" dir="ltr" style="margin:0 0 14px 0;">Bonjour</p>"#)
    }

    @Test("Quotes and angle brackets in attribute values are escaped")
    func attributeValuesEscaped() {
        let output = cleaned(#"<p title='a"b<c>d&e'>x</p>"#)
        #expect(output == #"<p title="a&quot;b&lt;c&gt;d&amp;e" style="margin:0 0 14px 0;">x</p>"#)
    }

    // MARK: Harmless content survives

    @Test("A paragraph with strong text is kept as it is")
    func paragraphAndStrong() {
        #expect(cleaned("<p>Hello <strong>world</strong>, <em>again</em>.</p>")
            == #"<p style="margin:0 0 14px 0;">Hello <strong>world</strong>, <em>again</em>.</p>"#)
    }

    @Test("Lists are kept, with their start attribute")
    func lists() {
        #expect(cleaned("<ul><li>One</li><li>Two</li></ul>")
            == #"<ul style="margin:0 0 14px 0;padding:0 0 0 22px;"><li style="margin:0 0 6px 0;">One</li><li style="margin:0 0 6px 0;">Two</li></ul>"#)
        #expect(cleaned(#"<ol start="3"><li>Three</li></ol>"#)
            == #"<ol start="3" style="margin:0 0 14px 0;padding:0 0 0 22px;"><li style="margin:0 0 6px 0;">Three</li></ol>"#)
    }

    @Test("A blockquote is kept with its text and a resolved cite")
    func blockquote() {
        let output = cleaned(#"<blockquote cite="/source"><p>Quoted words</p></blockquote>"#)
        #expect(output == #"<blockquote cite="https://news.example.com/source" style="margin:0 0 14px 0;padding:2px 0 2px 14px;border-left:3px solid #d0d7de;color:#4b5563;"><p style="margin:0 0 14px 0;">Quoted words</p></blockquote>"#)
    }

    @Test("A normal https link is kept, with & escaped")
    func httpsLink() {
        #expect(cleaned(#"<a href="https://example.org/page?x=1&amp;y=2">Example</a>"#)
            == #"<a href="https://example.org/page?x=1&amp;y=2" style="color:#0b57d0;text-decoration:underline;">Example</a>"#)
        #expect(cleaned(#"<a href="http://example.org/">Plain http</a>"#).contains(#"href="http://example.org/""#))
    }

    @Test("Relative links resolve against the article URL")
    func relativeLinks() {
        #expect(cleaned(#"<a href="/x">x</a>"#) == #"<a href="https://news.example.com/x" style="color:#0b57d0;text-decoration:underline;">x</a>"#)
        #expect(cleaned(#"<a href="c.html">c</a>"#).contains(#"href="https://news.example.com/a/c.html""#))
        #expect(cleaned(#"<a href="../up.html">up</a>"#).contains(#"href="https://news.example.com/up.html""#))
        #expect(cleaned(##"<a href="#part">part</a>"##).contains(#"href="https://news.example.com/a/b.html#part""#))
    }

    @Test("Relative links are dropped, keeping their text, when there is no base URL")
    func relativeLinkWithoutBase() {
        #expect(cleaned(#"<a href="/x">x</a>"#, base: nil) == "x")
        #expect(cleaned(#"<img src="/i.png" alt="i">"#, base: nil) == "")
    }

    @Test("A protocol-relative image resolves to https")
    func protocolRelativeImage() {
        #expect(cleaned(#"<img src="//cdn.example.com/i.png" alt="Photo">"#)
            == #"<img src="https://cdn.example.com/i.png" alt="Photo" style="display:block;max-width:100%;height:auto;border:0;margin:0 0 14px 0;">"#)
    }

    @Test("Image sizes are kept up to the column width and dropped beyond it")
    func imageSizes() {
        #expect(cleaned(#"<img src="https://x.example/s.png" width="300" height="200">"#).contains(#"width="300" height="200""#))
        let wide = cleaned(#"<img src="https://x.example/b.png" width="800" height="600">"#)
        #expect(wide.contains(#"src="https://x.example/b.png""#))
        #expect(!wide.contains("width="))
        #expect(!wide.contains("height="))
    }

    @Test("CJK text is kept as it is, without numeric entities")
    func cjkText() {
        let text = "澳方宣布将于今年派官员访问新西兰，讨论澳英美三边安全伙伴关系（AUKUS）。"
        let output = cleaned("<p>\(text)</p><ul><li>中文列表</li></ul>")
        #expect(output.contains(text))
        #expect(output.contains("中文列表"))
        #expect(!output.contains("&#"))
    }

    @Test("Non-ASCII link URLs are kept, percent-encoded")
    func nonASCIILink() {
        let output = cleaned(#"<a href="https://zh.wikipedia.org/wiki/澳大利亚">维基</a>"#)
        #expect(output.contains(#"href="https://zh.wikipedia.org/wiki/%E6%BE%B3%E5%A4%A7%E5%88%A9%E4%BA%9A""#))
        #expect(output.contains("维基</a>"))
    }

    @Test("mailto: links are kept")
    func mailtoLinks() {
        #expect(cleaned(#"<a href="mailto:editor@example.com">Write to us</a>"#)
            == #"<a href="mailto:editor@example.com" style="color:#0b57d0;text-decoration:underline;">Write to us</a>"#)
        #expect(cleaned(#"<a href="MAILTO:editor@example.com?subject=Hi">Mail</a>"#).contains(#"href="MAILTO:editor@example.com?subject=Hi""#))
    }

    @Test("mailto: is not accepted as an image source")
    func mailtoImage() {
        #expect(cleaned(#"<img src="mailto:x@example.com">"#) == "")
    }

    @Test("Text with < and & is escaped, not turned into markup")
    func textEscaping() {
        #expect(cleaned("<p>a &lt; b &amp;&amp; c &gt; d &lt;script&gt;</p>")
            == #"<p style="margin:0 0 14px 0;">a &lt; b &amp;&amp; c &gt; d &lt;script&gt;</p>"#)
    }

    @Test("Tables, headings, code and figures survive")
    func structuredContent() {
        let output = cleaned(
            #"<h2>Title</h2><table><tr><th colspan="2">Head</th></tr><tr><td>a</td><td rowspan="1">b</td></tr></table>"#
                + #"<pre><code>let x = 1</code></pre><figure><img src="https://x.example/f.png"><figcaption>Caption</figcaption></figure>"#)
        for fragment in ["<h2 ", ">Title</h2>", #"<th colspan="2""#, ">Head</th>", ">a</td>", #"<td rowspan="1""#, "<pre ", ">let x = 1</code></pre>",
            "<figure ", #"src="https://x.example/f.png""#, ">Caption</figcaption></figure>"]
        {
            #expect(output.contains(fragment), "missing \(fragment) in \(output)")
        }
    }

    @Test("Control characters are removed from text, tabs and newlines kept")
    func controlCharacters() {
        #expect(cleaned("<p>a\u{0007}b\u{2028}c\td\ne</p>") == "<p style=\"margin:0 0 14px 0;\">abc\td\ne</p>")
    }

    // MARK: Boilerplate on the sample article

    @Test("The sample article keeps its text and loses the share buttons, promos, date line and feed footer")
    func sampleArticleBoilerplate() throws {
        let article = try fixtureArticle()
        #expect(article.link?.host == "www.rfi.fr")
        let output = cleaned(article.html, base: article.link)
        let lower = output.lowercased()
        #expect(output.contains("澳方宣布将于今年派官员访问新西兰"))
        #expect(output.contains("至少10个国家已暂停向该机构提供资金"))
        #expect(output.contains("<strong>2月1日，澳大利亚与新西兰的首次外长"))
        #expect(output.contains(#"<img src="https://s.rfi.fr/media/display/930c54c4-c136-11ee-a608-005056a97e36/w:1280/p:16x9/AP24032315836201.jpg""#))
        for unwanted in ["分享", "share-button", "share-modal", "data-selfpromo", "data-root-share", "facebook.com", "whatsapp", "x.com/intent",
            "获取更多rss", "feedx", "<hr", "01/02/2024 - 20:51", "01/02/2024", "target=", "rel=", "<span"]
        {
            #expect(!lower.contains(unwanted.lowercased()), "found \(unwanted)")
        }
        // Nothing is left that the allow-list would not produce.
        let names = Set(elementNames(cleanedTree(article.html)))
        #expect(names.isSubset(of: HTMLSanitizer.allowedTags), "unexpected tags \(names.subtracting(HTMLSanitizer.allowedTags))")
    }

    @Test("The date-line and share-label text blocks are removed")
    func textBlocks() {
        #expect(cleaned("<div>01/02/2024 - 20:51</div><p>Body</p>") == #"<p style="margin:0 0 14px 0;">Body</p>"#)
        #expect(cleaned("<div>分享 :</div><p>Body</p>") == #"<p style="margin:0 0 14px 0;">Body</p>"#)
        #expect(cleaned("<div>Share this</div><p>Body</p>") == #"<p style="margin:0 0 14px 0;">Body</p>"#)
        // A sentence that merely mentions sharing is not a share label.
        #expect(cleaned("<p>Share prices rose.</p>") == #"<p style="margin:0 0 14px 0;">Share prices rose.</p>"#)
    }

    @Test("A share word inside a sentence is not removed as a share label")
    func shareWordInsideSentence() {
        // The text-block rules are documented as applying to a whole block; <strong> is inline.
        #expect(cleaned("<p>Click <strong>Share</strong> to tell friends</p>")
            == #"<p style="margin:0 0 14px 0;">Click <strong>Share</strong> to tell friends</p>"#)
    }

    @Test("The default selectors all parse")
    func defaultSelectorsParse() throws {
        for text in BoilerplateRules.defaultSelectorTexts {
            _ = try ElementSelector(text)
        }
        #expect(BoilerplateRules.standard().selectors.count == BoilerplateRules.defaultSelectorTexts.count)
    }

    // MARK: Tracking pixels, empty links, unknown and custom tags

    static let trackingPixels: [String] = [
        #"<img src="https://t.example/p.gif" width="1" height="1">"#,
        #"<img src="https://t.example/p.gif" width="0" height="0">"#,
        #"<img src="https://t.example/p.gif" width="1px" height="1px">"#,
        #"<img src="https://t.example/p.gif" width=" 2 ">"#,
        #"<img src="https://t.example/p.gif" height="1">"#,
        #"<p><img src="https://t.example/p.gif" width="1" height="1"></p>"#,
        #"<a href="https://t.example/"><img src="https://t.example/p.gif" width="1" height="1"></a>"#,
    ]

    @Test("Tracking pixels are removed, and containers left empty with them", arguments: trackingPixels)
    func trackingPixel(_ html: String) {
        #expect(cleaned(html) == "")
    }

    @Test("Small but real images are kept")
    func smallImageKept() {
        #expect(cleaned(#"<img src="https://x.example/icon.png" width="3" height="3">"#).contains(#"src="https://x.example/icon.png""#))
        #expect(cleaned(#"<a href="https://x.example/"><img src="https://x.example/i.png"></a>"#).contains(#"<a href="https://x.example/""#))
    }

    @Test("Links with nothing to click are removed")
    func emptyLinks() {
        #expect(cleaned(#"<a href="https://example.org/"></a>"#) == "")
        #expect(cleaned(#"<a href="https://example.org/"><span> </span></a>"#) == "")
        #expect(cleaned("<a href=\"https://example.org/\">  \n\t </a>").trimmingCharacters(in: .whitespacesAndNewlines) == "")
        #expect(cleaned("<a href=\"https://example.org/\">\u{00A0}</a>").trimmingCharacters(in: .whitespacesAndNewlines) == "")
        #expect(cleaned(#"<p>before<a href="https://example.org/"></a>after</p>"#) == #"<p style="margin:0 0 14px 0;">beforeafter</p>"#)
    }

    @Test("Unknown tags are unwrapped, keeping their text")
    func unknownTagsUnwrapped() {
        #expect(cleaned(#"<p><font color="red" face="x">red</font> text</p>"#) == #"<p style="margin:0 0 14px 0;">red text</p>"#)
        #expect(cleaned("<big>big</big> <tt>tt</tt> <blink>blink</blink> <marquee>m</marquee>") == "big tt blink m")
        let center = cleaned("<center>centered text</center>")
        #expect(center.contains("centered text"))
        #expect(!center.contains("<center"))
    }

    @Test("Custom elements are removed with their content")
    func customElements() {
        #expect(cleaned("<my-widget>text</my-widget>") == "")
        #expect(cleaned("<p>keep</p><my-widget><p>widget text</p></my-widget>") == #"<p style="margin:0 0 14px 0;">keep</p>"#)
    }

    @Test("Sectioning tags become div", arguments: ["section", "article", "header", "footer", "main", "aside", "nav"])
    func sectionBecomesDiv(_ tag: String) {
        #expect(cleaned("<\(tag)><p>x</p></\(tag)>") == #"<div><p style="margin:0 0 14px 0;">x</p></div>"#)
    }

    @Test("Containers left empty are removed")
    func emptyContainers() {
        #expect(cleaned("<div><span> </span><p></p></div>") == "")
        // A rule counts as content (with the footer cut off, which would otherwise remove a trailing <hr>).
        #expect(cleaned("<div><hr></div>", rules: BoilerplateRules.standard(cutAfterLastRule: false)).contains("<hr"))
    }

    // MARK: ElementSelector

    @Test("A tag selector matches by element name")
    func tagSelector() throws {
        let selector = try ElementSelector("share-button")
        #expect(selector.matches(element("share-button")))
        #expect(!selector.matches(element("div")))
        #expect(try ElementSelector("DIV").matches(element("div")))
        #expect(selector.description == "share-button")
    }

    @Test("A class selector matches one whole class among several")
    func classSelector() throws {
        let selector = try ElementSelector(".share")
        #expect(selector.matches(element("div", [("class", "share")])))
        #expect(selector.matches(element("div", [("class", "a share b")])))
        #expect(!selector.matches(element("div", [("class", "shared")])))
        #expect(!selector.matches(element("div", [("id", "share")])))
        #expect(!selector.matches(element("div")))
    }

    @Test("An id selector matches the id exactly")
    func idSelector() throws {
        let selector = try ElementSelector("#footer")
        #expect(selector.matches(element("div", [("id", "footer")])))
        #expect(!selector.matches(element("div", [("id", "footer2")])))
        #expect(!selector.matches(element("div", [("class", "footer")])))
    }

    @Test("Class and id selectors are case-sensitive, as in HTML, and match mixed-case names")
    func classAndIDCase() throws {
        #expect(try ElementSelector(".ShareBar").matches(element("div", [("class", "ShareBar")])))
        #expect(try ElementSelector("#MainFooter").matches(element("div", [("id", "MainFooter")])))
    }

    @Test("Attribute selectors: presence, equality, prefix, substring and suffix")
    func attributeSelectors() throws {
        let present = try ElementSelector("[data-share]")
        #expect(present.matches(element("div", [("data-share", "")])))
        #expect(!present.matches(element("div", [("data-shared", "")])))

        let equals = try ElementSelector("[data-kind=promo]")
        #expect(equals.matches(element("div", [("data-kind", "promo")])))
        #expect(!equals.matches(element("div", [("data-kind", "promo2")])))

        let quoted = try ElementSelector(#"[title="a b"]"#)
        #expect(quoted.matches(element("p", [("title", "a b")])))

        let prefix = try ElementSelector(#"a[href^="whatsapp:"]"#)
        #expect(prefix.matches(element("a", [("href", "whatsapp://send?text=x")])))
        #expect(!prefix.matches(element("a", [("href", "https://web.whatsapp.com/")])))
        #expect(!prefix.matches(element("span", [("href", "whatsapp://send")])))

        #expect(try ElementSelector("[href*=facebook]").matches(element("a", [("href", "https://www.facebook.com/x")])))
        #expect(try ElementSelector("[src$=.gif]").matches(element("img", [("src", "https://t.example/p.gif")])))
        #expect(!(try ElementSelector("[src$=.gif]").matches(element("img", [("src", "https://t.example/p.png")]))))
    }

    @Test("An attribute name ending in * matches every attribute with that prefix")
    func attributeNamePrefix() throws {
        let selector = try ElementSelector("[data-x-*]")
        #expect(selector.matches(element("div", [("data-x-foo", "")])))
        #expect(selector.matches(element("div", [("class", "c"), ("data-x-bar", "1")])))
        #expect(!selector.matches(element("div", [("data-y-foo", "")])))
        #expect(!selector.matches(element("div")))
        let defaults = try ElementSelector("[data-selfpromo-*]")
        #expect(defaults.matches(element("div", [("data-selfpromo-newsletter", "")])))
    }

    @Test("A compound selector needs every part to match")
    func compoundSelector() throws {
        let selector = try ElementSelector("div.share[data-x]")
        #expect(selector.matches(element("div", [("class", "share"), ("data-x", "1")])))
        #expect(!selector.matches(element("span", [("class", "share"), ("data-x", "1")])))
        #expect(!selector.matches(element("div", [("class", "share")])))
    }

    @Test("Unsupported or malformed selectors throw SelectorError",
        arguments: ["div > p", "[", "", "   ", ".", "#", "a b", "[=x]", "div,p", "[]", "*", "div>p", "div ~ p", "p + p"])
    func badSelector(_ text: String) {
        #expect(throws: SelectorError.self) { try ElementSelector(text) }
    }

    @Test("SelectorError names the selector and the reason")
    func selectorErrorMessage() {
        do {
            _ = try ElementSelector("[")
            Issue.record("expected an error")
        } catch {
            #expect(error.selector == "[")
            #expect(error.description.contains("'['"))
            #expect(error.description.contains("not closed"))
        }
    }

    @Test("A user-added selector removes matching elements with their content")
    func extraSelector() throws {
        let rules = BoilerplateRules.standard(extraSelectors: [try ElementSelector("div.promo"), try ElementSelector("[data-ad]")])
        let output = cleaned(#"<p>Keep me</p><div class="promo"><p>Buy now</p></div><aside data-ad="1">Ad text</aside><div class="other">Other</div>"#, rules: rules)
        #expect(output.contains("Keep me"))
        #expect(output.contains("Other"))
        #expect(!output.contains("Buy now"))
        #expect(!output.contains("Ad text"))
        // Without the extra selectors the same content stays.
        #expect(cleaned(#"<div class="promo"><p>Buy now</p></div>"#).contains("Buy now"))
    }

    @Test("A user-added text block removes matching blocks")
    func extraTextBlock() {
        let rules = BoilerplateRules.standard(extraTextBlocks: [#"^Read more at .*$"#])
        #expect(cleaned("<p>Body</p><p>Read more at Example News</p>", rules: rules) == #"<p style="margin:0 0 14px 0;">Body</p>"#)
    }

    // MARK: cutAfterLastRule

    @Test("A short tail after the last <hr> is cut as a footer")
    func shortTailCut() {
        let footer = String(repeating: "f", count: 400)
        let output = cleaned("<p>Body</p><hr><p>\(footer)</p>")
        #expect(output == #"<p style="margin:0 0 14px 0;">Body</p>"#)
    }

    @Test("Only the last <hr> starts the footer")
    func onlyLastRule() {
        let output = cleaned("<p>One</p><hr><p>Two</p><hr><p>Footer</p>")
        #expect(output.contains("One"))
        #expect(output.contains("Two"))
        #expect(output.components(separatedBy: "<hr").count == 2)
        #expect(!output.contains("Footer"))
    }

    @Test("A long tail after the last <hr> is kept")
    func longTailKept() {
        let tail = String(repeating: "长", count: BoilerplateRules.standard().maxFooterCharacters + 1)
        let output = cleaned("<p>Body</p><hr><p>\(tail)</p>")
        #expect(output.contains("Body"))
        #expect(output.contains("<hr"))
        #expect(output.contains(tail))
    }

    @Test("maxFooterCharacters is honoured, and the cut can be turned off")
    func footerLimitAndSwitch() {
        var rules = BoilerplateRules.standard()
        rules.maxFooterCharacters = 10
        // Only non-white-space characters count: "Eleven chars" is 11 of them, "Ten chars!" 9.
        #expect(cleaned("<p>Body</p><hr><p>Eleven chars</p>", rules: rules).contains("Eleven chars"))
        #expect(!cleaned("<p>Body</p><hr><p>Ten chars!</p>", rules: rules).contains("Ten chars!"))
        let off = BoilerplateRules.standard(cutAfterLastRule: false)
        #expect(cleaned("<p>Body</p><hr><p>Footer</p>", rules: off).contains("Footer"))
    }

    // MARK: Deep nesting

    @Test("5000 nested divs do not crash and keep the text at the bottom")
    func deepNesting() {
        let output = cleaned(nestedDivs(5000, around: "deep text"))
        #expect(output.contains("deep text"))
        #expect(output.hasPrefix("<div>"))
    }

    @Test("5000 unclosed nested tags do not crash and keep the text")
    func deepUnclosedNesting() {
        let output = cleaned(String(repeating: "<div><span><b>", count: 5000) + "bottom text")
        #expect(output.contains("bottom text"))
    }

    @Test("Below the parser's depth limit, scripts, styles, frames and custom elements still go with their content")
    func deepDroppedContent() {
        let inner = #"<script>alert(1)</script><style>p{color:red}</style><iframe>frame text</iframe><my-widget>widget</my-widget>visible"#
        let output = cleaned(nestedDivs(HTMLParser.maxDepth + 10, around: inner))
        #expect(output.contains("visible"))
        for leaked in ["alert(1)", "color:red", "frame text", "widget"] {
            #expect(!output.contains(leaked), "\(leaked) leaked as text: \(output.replacingOccurrences(of: "<div>", with: "").replacingOccurrences(of: "</div>", with: ""))")
        }
    }

    @Test("Images hidden or shrunk by their style are tracking pixels", arguments: [
        "<p>x<img src=\"https://t.example.com/p.gif\" style=\"width:1px;height:1px\"></p>",
        "<p>x<img src=\"https://t.example.com/p.gif\" style=\"display: none\"></p>",
        "<p>x<img src=\"https://t.example.com/p.gif\" style=\"max-height:0\"></p>",
        "<p>x<img src=\"https://t.example.com/p.gif\" style=\"opacity:0\"></p>",
        "<p>x<img src=\"https://t.example.com/p.gif\" width=\"0\" height=\"0\"></p>",
    ])
    func styledTrackingPixels(_ html: String) {
        let tree = HTMLSanitizer(rules: .standard()).clean(HTMLParser.parseFragment(html), base: nil)
        #expect(!HTMLSerializer.html(tree).contains("t.example.com"))
    }
}
