import Foundation
import Testing

@testable import NewsletterCore

struct ExcerptTests {
    @Test("a cut keeps the space that separates a text from the element before it, and drops the one before the …",
        arguments: [
            ("<p><code>https://</code> URL and it fetches it over the network</p>", 25, "<p><code>https://</code> URL and it…</p>"),
            ("<p>one two three four five six</p>", 12, "<p>one two…</p>"),
            ("<p><b>Bold</b> then plain words that go on</p>", 15, "<p><b>Bold</b> then…</p>"),
            ("<p>短文本不会被截断</p>", 20, "<p>短文本不会被截断</p>"),
        ])
    func cut(_ example: (String, Int, String)) {
        let (nodes, _) = Excerpt.make(HTMLParser.parseFragment(example.0), limit: example.1)
        // The serialiser adds e-mail inline styles; the cut is what is compared.
        let html = HTMLSerializer.html(nodes).replacingOccurrences(of: " style=\"[^\"]*\"", with: "", options: .regularExpression)
        #expect(html == example.2)
    }
}
