// libFuzzer target: the subscriber list reader and the byte-preserving editor (SubscriberFileEditor.apply).
// An edit of a valid list gives a valid list in which only the entries of the edited address changed, every
// other entry identical and in the same order. Built and run by scripts/fuzz.
@testable import NewsletterCore

import Foundation
import FuzzSupport

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
        FuzzDriver.check(false, "the editor refused a list the reader accepts: \(error)")
        return 0
    }
    guard case .array(let after)? = try? JSONReader.parse(output) else {
        FuzzDriver.check(false, "the edited list is not a JSON array")
        return 0
    }
    FuzzDriver.check((try? SubscriberList(bytes: output, file: "fuzz.json")) != nil, "the edited list does not load")
    let key = edit.address.normalized
    let othersBefore = before.filter { SubscriberFileEditor.key(of: $0) != key }
    let othersAfter = after.filter { SubscriberFileEditor.key(of: $0) != key }
    FuzzDriver.check(othersBefore == othersAfter, "an entry of another address changed")
    let editedBefore = before.count - othersBefore.count
    let editedAfter = after.count - othersAfter.count
    switch edit {
    case .add: FuzzDriver.check(editedAfter == max(editedBefore, 1), "add changed the number of entries of the address wrongly")
    case .unsubscribe: FuzzDriver.check(editedAfter == editedBefore, "unsubscribe changed the number of entries")
    case .remove: FuzzDriver.check(editedAfter == 0, "remove left an entry of the address")
    }
    if output == bytes { return 0 }
    // Outside the edited entries, the bytes before the first change are the same.
    FuzzDriver.check(output.count > 0 && output.last == 0x0A || bytes.last != 0x0A, "the final line break was lost")
    return 0
}

@_cdecl("FuzzSubscriberList_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv, fuzzSubscriberList)
}
