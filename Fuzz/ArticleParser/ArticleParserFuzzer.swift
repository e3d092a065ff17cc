// libFuzzer target: the article file parser (ArticleFileParser) and the cut of a file at articles.maxFileBytes.
// Built and run by scripts/fuzz; a failed check is a crash that libFuzzer reports with the input.
@testable import NewsletterCore

import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArticleParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var warnings: [ArticleFileProblem] = []
    if let article = try? ArticleFileParser.parse(bytes[...], file: "fuzz.txt", warnings: &warnings) {
        FuzzDriver.check(!article.title.isEmpty, "empty title")
        FuzzDriver.check(article.title.count <= ArticleFileParser.maxTitleCharacters, "title over the bound")
        FuzzDriver.check(!article.title.unicodeScalars.contains(where: Sanitize.isControl), "control character in the title")
        if let link = article.link {
            let scheme = link.scheme?.lowercased()
            FuzzDriver.check(scheme == "http" || scheme == "https", "link that is not http(s)")
            FuzzDriver.check(link.user == nil && link.password == nil, "credentials in the link")
        }
        for warning in warnings {
            FuzzDriver.check(!warning.description.unicodeScalars.contains(where: { Sanitize.isControl($0) }), "control character in a warning")
        }
    }
    // A file cut at any length keeps whole characters: valid UTF-8 stays valid.
    if String(validating: bytes, as: UTF8.self) != nil {
        let cut = DirectoryArticleSource.wholeCharacters(bytes[..<(size / 2)])
        FuzzDriver.check(String(validating: cut, as: UTF8.self) != nil, "a cut split a character")
        FuzzDriver.check(cut.count + 3 >= size / 2, "a cut dropped more than one character")
    }
    return 0
}

@_cdecl("FuzzArticleParser_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv, fuzzArticleParser)
}
