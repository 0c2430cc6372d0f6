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

    @Test("reports line and column")
    func location() {
        let (line, column) = jsonLocation(of: 7, in: Array("{\n  \"a\": x}".utf8))
        #expect(line == 2)
        #expect(column == 6)
    }
}
