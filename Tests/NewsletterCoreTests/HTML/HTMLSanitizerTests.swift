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
}
extension HTMLSanitizerTests {
    @Test("DEBUGDUMP") func debugDump() {
        for v in ["<a href=\"https://zh.wikipedia.org/wiki/澳大利亚\">维基</a>", "<a href=\"https://example.com/a b\">sp</a>", "<a href=\"HTTPS://EXAMPLE.COM/X\">up</a>", "<img src=\"//cdn.example.com/i.png\">", "<a href=\"mailto:编辑@例子.中国\">mail</a>", "<a href=\"#section\">frag</a>", "<a href=\"?page=2\">q</a>", "<a href=\"https://例子.中国/路径\">idn</a>", "<p>Click <strong>Share</strong> to tell friends</p>", "<p><font color=red>red</font> text</p><center>centered</center>", "<a href=\"https://x.example/\"><img src=\"https://t.example/p.gif\" width=1 height=1></a>", "<img src=\"https://x.example/big.png\" width=\"800\" height=\"600\">", "<img src=\"https://x.example/s.png\" width=\"300\" height=\"200\" alt=\"A &amp; B\">"] { print("IN  \(v.debugDescription)\nOUT \(cleaned(v).debugDescription)") }
        for v in Self.xssVectors { print("IN  \(v.debugDescription)\nOUT \(cleaned(v).debugDescription)") }
        let deep = nestedDivs(5000, around: "deep text")
        print("DEEP", cleaned(deep).count, cleaned(deep).contains("deep text"))
        print("DEEP2", cleaned(nestedDivs(200, around: "<script>alert(1)</script><style>p{}</style><iframe>frame</iframe><a href=\"javascript:alert(2)\">x</a><img src=x width=1 height=1><my-widget>w</my-widget>ok")).replacingOccurrences(of: "<div>", with: "").replacingOccurrences(of: "</div>", with: ""))
    }
}
