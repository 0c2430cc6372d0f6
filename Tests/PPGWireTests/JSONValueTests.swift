import Testing

@testable import PPGWire

@Suite("JSON scanner")
struct JSONScannerTests {
    @Test("keeps member order, raw spans and decoded strings")
    func spans() throws {
        let source = Array(#" {"b": 1.50, "a": "x\u00e9", "c": [true, null]} "#.utf8)
        let value = try JSONParser.parse(source)
        guard case .object(let members) = value.kind else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.nameString) == ["b", "a", "c"])
        #expect(String(decoding: source[members[0].value.span], as: UTF8.self) == "1.50")
        guard case .string(let decoded) = members[1].value.kind else {
            Issue.record("not a string")
            return
        }
        #expect(String(decoding: decoded, as: UTF8.self) == "xé")
        #expect(String(decoding: source[members[2].value.span], as: UTF8.self) == "[true, null]")
    }

    @Test(
        "rejects what RFC 8259 rejects, with the offset",
        arguments: [
            ("{\"a\":01}", JSONParseError.Kind.unexpectedCharacter), ("01", .trailingData),
            ("[1,]", .unexpectedCharacter), ("\"a\u{01}\"", .controlCharacter), ("\"a\u{1F}\"", .controlCharacter),
            ("\"\\x\"", .invalidEscape), ("\"\\udc00\"", .loneSurrogate), ("\"\\ud800\\", .loneSurrogate),
            ("\"\\ud800\\u", .unexpectedEnd), ("\"\\ud800\\udc0", .unexpectedEnd), ("1.", .invalidNumber),
            ("tru", .unexpectedCharacter),
            ("{\"a\" 1}", .unexpectedCharacter), ("[", .unexpectedEnd), ("{", .unexpectedEnd), ("[1", .unexpectedEnd),
            ("{\"a\":1", .unexpectedEnd), ("{\"a\"", .unexpectedEnd), ("\"a", .unexpectedEnd),
        ])
    func rejects(text: String, kind: JSONParseError.Kind) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
        do {
            _ = try JSONParser.parse(Array(text.utf8))
        } catch {
            #expect(error.kind == kind, "\(text): \(error.message)")
        }
    }

    @Test(
        "rejects invalid UTF-8 and overlong forms in strings",
        arguments: [
            [0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22],
            [0x22, 0xE0, 0x80, 0xAF, 0x22], [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
        ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    @Test("a \\u escape pair decodes exactly when it is a high then a low surrogate, at every range boundary")
    func surrogateBoundaries() throws {
        let units: [UInt32] = [0x0041, 0xD7FF, 0xD800, 0xD801, 0xDBFE, 0xDBFF, 0xDC00, 0xDC01, 0xDFFE, 0xDFFF, 0xE000]
        func isHigh(_ unit: UInt32) -> Bool { (0xD800...0xDBFF).contains(unit) }
        func isLow(_ unit: UInt32) -> Bool { (0xDC00...0xDFFF).contains(unit) }
        func escape(_ unit: UInt32) -> String {
            let digits = String(unit, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        for first in units {
            for second in units {
                let text = "\"" + escape(first) + escape(second) + "\""
                let expected: [Unicode.Scalar]? =
                    isHigh(first)
                    ? (isLow(second)
                        ? Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)).map { [$0] }
                        : nil)
                    : (isLow(first) || isHigh(second) || isLow(second)
                        ? nil : [Unicode.Scalar(first), Unicode.Scalar(second)].compactMap { $0 })
                let parsed = try? JSONParser.parse(Array(text.utf8))
                guard let expected else {
                    #expect(parsed == nil, "\(text) is refused")
                    continue
                }
                guard case .string(let decoded)? = parsed?.kind else {
                    Issue.record("\(text) is not read as a string")
                    continue
                }
                #expect(Array(String(decoding: decoded, as: UTF8.self).unicodeScalars) == expected, "\(text)")
            }
        }
    }

    @Test("refuses nesting deeper than its limit instead of overflowing the stack")
    func depthLimit() {
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = Array((String(repeating: "[", count: 200) + String(repeating: "]", count: 200)).utf8)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test("the nesting limit is exact, and the same for a streamed member's elements as for the tree")
    func depthLimitExact() {
        func nested(_ levels: Int) -> String {
            String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        }
        let limit = JSONParser.maximumDepth
        #expect(throws: Never.self) { try JSONParser.parse(Array(nested(limit).utf8)) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(nested(limit + 1).utf8)) }
        for levels in (limit - 3)...limit {
            let text = Array("{\"outcomes\": [\(nested(levels)), 1], \"other\": \(nested(levels))}".utf8)
            let whole = (try? JSONParser.parse(text)) != nil
            var visited = 0
            let streamed = (try? JSONParser.parse(text, streaming: "outcomes") { _ in visited += 1 }) != nil
            #expect(whole == streamed, "\(levels) levels")
            #expect(whole == (levels + 2 <= limit), "\(levels) levels")
            if streamed { #expect(visited == 2, "\(levels) levels") }
        }
    }

    @Test("a text cut inside a \\u escape ends in the escape; cut right after its four digits, in the string")
    func cutEscapes() throws {
        let cuts: [(String, String)] = [(#""\u004"#, "escape"), (#""\u0041"#, "in a string")]
        for (text, place) in cuts {
            let error = try #require(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
            #expect(error.kind == .unexpectedEnd, "\(text)")
            #expect(error.message.contains(place), "\(text): \(error.message)")
        }
    }

    @Test("a top-level string member is found by its exact name, wherever it stands; anything else is nil")
    func stringMember() {
        let body = Array(#"{"customId":"c","projectId":"p","n":1,"ProjectId":"q","o":{"projectId":"inner"}}"#.utf8)
        #expect(jsonStringMember("projectId", in: body) == "p")
        #expect(jsonStringMember("customId", in: body) == "c")
        #expect(jsonStringMember("ProjectId", in: body) == "q")
        #expect(jsonStringMember("n", in: body) == nil, "not a string")
        #expect(jsonStringMember("o", in: body) == nil, "not a string")
        #expect(jsonStringMember("absent", in: body) == nil)
        #expect(jsonStringMember("projectId", in: Array(#"["projectId","p"]"#.utf8)) == nil, "not an object")
        #expect(jsonStringMember("projectId", in: Array(#"{"projectId":"a\u00e9"}"#.utf8)) == "aé", "decoded")
    }

    @Test("reports line and column")
    func location() {
        let (line, column) = jsonLocation(of: 7, in: Array("{\n  \"a\": x}".utf8))
        #expect(line == 2)
        #expect(column == 6)
    }
}

@Suite("JSON output's strings")
struct JSONOutputStringTests {
    /// Texts drawn from controls, the two characters JSON escapes, ASCII, and non-ASCII of every UTF-8 length.
    static let texts: [String] = {
        let pool: [Unicode.Scalar] = [
            "\u{00}", "\u{08}", "\u{09}", "\u{0A}", "\u{0C}", "\u{0D}", "\u{1F}", "\u{7F}", "\"", "\\", "/", "a", "Z",
            " ", "é", "\u{80}", "\u{7FF}", "\u{800}", "日", "\u{2028}", "\u{FEFF}", "\u{FFFF}", "😀", "\u{10FFFF}",
        ]
        // A linear congruential walk: the same texts every run.
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var texts = [""] + pool.map { String($0) }
        for _ in 0..<300 {
            texts.append(String(String.UnicodeScalarView((0..<next(12)).map { _ in pool[next(pool.count)] })))
        }
        return texts
    }()

    @Test("a string written as JSON parses back to its own bytes, non-ASCII kept as it is or escaped on request")
    func stringsRoundTrip() throws {
        for text in Self.texts {
            for asciiOnly in [false, true] {
                var out = ""
                JSONOutput.writeString(text, to: &out, asciiOnly: asciiOnly)
                let parsed = try JSONParser.parse(Array(out.utf8))
                guard case .string(let bytes) = parsed.kind else {
                    Issue.record("not a string: \(out.debugDescription)")
                    continue
                }
                #expect(bytes == Array(text.utf8), "\(text.debugDescription), asciiOnly \(asciiOnly)")
                #expect(!out.utf8.contains { $0 < 0x20 || $0 == 0x7F }, "a control left raw: \(out.debugDescription)")
                let nonASCII = { (s: String) in s.utf8.filter { $0 >= 0x80 }.count }
                // Raw UTF-8 stays raw (a report must not turn `é` into `\u00c3\u00a9`); asciiOnly leaves none.
                #expect(nonASCII(out) == (asciiOnly ? 0 : nonASCII(text)), "\(out.debugDescription)")
            }
        }
    }
}
