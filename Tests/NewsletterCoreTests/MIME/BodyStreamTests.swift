import Foundation
import Testing

@testable import NewsletterCore

/// A body written in pieces, some of them fixed text with kept encodings, must be byte for byte the encoding of
/// the whole text: the per-subscriber fast path depends on it.
struct BodyStreamTests {
    static let texts: [String] = [
        String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 30),
        String(repeating: "澳大利亚与新西兰的首次外长、防长会谈在澳洲墨尔本举行。", count: 12),
        "Hello, 张伟!\n\n" + String(repeating: "Mixed 中英文 text = quoted?\t\n", count: 20) + "From the editor\n.\nend",
        "CRLF\r\nlines\r\nand lone\rCR and\n\rLF CR\r\r\n\n" + String(repeating: "x", count: 200) + " \n",
        String(repeating: "=", count: 100) + "\n" + String(repeating: "é ", count: 80) + "   \n\tTab\t\n",
        "\nstarts with a line feed\n" + String(repeating: "y", count: 160),
        "no line break at all " + String(repeating: "z", count: 120),
    ]

    /// Cut points that fall on many offsets modulo 57 (base64 lines) and across line breaks.
    static func pieces(_ bytes: [UInt8], seed: Int) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var index = 0
        var step = seed % 7 + 1
        while index < bytes.count {
            var end = min(bytes.count, index + step)
            // Fixed text is always whole characters: move the cut off UTF-8 continuation octets.
            while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
            pieces.append(Array(bytes[index..<end]))
            index = end
            step = (step * 31 + seed) % 97 + 1
        }
        return pieces
    }

    @Test("Pieces, raw and fixed, encode exactly like the whole text", arguments: texts)
    func piecesEqualWhole(_ text: String) {
        let bytes = Array(text.utf8)
        for encoding in [BodyEncoding.quotedPrintable, .base64] {
            let whole = encoding.encodedBytes(text)
            for seed in 0..<12 {
                // Every other piece is fixed text; each fixed piece is reused, so kept encodings are hit at
                // different offsets.
                let cut = Self.pieces(bytes, seed: seed)
                let fixed = cut.map { FixedText(String(decoding: $0, as: UTF8.self)) }
                for _ in 0..<2 {
                    var stream = BodyStream(encoding: encoding)
                    for (index, piece) in cut.enumerated() {
                        if index % 2 == seed % 2 {
                            stream.append(fixed[index])
                        } else {
                            piece.withUnsafeBufferPointer { stream.append(raw: $0) }
                        }
                    }
                    stream.finish()
                    #expect(stream.output == whole, "\(encoding) seed \(seed)")
                }
            }
        }
    }

    @Test("One fixed text after prefixes of every length modulo 57 encodes like the whole text")
    func everyAlignment() {
        let fixedText = String(repeating: "固定的文字 fixed text\n", count: 40)
        let fixed = FixedText(fixedText)
        for encoding in [BodyEncoding.quotedPrintable, .base64] {
            for length in 0..<120 {
                let prefix = String(repeating: "名", count: length / 3) + String(repeating: "n", count: length % 3)
                var stream = BodyStream(encoding: encoding)
                stream.append(prefix)
                stream.append(fixed)
                stream.append("<\(length)>")
                stream.finish()
                #expect(stream.output == encoding.encodedBytes(prefix + fixedText + "<\(length)>"), "\(encoding) prefix \(length)")
            }
        }
    }

    @Test("Empty text encodes to nothing; text without a final line break gets one")
    func edges() {
        for encoding in [BodyEncoding.quotedPrintable, .base64] {
            var stream = BodyStream(encoding: encoding)
            stream.append(FixedText(""))
            stream.append("")
            stream.finish()
            #expect(stream.output.isEmpty)
        }
        #expect(BodyEncoding.quotedPrintable.encode("a\rb") == "a\r\nb\r\n")
        #expect(BodyEncoding.base64.encode("a") == "YQ0K\r\n")
    }
}
