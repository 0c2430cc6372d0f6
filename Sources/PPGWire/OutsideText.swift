/// Text from outside — a receiver's answer, a request, a peer's bytes, a file — made inert for the one place it is
/// printed or rendered. Every console line, report and annotation passes such text through `escape(_:for:)`, naming
/// the context it lands in; the rules of every context are here and nowhere else, so a hostile value is judged once
/// for all of them (`OutsideTextTests` runs the same hostile strings through every context).
public enum OutsideText {
    /// Where the text lands.
    public enum Context: Sendable, Hashable {
        /// One line of a terminal or a log: control characters (C0, DEL, C1 — line breaks, tabs, ESC) become
        /// `\u{…}`; everything else, non-ASCII text included, stays — except what a CI runner reads as a command
        /// of its own: a leading `::` (GitHub Actions' workflow commands, after leading spaces) and `##[` anywhere
        /// (their older form, and Azure Pipelines' `##vso[`) get their second character as `\u{…}`, so text from
        /// outside can never start a workflow command, wherever on the line it is printed.
        case line
        /// One line of printable ASCII, for bytes that may not even be UTF-8: every byte outside printable ASCII
        /// becomes `\xNN` and a backslash `\\`; cut at `limit` bytes with `…`.
        case ascii(limit: Int)
        /// A terminal as a whole, the last step before anything is written to one: line breaks, tabs and SGR colour
        /// sequences stay; every other control — ESC starting a cursor move or an OSC title, BEL, CR, C1 — becomes
        /// `\u{…}`.
        case terminal
        /// A Markdown inline code span on one line, safe in a list item and a GFM table cell.
        case markdownCode
        /// A Markdown fenced code block (its lines joined by line breaks), with an info string such as `sh`.
        case markdownBlock(language: String)
        /// HTML inside Markdown (`<summary>`): one line, HTML's and Markdown's active characters as entities, so no
        /// mention, link or emphasis is made.
        case markdownHTML
        /// HTML element content or a quoted attribute value: controls made visible (as `terminal`), then `&`, `<`,
        /// `>`, `"` and `'` as entities.
        case html
        /// An HTML `id` value, in the one encoding ids and links share: ASCII letters, digits, `-`, `.`, `/` and `~`
        /// stay, every other byte of the UTF-8 text becomes `_` and two hex digits (`_` itself `_5F`). Distinct
        /// texts get distinct ids, and nothing in one is changed by a URL parser or a browser's fragment lookup.
        case htmlIdentifier
        /// An `href` to the element whose id is `htmlIdentifier` of the same text: `#` and that same encoding.
        case htmlFragment
        /// XML 1.0 element content: characters XML forbids as `\u{…}`, `&`, `<`, `>` as entities (so `]]>` can
        /// never end anything).
        case xml
        /// An XML attribute value: as `xml`, quotes as entities, line breaks and tabs as character references.
        case xmlAttribute
        /// An XML attribute that must be an `xs:token`: white space runs collapsed to one space, never empty.
        case xmlToken
        /// The message of a GitHub Actions workflow command: `%`, CR and LF encoded as the runner decodes them.
        case annotationMessage
        /// A property of a GitHub Actions workflow command (`title=…`): as a message, `:` and `,` encoded too.
        case annotationProperty
    }

    /// The text, escaped for where it lands.
    /// - Parameters:
    ///   - text: Text from outside.
    ///   - context: Where it is printed or rendered.
    /// - Returns: Text that shows `text` there and does nothing else.
    public static func escape(_ text: String, for context: Context) -> String {
        switch context {
        case .line: line(text)
        case .ascii(let limit): ascii(Array(text.utf8), limit: limit)
        case .terminal: terminal(text)
        case .markdownCode: markdownCode(text)
        case .markdownBlock(let language): markdownBlock(text, language: language)
        case .markdownHTML: markdownHTML(text)
        case .html: xml(terminal(text), attribute: false, quotes: true)
        case .htmlIdentifier: htmlIdentifier(text)
        case .htmlFragment: htmlFragment(text)
        case .xml: xml(text, attribute: false, quotes: false)
        case .xmlAttribute: xml(text, attribute: true, quotes: true)
        case .xmlToken: xmlToken(text)
        case .annotationMessage: annotation(text, property: false)
        case .annotationProperty: annotation(text, property: true)
        }
    }

    /// Bytes from outside, escaped for where they land: `ascii` reads them byte by byte (invalid UTF-8 shown as
    /// `\xNN`), every other context as UTF-8 with invalid sequences replaced.
    /// - Parameters:
    ///   - bytes: Bytes from outside.
    ///   - context: Where they are printed or rendered.
    /// - Returns: Text that shows the bytes there and does nothing else.
    public static func escape(_ bytes: some Collection<UInt8>, for context: Context) -> String {
        if case .ascii(let limit) = context { return ascii(bytes, limit: limit) }
        return escape(String(decoding: Array(bytes), as: UTF8.self), for: context)
    }

    // MARK: - Terminals and logs

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func visible(_ scalar: Unicode.Scalar) -> String {
        "\\u{" + String(scalar.value, radix: 16) + "}"
    }

    private static func line(_ text: String) -> String {
        var out = ""
        // Whether a `::` or `##` was written: most lines hold neither, and searching them again costs more than this.
        var doubled = false
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += visible(scalar)
                previous = nil
            } else {
                if scalar == previous && (scalar == ":" || scalar == "#") { doubled = true }
                out.unicodeScalars.append(scalar)
                previous = scalar
            }
        }
        guard doubled else { return out }
        var scalars = Array(out.unicodeScalars)
        var result = ""
        // GitHub's runner trims leading white space, then reads a line that starts with `::` as a command.
        let start = scalars.firstIndex { $0 != " " } ?? scalars.count
        if start + 1 < scalars.count, scalars[start] == ":", scalars[start + 1] == ":" {
            result.unicodeScalars.append(contentsOf: scalars[...start])
            result += visible(":")
            scalars.removeFirst(start + 2)
        }
        // `##[command]` and `##vso[command]` are read anywhere on a line.
        for (index, scalar) in scalars.enumerated() {
            let opener =
                scalar == "#" && index > 0 && scalars[index - 1] == "#"
                && (scalars[(index + 1)...].starts(with: "[".unicodeScalars)
                    || scalars[(index + 1)...].starts(with: "vso[".unicodeScalars))
            if opener { result += visible(scalar) } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }

    private static func ascii(_ bytes: some Collection<UInt8>, limit: Int) -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var text = ""
        for byte in bytes.prefix(limit) {
            switch byte {
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20...0x7E: text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                text += "\\x"
                text.unicodeScalars.append(digits[Int(byte >> 4)])
                text.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return bytes.count > limit ? text + "…" : text
    }

    private static func terminal(_ text: String) -> String {
        // Most text has no control character at all: it is returned as it is, without a copy (a 50 MiB body
        // printed by `detect` must not cost a scalar array). C1 controls are 0xC2 0x80–0x9F in UTF-8.
        var previous: UInt8 = 0
        let clean = text.utf8.allSatisfy { byte in
            defer { previous = byte }
            if byte < 0x20 { return byte == 0x0A || byte == 0x09 }
            if byte == 0x7F { return false }
            return !(previous == 0xC2 && (0x80...0x9F).contains(byte))
        }
        if clean { return text }
        let scalars = Array(text.unicodeScalars)
        var out = ""
        out.unicodeScalars.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\u{1B}", let end = sgrEnd(scalars, from: index) {
                out.unicodeScalars.append(contentsOf: scalars[index..<end])
                index = end
                continue
            }
            if scalar == "\n" || scalar == "\t" || !isControl(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += visible(scalar)
            }
            index += 1
        }
        return out
    }

    /// The index after an SGR sequence starting at `start` (`ESC [`, digits and `;`, then `m`), or `nil`.
    private static func sgrEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 2 < scalars.count, scalars[start + 1] == "[" else { return nil }
        var index = start + 2
        while index < scalars.count, index - start < 24 {
            let scalar = scalars[index]
            if scalar == "m" { return index + 1 }
            guard ("0"..."9").contains(scalar) || scalar == ";" else { return nil }
            index += 1
        }
        return nil
    }

    // MARK: - Markdown

    private static func oneLine(_ text: String) -> String {
        line(
            text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
                .joined(separator: " "))
    }

    private static func markdownCode(_ text: String) -> String {
        let line = oneLine(text)
        guard !line.isEmpty else { return "` `" }
        let fence = String(repeating: "`", count: longestBacktickRun(line) + 1)
        // A span that starts or ends with a backtick needs a space inside the fence (CommonMark 6.1).
        let padded = line.hasPrefix("`") || line.hasSuffix("`") ? " \(line) " : line
        // GFM splits table cells at `|` before it parses code spans, so it is escaped inside them too.
        var escaped = ""
        for scalar in padded.unicodeScalars {
            if scalar == "|" { escaped += "\\|" } else { escaped.unicodeScalars.append(scalar) }
        }
        return fence + escaped + fence
    }

    private static func markdownBlock(_ text: String, language: String) -> String {
        let visible = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line(String($0)) }.joined(separator: "\n")
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(visible) + 1))
        return fence + oneLine(language) + "\n" + visible + "\n" + fence
    }

    /// Characters Markdown would act on, written as numeric entities after HTML's own escaping.
    private static let markdownActive: Set<Unicode.Scalar> = ["@", "`", "[", "]", "*", "_", "|", "!"]

    private static func markdownHTML(_ text: String) -> String {
        var out = ""
        for scalar in xml(oneLine(text), attribute: false, quotes: true).unicodeScalars {
            if markdownActive.contains(scalar) {
                out += "&#\(scalar.value);"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0
        var run = 0
        for scalar in text.unicodeScalars {
            run = scalar == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }

    // MARK: - HTML and XML

    /// The one encoding of an id for HTML: the element's `id` and every link to it are this text, byte for byte.
    private static func identifier(_ text: String) -> String {
        let kept = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-./~".utf8)
        let digits = Array("0123456789ABCDEF".unicodeScalars)
        var out = ""
        for byte in text.utf8 {
            if kept.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "_"
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return out.isEmpty ? "_" : out
    }

    private static func htmlIdentifier(_ text: String) -> String { identifier(text) }

    private static func htmlFragment(_ text: String) -> String { "#" + identifier(text) }

    private static func xml(_ text: String, attribute: Bool, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += quotes ? "&quot;" : "\""
            case "'": out += quotes ? "&apos;" : "'"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\r": out += "&#13;"
            case "\t": out += attribute ? "&#9;" : "\t"
            default:
                if isAllowedInXML(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                }
            }
        }
        return out
    }

    private static func xmlToken(_ text: String) -> String {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        let joined = words.joined(separator: " ")
        return xml(joined.isEmpty ? "-" : joined, attribute: true, quotes: true)
    }

    private static func isAllowedInXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: true
        case 0x20...0xD7FF: true
        case 0xE000...0xFFFD: true
        case 0x10000...0x10FFFF: true
        default: false
        }
    }

    // MARK: - Workflow commands

    private static func annotation(_ text: String, property: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            case ":" where property: out += "%3A"
            case "," where property: out += "%2C"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
