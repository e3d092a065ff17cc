// libFuzzer target: libxml2 parse, boilerplate removal, allow-list sanitiser, serialiser, plain text, excerpt.
// Whatever the input, the cleaned tree holds only allowed tags and attributes, every URL is http(s) or mailto
// without credentials, and nothing active survives serialisation. Built and run by scripts/fuzz.
@testable import NewsletterCore

import Foundation
import FuzzSupport

nonisolated(unsafe) let sanitizer = HTMLSanitizer(rules: BoilerplateRules.standard(extraSelectors: [], extraTextBlocks: ["^Read more$"], cutAfterLastRule: true))
let base = URL(string: "https://fuzzuser:fuzzpass@news.example.com/a/b.html")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTMLCleaner(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let html = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let tree = sanitizer.clean(HTMLParser.parseFragment(html), base: base)
    checkTree(tree)
    let output = HTMLSerializer.html(tree).lowercased()
    // Text may say "javascript:" (escaped, it is only text); attributes are checked on the tree above.
    for forbidden in ["<script", "<iframe", "<object", "<embed", "<form", "<style", "<svg", "<input", "<base", "<meta", "<link"] {
        FuzzDriver.check(!output.contains(forbidden), "'\(forbidden)' in the output")
    }
    _ = PlainTextRenderer.render(tree)
    let excerpt = Excerpt.make(tree, limit: 300)
    checkTree(excerpt.nodes)
    _ = Excerpt.leadImage(tree)
    // Numeric references: the rewrite never grows text without '&'.
    if !html.utf8.contains(UInt8(ascii: "&")) {
        FuzzDriver.check(HTMLCharacterReferences.numeric(Array(html.utf8)) == Array(html.utf8), "text without '&' changed")
    }
    return 0
}

func checkTree(_ nodes: [HTMLNode]) {
    for node in nodes {
        guard case .element(let element) = node else { continue }
        FuzzDriver.check(HTMLSanitizer.allowedTags.contains(element.name), "tag <\(element.name)> survived")
        let allowed = HTMLSanitizer.globalAttributes.union(HTMLSanitizer.allowedAttributes[element.name] ?? [])
        for attribute in element.attributes {
            FuzzDriver.check(allowed.contains(attribute.name), "attribute \(attribute.name) on <\(element.name)> survived")
            FuzzDriver.check(!attribute.value.unicodeScalars.contains(where: Sanitize.isControl), "control character in an attribute")
            if HTMLSanitizer.urlAttributes.contains(attribute.name) {
                let value = attribute.value.lowercased()
                FuzzDriver.check(
                    value.hasPrefix("https://") || value.hasPrefix("http://") || (element.name == "a" && value.hasPrefix("mailto:")),
                    "unsafe URL \(attribute.value.debugDescription)")
                if !value.hasPrefix("mailto:") {
                    FuzzDriver.check(URL(string: attribute.value)?.user == nil, "credentials in \(attribute.value.debugDescription)")
                }
            }
        }
        if HTMLSanitizer.voidTags.contains(element.name) { FuzzDriver.check(element.children.isEmpty, "a void element has children") }
        checkTree(element.children)
    }
}

@_cdecl("FuzzHTMLCleaner_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv, fuzzHTMLCleaner)
}
