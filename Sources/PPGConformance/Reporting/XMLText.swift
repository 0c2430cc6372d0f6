/// Escaping for XML 1.0 that survives anything: characters XML 1.0 forbids (NUL, ESC and other controls,
/// U+FFFE, U+FFFF) become visible `\u{…}` text, and `<`, `&`, `>` and quotes become entities, so `]]>` can
/// never end anything.
public enum XMLText {
    /// Escapes text for an element's content or an attribute value.
    /// - Parameters:
    ///   - text: The text.
    ///   - attribute: Whether it goes in an attribute (then line breaks and tabs are kept as character references).
    ///   - quotes: Whether quotes become entities (default: in attributes); HTML content that may end up in an
    ///     attribute wants them everywhere.
    /// - Returns: The escaped text.
    public static func escape(_ text: String, attribute: Bool = false, quotes: Bool? = nil) -> String {
        let quoted = quotes ?? attribute
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += quoted ? "&quot;" : "\""
            case "'": out += quoted ? "&apos;" : "'"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\r": out += "&#13;"
            case "\t": out += attribute ? "&#9;" : "\t"
            default:
                if isAllowed(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                }
            }
        }
        return out
    }

    /// An attribute value that must be an `xs:token` (no leading, trailing or repeated spaces, no line breaks)
    /// and not empty.
    /// - Parameter text: The text.
    /// - Returns: The escaped token.
    public static func token(_ text: String) -> String {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        let joined = words.joined(separator: " ")
        return escape(joined.isEmpty ? "-" : joined, attribute: true)
    }

    /// The one-line form of a text, for `message` attributes.
    /// - Parameters:
    ///   - text: The text.
    ///   - limit: The most characters kept.
    /// - Returns: The first line, shortened.
    public static func oneLine(_ text: String, limit: Int = 300) -> String {
        let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return first.count > limit ? String(first.prefix(limit)) + "…" : first
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: true
        case 0x20...0xD7FF: true
        case 0xE000...0xFFFD: true
        case 0x10000...0x10FFFF: true
        default: false
        }
    }
}
