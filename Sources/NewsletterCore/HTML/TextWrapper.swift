/// Wraps plain text to a column width, breaking only where a line break is allowed.
///
/// Latin text breaks at spaces. CJK text may break between any two characters (UAX #14 class ID), except before
/// closing punctuation (`，。」`) and after opening punctuation (`「（`), the usual kinsoku rules. Wide characters
/// count as two columns. A word longer than the width stays whole on a line of its own: it is never cut.
public enum TextWrapper {
    /// Wraps `text` (one paragraph, no line breaks) to `width` columns, with `firstPrefix` before the first line
    /// and `restPrefix` before the others.
    public static func wrap(_ text: String, width: Int, firstPrefix: String = "", restPrefix: String = "") -> [String] {
        let units = breakUnits(text)
        var lines: [String] = []
        var line = firstPrefix
        var lineWidth = displayWidth(firstPrefix)
        var lineHasContent = false
        for unit in units {
            let unitWidth = displayWidth(unit.text)
            let spaceWidth = unit.spaceBefore && lineHasContent ? 1 : 0
            if lineHasContent && lineWidth + spaceWidth + unitWidth > width {
                lines.append(line)
                line = restPrefix + unit.text
                lineWidth = displayWidth(restPrefix) + unitWidth
            } else {
                if spaceWidth == 1 { line += " " }
                line += unit.text
                lineWidth += spaceWidth + unitWidth
            }
            lineHasContent = true
        }
        if lineHasContent || lines.isEmpty { lines.append(line) }
        return lines.map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
    }

    struct Unit: Equatable {
        var text: String
        var spaceBefore: Bool
    }

    /// Splits text into units between which a break is allowed.
    static func breakUnits(_ text: String) -> [Unit] {
        var units: [Unit] = []
        var current = ""
        var spaceBefore = false
        var pendingSpace = false
        var previous: Character?
        for character in text {
            if character == " " || character == "\t" {
                if !current.isEmpty {
                    units.append(Unit(text: current, spaceBefore: spaceBefore))
                    current = ""
                }
                pendingSpace = true
                previous = nil
                continue
            }
            if current.isEmpty {
                current.append(character)
                spaceBefore = pendingSpace
                pendingSpace = false
            } else if let previous, breakAllowed(between: previous, and: character) {
                units.append(Unit(text: current, spaceBefore: spaceBefore))
                current = String(character)
                spaceBefore = false
            } else {
                current.append(character)
            }
            previous = character
        }
        if !current.isEmpty { units.append(Unit(text: current, spaceBefore: spaceBefore)) }
        return units
    }

    static let closing: Set<Character> = Set("，。、；：？！）」』】〕〉》〗〙〛”’…‥—～·ー々ゝゞ％,.;:?!)]}%")
    static let opening: Set<Character> = Set("（「『【〔〈《〖〘〚“‘([{")

    static func breakAllowed(between before: Character, and after: Character) -> Bool {
        if closing.contains(after) || opening.contains(before) { return false }
        return isBreakableCJK(before) || isBreakableCJK(after)
    }

    static func isBreakableCJK(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        return isWide(scalar)
    }

    /// True for East Asian Wide and Fullwidth scalars: CJK ideographs, kana, hangul, CJK punctuation, fullwidth forms.
    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// The number of terminal columns `text` takes: two for wide characters, one for others.
    public static func displayWidth(_ text: String) -> Int {
        var width = 0
        for character in text {
            guard let scalar = character.unicodeScalars.first else { continue }
            width += isWide(scalar) ? 2 : 1
        }
        return width
    }
}
