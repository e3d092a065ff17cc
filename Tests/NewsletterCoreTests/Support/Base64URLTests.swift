import Foundation
import NewsletterCore
import Testing

/// base64url without padding (RFC 4648 §5) against Foundation's base64 with the alphabet swapped, for every length
/// from 0 to 80 bytes, and the RFC 4648 §10 test vectors.
struct Base64URLTests {
    @Test("RFC 4648 §10 vectors, unpadded")
    func vectors() {
        let cases = [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in cases {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test("Every length up to 80 bytes matches Foundation's encoding with - and _ and no padding")
    func matchesFoundation() {
        var state: UInt64 = 42
        for length in 0...80 {
            var bytes: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 56))
            }
            var expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            while expected.hasSuffix("=") { expected.removeLast() }
            #expect(Base64URL.encode(bytes) == expected)
            #expect(Base64URL.decode(expected) == bytes)
        }
    }
}
