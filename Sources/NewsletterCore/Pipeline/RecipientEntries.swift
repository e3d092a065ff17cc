import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The list entries of a run's recipients, read again one at a time when each recipient's message is made, so
/// that a send holds twelve bytes per recipient: neither a value per subscriber nor the list file's bytes.
///
/// The entries are read with `pread` from the descriptor the list was parsed from (opened under the list's
/// lock: a later rewrite of the list replaces the file, and this descriptor keeps the parsed one). When that
/// cannot be made sure of, the list's bytes are kept instead. Used from one thread at a time.
final class RecipientEntries: @unchecked Sendable {
    private let file: String
    private var descriptor: Int32
    /// The list's bytes, when the entries are not read from `descriptor`.
    private let bytes: [UInt8]?
    private var starts: [UInt32] = []
    private var lengths: [UInt32] = []
    private var positions: [Int32] = []

    /// Entries of `list`; `descriptor` (or -1) is the list file opened before `list` was read from it, and is
    /// closed by this object.
    init(list: SubscriberList, descriptor: Int32) {
        file = list.file
        var info = stat()
        if descriptor >= 0, fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) == list.bytes.count {
            self.descriptor = descriptor
            bytes = nil
        } else {
            if descriptor >= 0 { close(descriptor) }
            self.descriptor = -1
            bytes = list.bytes
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    var count: Int { starts.count }

    /// Adds the entry of `record`.
    func append(_ record: SubscriberList.AddressRecord) {
        starts.append(record.start)
        lengths.append(record.length)
        positions.append(record.position)
    }

    /// Entry number `index` (below ``count``), parsed again.
    ///
    /// - Throws: ``RenderError/invalidOutput(source:reason:)`` when it cannot be read or no longer reads as it did
    ///   (it cannot, short of a disk error): the run stops with the recipient pending.
    func subscriber(_ index: Int) throws(RenderError) -> Subscriber {
        let start = Int(starts[index])
        let length = Int(lengths[index])
        var entry: [UInt8]
        if let bytes {
            entry = Array(bytes[start..<(start + length)])
        } else {
            entry = [UInt8](repeating: 0, count: length)
            var filled = 0
            while filled < length {
                let n = entry.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, length - filled, off_t(start + filled)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw .invalidOutput(source: file, reason: "entry \(positions[index]) could not be read again: \(n < 0 ? FileSystem.errnoText() : "the file is shorter")")
                }
                filled += n
            }
        }
        guard let value = try? JSONReader.parse(entry),
            case .success(let (subscriber, _)) = SubscriberList.entry(value, position: Int(positions[index]), file: file)
        else {
            throw .invalidOutput(source: file, reason: "entry \(positions[index]) no longer reads as it did")
        }
        return subscriber
    }
}
