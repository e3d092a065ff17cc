/// Checks of the configuration values that reach a header, made when the configuration loads so that a bad value
/// stops every command before anything is rendered or sent, naming the key (exit 65).
///
/// Display text (the title, the From name, the List-Id phrase, the Subject template) may be any Unicode: the MIME
/// writer encodes it as RFC 2047 encoded-words. It must hold no control or bidirectional-override character
/// (which would be silently changed, or would spoof the text's order) and stay short enough for a mail client to
/// show. Values written into a header as they are (the List-Id's identifier, URLs in `List-Unsubscribe`) must be
/// printable ASCII of the grammar their RFC gives.
enum HeaderText {
    /// The longest display text accepted (title, From name, List-Id phrase), in characters.
    static let maxDisplayCharacters = 200
    /// The longest Subject template accepted, in characters.
    static let maxSubjectCharacters = 500
    /// The longest unsubscribe URL template accepted, in octets.
    static let maxURLOctets = 2000
    /// RFC 2919 §3: the list identifier is at most 255 octets, brackets not counted.
    static let maxListIDOctets = 255

    /// Why `text` cannot be display text in a header, or nil when it can.
    static func displayTextProblem(_ text: String, maxCharacters: Int = maxDisplayCharacters) -> String? {
        if let scalar = text.unicodeScalars.first(where: { Sanitize.isControl($0) || isBidiControl($0) }) {
            return "contains the control character U+\(hex(scalar)); write it on one line, without control characters"
        }
        let count = text.count
        if count > maxCharacters { return "is \(count) characters long; at most \(maxCharacters) are allowed" }
        return nil
    }

    /// Why `text` cannot stand in a header as written (a URL), or nil when it can: printable ASCII, no space.
    static func asciiTokenProblem(_ text: String, maxOctets: Int = maxURLOctets) -> String? {
        if let scalar = text.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value >= 0x7F }) {
            return scalar.value > 0x7F
                ? "contains the non-ASCII character U+\(hex(scalar)); percent-encode it"
                : "contains a space or control character (U+\(hex(scalar)))"
        }
        if text.utf8.count > maxOctets { return "is \(text.utf8.count) octets long; at most \(maxOctets) are allowed" }
        return nil
    }

    /// Why `text` is not a List-Id value, or nil when it is.
    ///
    /// RFC 2919 §3: `[phrase] CFWS "<" list-id ">"`, where `list-id = list-label "." list-id-namespace`, the label
    /// is a dot-atom-text and the namespace a domain name the list owner controls (or `localhost`); at most 255
    /// octets between the brackets. The phrase is display text (encoded when written).
    static func listIDProblem(_ text: String) -> String? {
        let example = "; write it like `Daily Digest <daily-digest.example.org>` (RFC 2919)"
        guard text.hasSuffix(">"), let open = text.lastIndex(of: "<") else {
            return "must end with an identifier in angle brackets" + example
        }
        let phrase = String(text[..<open])
        if let problem = displayTextProblem(phrase) { return "the name before `<` " + problem }
        let id = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        if let problem = asciiTokenProblem(id, maxOctets: maxListIDOctets) { return "the identifier " + problem + example }
        let atoms = id.split(separator: ".", omittingEmptySubsequences: false)
        guard atoms.count >= 2, atoms.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isAtext) }) else {
            return "the identifier '\(id)' is not a dot-atom with a label and a domain" + example
        }
        let namespace = atoms.last == "localhost" ? atoms.suffix(1) : atoms.suffix(2)
        guard atoms.count > namespace.count, namespace.allSatisfy(isDomainLabel) else {
            return "the identifier '\(id)' must end with a domain name you control, after a label" + example
        }
        return nil
    }

    /// RFC 5322 `atext`.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    /// A host name label (RFC 1123): letters, digits and inner hyphens, at most 63 octets.
    static func isDomainLabel(_ label: Substring) -> Bool {
        guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-" else { return false }
        return label.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
        }
    }

    /// Unicode's explicit bidirectional formatting characters (UAX #9), which reorder what a reader sees.
    static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value) || scalar.value == 0x200E
            || scalar.value == 0x200F || scalar.value == 0x061C
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
