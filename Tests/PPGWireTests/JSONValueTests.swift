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
            ("\"\\x\"", .invalidEscape), ("\"\\udc00\"", .loneSurrogate), ("1.", .invalidNumber),
            ("tru", .unexpectedCharacter),
            ("{\"a\" 1}", .unexpectedCharacter), ("[", .unexpectedEnd),
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
