// libFuzzer target: the JSON reader and the configuration reader. A configuration that loads holds only header
// values the MIME writer can write: a List-Id that passes RFC 2919, display text without control characters.
// Built and run by scripts/fuzz.
@testable import NewsletterCore

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let json = try? JSONReader.parse(bytes) else { return 0 }
    // The writer and reader agree on every value.
    check((try? JSONReader.parse(Array(json.encoded.utf8))) == json, "JSON does not survive a write and a read")
    guard let configuration = try? Configuration(json: json, file: "fuzz.json", baseDirectory: "/srv/newsletter") else { return 0 }
    let newsletter = configuration.newsletter
    check(HeaderText.listIDProblem(newsletter.listID) == nil, "a loaded List-Id fails RFC 2919: \(newsletter.listID.debugDescription)")
    check(HeaderText.displayTextProblem(newsletter.title) == nil, "a loaded title is not display text")
    check(!newsletter.from.address.requiresSMTPUTF8, "a loaded From address needs SMTPUTF8")
    check(HeaderText.asciiTokenProblem(newsletter.unsubscribeURL) == nil, "a loaded unsubscribe URL is not ASCII")
    for line in HeaderEncoding.fold(name: "List-Id", tokens: MailMessage.listIDTokens(newsletter.listID)).components(separatedBy: "\r\n") {
        check(line.utf8.allSatisfy { $0 < 0x80 }, "8-bit List-Id header")
    }
    return 0
}

func check(_ condition: Bool, _ message: String) {
    if !condition {
        FileHandle.standardError.write(Data("check failed: \(message)\n".utf8))
        abort()
    }
}

// SwiftPM links an executable target's entry point as `FuzzConfigReader_main` (main is defined to it), so libFuzzer's
// own main is not used: the entry point hands over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzConfigReader_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzConfigReader)
}
