// libFuzzer target: the JSON reader and the configuration reader. A configuration that loads holds only header
// values the MIME writer can write: a List-Id that passes RFC 2919, display text without control characters.
// Built and run by scripts/fuzz.
@testable import NewsletterCore

import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let json = try? JSONReader.parse(bytes) else { return 0 }
    // The writer and reader agree on every value.
    FuzzDriver.check((try? JSONReader.parse(Array(json.encoded.utf8))) == json, "JSON does not survive a write and a read")
    guard let configuration = try? Configuration(json: json, file: "fuzz.json", baseDirectory: "/srv/newsletter") else { return 0 }
    let newsletter = configuration.newsletter
    FuzzDriver.check(HeaderText.listIDProblem(newsletter.listID) == nil, "a loaded List-Id fails RFC 2919: \(newsletter.listID.debugDescription)")
    FuzzDriver.check(HeaderText.displayTextProblem(newsletter.title) == nil, "a loaded title is not display text")
    FuzzDriver.check(!newsletter.from.address.requiresSMTPUTF8, "a loaded From address needs SMTPUTF8")
    FuzzDriver.check(HeaderText.asciiTokenProblem(newsletter.unsubscribeURL) == nil, "a loaded unsubscribe URL is not ASCII")
    for line in HeaderEncoding.fold(name: "List-Id", tokens: MailMessage.listIDTokens(newsletter.listID)).components(separatedBy: "\r\n") {
        FuzzDriver.check(line.utf8.allSatisfy { $0 < 0x80 }, "8-bit List-Id header")
    }
    return 0
}

@_cdecl("FuzzConfigReader_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv, fuzzConfigReader)
}
