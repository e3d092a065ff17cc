// libFuzzer target: the header encoders (RFC 2047 encoded-words, folding) and the body encoders
// (quoted-printable, base64). decode(encode(x)) == x, every line at most 76 characters, ASCII only, CRLF only.
// Built and run by scripts/fuzz.
@testable import NewsletterCore

import Foundation
import FuzzSupport

let address = try! EmailAddress("reader@example.org")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEncoders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)

    // Headers: an unstructured field decodes back to the text on one line.
    let subject = HeaderEncoding.unstructuredField("Subject", text)
    checkHeader(subject)
    let unfolded = subject.replacingOccurrences(of: "\r\n ", with: " ")
    let decoded = EncodedWords.decode(String(unfolded.dropFirst("Subject:".count)).trimmingCharacters(in: [" "]))
    FuzzDriver.check(decoded == Sanitize.collapsedLine(text), "Subject does not decode back: \(decoded.debugDescription)")
    checkHeader(HeaderEncoding.mailboxField("From", displayName: text, address: address))
    for word in HeaderEncoding.encodedWords(text, firstLineUsed: 9) {
        FuzzDriver.check(word.count <= HeaderEncoding.maxEncodedWordLength, "encoded-word over 75 characters")
    }

    // Bodies: both encodings give back the CRLF text.
    let canonical = Array(BodyEncoding.crlfText(text).utf8)
    for encoding in [BodyEncoding.quotedPrintable, .base64] {
        let encoded = encoding.encodedBytes(text)
        checkLines(encoded, "\(encoding.rawValue) body")
        let back = TransferDecoding.decode(encoded[...], encoding: encoding.rawValue)
        FuzzDriver.check(back == canonical || (text.isEmpty && back.isEmpty), "\(encoding.rawValue) does not decode back")
    }
    return 0
}

func checkHeader(_ field: String) {
    checkLines(Array(field.utf8), "header")
}

/// ASCII, CRLF line breaks only, lines of at most 76 characters.
func checkLines(_ bytes: [UInt8], _ what: String) {
    var length = 0
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        FuzzDriver.check(byte < 0x80, "\(what): 8-bit octet")
        if byte == 0x0D {
            FuzzDriver.check(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "\(what): bare CR")
            length = 0
            index += 2
            continue
        }
        FuzzDriver.check(byte != 0x0A, "\(what): bare LF")
        length += 1
        FuzzDriver.check(length <= 76, "\(what): line over 76 characters")
        index += 1
    }
}

@_cdecl("FuzzEncoders_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv, fuzzEncoders)
}
