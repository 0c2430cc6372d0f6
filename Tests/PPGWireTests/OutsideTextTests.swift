import PPGWire
import Testing

/// Values a hostile receiver, request or file could carry: terminal escapes, markup, mentions, line breaks that end a
/// workflow command, the end of a CDATA section, characters XML forbids, invalid UTF-8.
private let hostile: [String] = [
    "plain text",
    "",
    "\u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}[31mred\u{1B}[0m",
    "line one\nline two\r\n::error::forged\r",
    "<script>alert('x')</script> & \"quoted\" <img src=x onerror=alert(1)>",
    "@everyone [link](https://evil.example) ![img](x) **bold** _em_ `code` ``` | cell |",
    "]]> <![CDATA[ x ]]>",
    "nul\u{0}bell\u{7}del\u{7F}c1\u{85}\u{9B}",
    "\u{FFFE}\u{FFFF}\u{D7FF}\u{E000}",
    "100% done, key: value, %0A",
    "   spaced\t\ttabs   ",
    "é ü 日本 🚀",
    String(repeating: "`", count: 7) + "fence",
    "  ::add-mask::secret",
    "::error file=x::forged ##[error]old ##vso[task.setvariable]x",
]

private let contexts: [OutsideText.Context] = [
    .line, .ascii(limit: 40), .terminal, .markdownCode, .markdownBlock(language: "sh"), .markdownHTML, .html,
    .htmlIdentifier, .htmlFragment, .xml, .xmlAttribute, .xmlToken, .annotationMessage, .annotationProperty,
]

private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
}

/// Why `output` could act in its context rather than show `input`, or `nil` when it is inert. The switch has no
/// default, so a new context cannot be added without saying what makes it safe.
private func problem(_ output: String, in context: OutsideText.Context) -> String? {
    let scalars = Array(output.unicodeScalars)
    func entitiesOnly() -> String? {
        // Every `&` starts an entity: `&name;` or `&#digits;`.
        var index = 0
        while index < scalars.count {
            if scalars[index] == "&" {
                guard let end = scalars[index...].firstIndex(of: ";"), end - index <= 8 else {
                    return "a bare '&'"
                }
                index = end
            }
            index += 1
        }
        return nil
    }
    switch context {
    case .line:
        if output.drop(while: { $0 == " " }).hasPrefix("::") || output.contains("##[") || output.contains("##vso[") {
            return "a CI runner's command"
        }
        return scalars.contains(where: isControl) ? "a control character on a line" : nil
    case .ascii:
        return output.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) || $0 == "…" }
            ? nil : "a byte outside printable ASCII"
    case .terminal:
        for (index, scalar) in scalars.enumerated() where isControl(scalar) && scalar != "\n" && scalar != "\t" {
            // ESC only as the start of a colour sequence: ESC [ digits ; … m.
            guard scalar == "\u{1B}", index + 1 < scalars.count, scalars[index + 1] == "[" else {
                return "a control character that drives a terminal"
            }
            let rest = scalars[(index + 2)...].prefix { $0 != "m" }
            if !rest.allSatisfy({ ("0"..."9").contains($0) || $0 == ";" }) { return "an escape sequence" }
        }
        return nil
    case .markdownCode:
        if scalars.contains(where: isControl) { return "a line break or control in a code span" }
        let fence = output.prefix { $0 == "`" }
        guard !fence.isEmpty, output.hasSuffix(String(fence)) else { return "not a code span" }
        // `` is one run of backticks, not an opening and a closing fence (CommonMark 6.1): it shows as written.
        guard output.count > 2 * fence.count else { return "the fences meet: no code span" }
        let inside = output.dropFirst(fence.count).dropLast(fence.count)
        if inside.contains(String(fence)) { return "the fence occurs inside" }
        var previous: Character = " "
        for character in inside {
            if character == "|" && previous != "\\" { return "a bare '|' breaks a table cell" }
            previous = character
        }
        return nil
    case .markdownBlock:
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, let last = lines.last, lines.count >= 3 else { return "not a fenced block" }
        let fence = first.prefix { $0 == "`" }
        guard fence.count >= 3, last == fence else { return "the block is not closed by its fence" }
        if lines.dropFirst().dropLast().contains(where: { $0.hasPrefix(fence) }) { return "a line closes the fence" }
        return scalars.contains { isControl($0) && $0 != "\n" } ? "a control character in the block" : nil
    case .markdownHTML:
        if let bad = scalars.first(where: { "<>\"'@`[]*_|!\n\r".unicodeScalars.contains($0) }) {
            return "an active character '\(bad)'"
        }
        return entitiesOnly()
    case .html, .htmlIdentifier, .htmlFragment:
        if scalars.contains(where: { "<>\"'".unicodeScalars.contains($0) }) { return "markup or a quote" }
        if scalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) { return "a control character" }
        if context != .html && scalars.contains(where: { $0.properties.isWhitespace }) { return "white space in an id" }
        if context == .htmlFragment && !output.hasPrefix("#") { return "not a fragment link" }
        return entitiesOnly()
    case .xml, .xmlAttribute, .xmlToken:
        if scalars.contains(where: { "<>".unicodeScalars.contains($0) }) { return "markup" }
        let forbidden = scalars.contains { scalar in
            !([0x09, 0x0A, 0x0D].contains(scalar.value) || (0x20...0xD7FF).contains(scalar.value)
                || (0xE000...0xFFFD).contains(scalar.value) || scalar.value >= 0x10000)
        }
        if forbidden { return "a character XML 1.0 forbids" }
        if context != .xml && scalars.contains(where: { "\"'\n\r\t".unicodeScalars.contains($0) }) {
            return "a quote or a raw line break in an attribute"
        }
        if context == .xmlToken
            && (output.isEmpty || output.hasPrefix(" ") || output.hasSuffix(" ")
                || output.contains("  "))
        {
            return "not an xs:token"
        }
        return entitiesOnly()
    case .annotationMessage, .annotationProperty:
        if scalars.contains(where: { $0 == "\r" || $0 == "\n" }) { return "a line break ends the command" }
        if context == .annotationProperty && scalars.contains(where: { $0 == ":" || $0 == "," }) {
            return "a ':' or ',' ends the property"
        }
        for (index, scalar) in scalars.enumerated() where scalar == "%" {
            let code = String(String.UnicodeScalarView(scalars[(index + 1)...].prefix(2)))
            if !["25", "0D", "0A", "3A", "2C"].contains(code) { return "a bare '%'" }
        }
        return nil
    }
}

@Suite("text from outside, escaped")
struct OutsideTextTests {
    @Test("every hostile value is inert in every context it can land in", arguments: contexts)
    func inertEverywhere(context: OutsideText.Context) {
        for value in hostile {
            let output = OutsideText.escape(value, for: context)
            #expect(
                problem(output, in: context) == nil,
                "\(context): \(value.debugDescription) → \(output.debugDescription)")
        }
    }

    @Test("plain text stays as it was where nothing in it is active")
    func plainTextIsKept() {
        for context in [OutsideText.Context.line, .terminal, .html, .xml, .xmlAttribute, .annotationMessage] {
            #expect(OutsideText.escape("receiver said: ok (200)", for: context) == "receiver said: ok (200)")
        }
        #expect(OutsideText.escape("a b", for: .markdownCode) == "`a b`")
        #expect(OutsideText.escape("", for: .markdownCode) == "` `")
        #expect(OutsideText.escape("é 日本", for: .line) == "é 日本")
    }

    @Test("a terminal keeps colour sequences of up to 24 characters, escapes a longer one and any other escape")
    func colourSequenceBound() {
        for parameters in 0...30 {
            let sequence = "\u{1B}[" + String(repeating: "1", count: parameters) + "m"
            let kept = sequence.unicodeScalars.count <= 24
            let shown = OutsideText.escape("a" + sequence + "b", for: .terminal)
            #expect(shown == (kept ? "a" + sequence + "b" : "a\\u{1b}[" + sequence.dropFirst(2) + "b"), "\(parameters)")
        }
        #expect(OutsideText.escape("\u{1B}[31;1m", for: .terminal) == "\u{1B}[31;1m")
        #expect(OutsideText.escape("\u{1B}[31xm", for: .terminal) == "\\u{1b}[31xm")
        // Cut off at the end of the text, at every length: shown, never read past.
        for cut in ["\u{1B}", "\u{1B}[", "\u{1B}[3", "\u{1B}[31", "\u{1B}[31;", "\u{1B}[31;1"] {
            #expect(
                OutsideText.escape("a" + cut, for: .terminal) == "a\\u{1b}" + cut.dropFirst(), "\(cut.debugDescription)"
            )
        }
    }

    @Test("what is hidden is shown: controls, invalid bytes and cut text are visible, not dropped")
    func hiddenIsShown() {
        #expect(OutsideText.escape("a\u{1B}[2Jb", for: .line) == "a\\u{1b}[2Jb")
        #expect(OutsideText.escape([0x61, 0xFF, 0x0A, 0x5C], for: .ascii(limit: 10)) == "a\\xff\\x0a\\\\")
        #expect(OutsideText.escape("abcdef", for: .ascii(limit: 3)) == "abc…")
        #expect(
            OutsideText.escape("x\u{1B}[31mred\u{1B}[0m\u{1B}]0;t\u{7}", for: .terminal)
                == "x\u{1B}[31mred\u{1B}[0m\\u{1b}]0;t\\u{7}")
        #expect(OutsideText.escape("]]>", for: .xml) == "]]&gt;")
        #expect(OutsideText.escape("a\nb", for: .xmlAttribute) == "a&#10;b")
        #expect(OutsideText.escape("50%\n", for: .annotationMessage) == "50%25%0A")
        #expect(OutsideText.escape("a:b,c", for: .annotationProperty) == "a%3Ab%2Cc")
        #expect(OutsideText.escape("headers/x y", for: .htmlFragment) == "#headers/x_20y")
    }

    /// Text drawn from the characters ids are made of and those that trip id encodings up.
    static func generatedTexts(count: Int, seed: UInt64) -> [String] {
        let alphabet: [Unicode.Scalar] = [
            "a", "b", "_", " ", "%", "2", "0", "/", "-", ".", "\u{2028}", "\u{85}", "\u{A0}", "\t", "#", "é", ":",
        ]
        var state = seed
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        return (0..<count).map { _ in
            var text = ""
            for _ in 0..<(next() % 6) { text.unicodeScalars.append(alphabet[next() % alphabet.count]) }
            return text
        }
    }

    @Test("an id and the link to it are one encoding: every distinct text a distinct id, each link its own id")
    func idsAndLinksAgree() {
        var seen: [String: String] = [:]
        for text in Self.generatedTexts(count: 5000, seed: 7) {
            let id = OutsideText.escape(text, for: .htmlIdentifier)
            #expect(OutsideText.escape(text, for: .htmlFragment) == "#" + id)
            // Nothing a URL parser would encode or decode, so the browser finds the id as the link says it.
            #expect(id.unicodeScalars.allSatisfy { $0.isASCII && !"%# \"<>".unicodeScalars.contains($0) }, "\(id)")
            if let other = seen[id], other != text {
                Issue.record("\(text.debugDescription) and \(other.debugDescription) share the id \(id)")
            }
            seen[id] = text
        }
        #expect(OutsideText.escape("a b", for: .htmlIdentifier) != OutsideText.escape("a_b", for: .htmlIdentifier))
    }

    @Test("a line of outside text never begins a CI runner's command, wherever it is printed")
    func noRunnerCommands() {
        for text in Self.generatedTexts(count: 5000, seed: 11) + ["::error::x", " ::x", "a##[b", "##vso[x]"] {
            let line = OutsideText.escape(text, for: .line)
            #expect(!line.contains("\n") && !line.contains("\r"))
            #expect(!line.drop { $0 == " " }.hasPrefix("::"), "\(text.debugDescription) → \(line)")
            #expect(!line.contains("##[") && !line.contains("##vso["), "\(text.debugDescription) → \(line)")
        }
        #expect(OutsideText.escape("a::b", for: .line) == "a::b")
    }
}
