// libFuzzer target: the article file parser (ArticleFileParser) and the cut of a file at articles.maxFileBytes.
// Built and run by scripts/fuzz; a failed check is a crash that libFuzzer reports with the input.
@testable import NewsletterCore

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArticleParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var warnings: [ArticleFileProblem] = []
    if let article = try? ArticleFileParser.parse(bytes[...], file: "fuzz.txt", warnings: &warnings) {
        check(!article.title.isEmpty, "empty title")
        check(article.title.count <= ArticleFileParser.maxTitleCharacters, "title over the bound")
        check(!article.title.unicodeScalars.contains(where: Sanitize.isControl), "control character in the title")
        if let link = article.link {
            let scheme = link.scheme?.lowercased()
            check(scheme == "http" || scheme == "https", "link that is not http(s)")
            check(link.user == nil && link.password == nil, "credentials in the link")
        }
        for warning in warnings {
            check(!warning.description.unicodeScalars.contains(where: { Sanitize.isControl($0) }), "control character in a warning")
        }
    }
    // A file cut at any length keeps whole characters: valid UTF-8 stays valid.
    if String(validating: bytes, as: UTF8.self) != nil {
        let cut = DirectoryArticleSource.wholeCharacters(bytes[..<(size / 2)])
        check(String(validating: cut, as: UTF8.self) != nil, "a cut split a character")
        check(cut.count + 3 >= size / 2, "a cut dropped more than one character")
    }
    return 0
}

func check(_ condition: Bool, _ message: String) {
    if !condition {
        FileHandle.standardError.write(Data("check failed: \(message)\n".utf8))
        abort()
    }
}

// SwiftPM links an executable target's entry point as `FuzzArticleParser_main` (main is defined to it), so libFuzzer's
// own main is not used: the entry point hands over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzArticleParser_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzArticleParser)
}
