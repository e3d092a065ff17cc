// libFuzzer target: the subscriber list reader and the byte-preserving editor (SubscriberFileEditor.apply).
// An edit of a valid list gives a valid list in which only the entries of the edited address changed, every
// other entry identical and in the same order. Built and run by scripts/fuzz.
@testable import NewsletterCore

import Foundation

let fuzzAddress = try! EmailAddress("fuzz@example.org")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSubscriberList(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let list = try? SubscriberList(bytes: bytes, file: "fuzz.json"),
        case .array(let before)? = try? JSONReader.parse(bytes)
    else { return 0 }
    let target = list.subscribers().first?.address ?? fuzzAddress
    let edits: [SubscriberFileEditor.Edit] = [
        .add(fuzzAddress, name: "Fuzz \"Tester\" 张", fields: [("source", .string("fuzz"))]),
        .add(target, name: nil, resubscribe: true),
        .unsubscribe(target, fields: [("reason", .string("unsubscribed"))]),
        .remove(target),
    ]
    let edit = edits[size % edits.count]
    let output: [UInt8]
    do {
        output = try SubscriberFileEditor.apply([edit], to: bytes, file: "fuzz.json").bytes
    } catch {
        check(false, "the editor refused a list the reader accepts: \(error)")
        return 0
    }
    guard case .array(let after)? = try? JSONReader.parse(output) else {
        check(false, "the edited list is not a JSON array")
        return 0
    }
    check((try? SubscriberList(bytes: output, file: "fuzz.json")) != nil, "the edited list does not load")
    let key = edit.address.normalized
    let othersBefore = before.filter { SubscriberFileEditor.key(of: $0) != key }
    let othersAfter = after.filter { SubscriberFileEditor.key(of: $0) != key }
    check(othersBefore == othersAfter, "an entry of another address changed")
    let editedBefore = before.count - othersBefore.count
    let editedAfter = after.count - othersAfter.count
    switch edit {
    case .add: check(editedAfter == max(editedBefore, 1), "add changed the number of entries of the address wrongly")
    case .unsubscribe: check(editedAfter == editedBefore, "unsubscribe changed the number of entries")
    case .remove: check(editedAfter == 0, "remove left an entry of the address")
    }
    if output == bytes { return 0 }
    // Outside the edited entries, the bytes before the first change are the same.
    check(output.count > 0 && output.last == 0x0A || bytes.last != 0x0A, "the final line break was lost")
    return 0
}

func check(_ condition: Bool, _ message: String) {
    if !condition {
        FileHandle.standardError.write(Data("check failed: \(message)\n".utf8))
        abort()
    }
}

// SwiftPM links an executable target's entry point as `FuzzSubscriberList_main` (main is defined to it), so libFuzzer's
// own main is not used: the entry point hands over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzSubscriberList_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzSubscriberList)
}
