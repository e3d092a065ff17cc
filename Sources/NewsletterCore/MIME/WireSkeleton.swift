/// A body skeleton for the wire: its fixed text with the encodings made of it, and the transfer encoding chosen
/// once for the run from that text.
final class WireSkeleton {
    /// A piece of a body as the renderer made it: text that is the same for every reader, or the slot of one of
    /// the reader's values, inserted as is or HTML-escaped.
    enum Piece {
        case text(String)
        case value(Int, escaped: Bool)
    }

    enum Part {
        case fixed(FixedText)
        case value(Int, escaped: Bool)
    }

    let parts: [Part]
    let encoding: BodyEncoding
    /// Octets of fixed text.
    let fixedSize: Int

    init(_ pieces: [Piece]) {
        var parts: [Part] = []
        var fixed: [UInt8] = []
        for piece in pieces {
            switch piece {
            case .text(let text):
                let piece = FixedText(text)
                fixed += piece.normalized
                parts.append(.fixed(piece))
            case .value(let index, let escaped):
                parts.append(.value(index, escaped: escaped))
            }
        }
        self.parts = parts
        fixedSize = fixed.count
        encoding = fixed.withUnsafeBufferPointer { BodyEncoding.choose(for: $0) }
    }

    /// Writes the body with `values` in its slots (`escaped` holds their HTML-escaped forms).
    func write(_ values: [String], escaped: [String], to stream: inout BodyStream) {
        for part in parts {
            switch part {
            case .fixed(let text): stream.append(text)
            case .value(let index, let isEscaped): stream.append(isEscaped ? escaped[index] : values[index])
            }
        }
    }
}
