import PPGHTTP
import PPGWire

/// Text from outside (a receiver's answer, a report, a vector file) placed in Markdown so that nothing in it
/// renders: no `@mention`, image, link, emphasis, HTML or table break. It goes in a code span or a fenced block
/// whose backtick run is longer than any inside it, with control characters made visible.
package enum MarkdownText {
    /// An inline code span holding `text` on one line, safe in a list item and in a table cell.
    /// - Parameter text: The text.
    /// - Returns: The code span, e.g. `` `a|b` `` with the pipe escaped for tables.
    package static func code(_ text: String) -> String {
        let line = PrintableText.line(text.replacingLineBreaks())
        guard !line.isEmpty else { return "` `" }
        let fence = String(repeating: "`", count: longestBacktickRun(line) + 1)
        // A span that starts or ends with a backtick needs a space inside the fence (CommonMark 6.1).
        let padded = line.hasPrefix("`") || line.hasSuffix("`") ? " \(line) " : line
        // GFM splits table cells at `|` before it parses code spans, so it is escaped inside them too.
        return fence + padded.replacingOccurrences(of: "|", with: "\\|") + fence
    }

    /// A fenced code block holding `text` as it is (line breaks kept, other controls made visible).
    /// - Parameters:
    ///   - text: The text.
    ///   - language: The info string, e.g. `sh`.
    /// - Returns: The lines of the block.
    package static func fence(_ text: String, language: String = "") -> [String] {
        let visible = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { PrintableText.line(String($0)) }.joined(separator: "\n")
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(visible) + 1))
        return [fence + language, visible, fence]
    }

    /// Text for HTML inside Markdown (`<summary>`): `<`, `>`, `&`, quotes escaped, on one line, and `@` written
    /// as an entity so that no mention is made.
    /// - Parameter text: The text.
    /// - Returns: Escaped HTML text.
    package static func html(_ text: String) -> String {
        var out = HTMLText.escape(PrintableText.line(text.replacingLineBreaks()))
        for (character, entity) in markdownEntities {
            out = out.replacingOccurrences(of: character, with: entity)
        }
        return out
    }

    /// Characters Markdown would act on, as entities (after `&` was escaped, so these are not escaped twice).
    private static let markdownEntities: [(String, String)] = [
        ("@", "&#64;"), ("`", "&#96;"), ("[", "&#91;"), ("]", "&#93;"), ("*", "&#42;"), ("_", "&#95;"),
        ("|", "&#124;"), ("!", "&#33;"),
    ]

    private static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0
        var run = 0
        for scalar in text.unicodeScalars {
            run = scalar == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}

extension String {
    fileprivate func replacingLineBreaks() -> String {
        split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            .joined(separator: " ")
    }
}
