import Foundation
import PPGWire
import Testing

@testable import PPGConformance

@Suite("The re-serialisation family")
struct JSONStyleTests {
    static func encode(_ text: String, _ style: JSONStyle) throws -> String {
        let bytes = Array(text.utf8)
        return String(decoding: style.encode(try JSONParser.parse(bytes), source: bytes), as: UTF8.self)
    }

    @Test(
        "each member writes what its library writes",
        arguments: [
            (JSONStyle.javascript, #"{"a":"é/<","n":1.50,"i":12}"#, #"{"a":"é/<","n":1.5,"i":12}"#),
            (.pythonDefault, #"{"a":"é/<","n":1.50,"i":12}"#, #"{"a": "\u00e9/<", "n": 1.5, "i": 12}"#),
            (.pythonCompact, #"{"a":"é","n":1e3}"#, #"{"a":"\u00e9","n":1000.0}"#),
            (.pythonCompactUnicode, #"{"a":"é","n":-0}"#, #"{"a":"é","n":0}"#),
            (.goMap, #"{"z":"<&>","a":"\u2028"}"#, #"{"a":"\u2028","z":"\u003c\u0026\u003e"}"#),
            (.phpDefault, #"{"u":"https://x/y","e":"😀"}"#, #"{"u":"https:\/\/x\/y","e":"\ud83d\ude00"}"#),
            (.phpUnescaped, #"{"u":"https://x/y","e":"😀"}"#, #"{"u":"https://x/y","e":"😀"}"#),
            (.ruby, #"{"b":1,"b":2,"c":"\t"}"#, #"{"b":2,"c":"\t"}"#),
        ])
    func examples(style: JSONStyle, input: String, output: String) throws {
        #expect(try Self.encode(input, style) == output)
    }

    @Test("every member writes JSON that reads back as the same members and string values")
    func roundTrip() throws {
        for index in 0..<400 {
            let fuzzCase = FuzzGenerator.fuzzCase(seed: 9, index: index)
            guard !fuzzCase.form,
                !fuzzCase.members.contains(where: { if case .fill = $0.value { true } else { false } })
            else { continue }
            let text = fuzzCase.bodyText.replacingOccurrences(of: "{{projectId}}", with: "p")
            let bytes = Array(text.utf8)
            guard let parsed = try? JSONParser.parse(bytes), case .object(let original) = parsed.kind else { continue }
            for style in JSONStyle.allCases {
                let written = style.encode(parsed, source: bytes)
                let reread = try JSONParser.parse(written)
                guard case .object(let members) = reread.kind else {
                    Issue.record("\(style): not an object")
                    continue
                }
                // The last value of each name, as the libraries' maps keep it.
                var expected: [String: [UInt8]] = [:]
                for member in original {
                    if case .string(let value) = member.value.kind { expected[member.nameString] = value }
                }
                for member in members {
                    if case .string(let value) = member.value.kind {
                        #expect(expected[member.nameString] == value, "\(style): \(member.nameString)")
                    }
                }
                #expect(Set(members.map(\.nameString)) == Set(original.map(\.nameString)), "\(style)")
                if style == .goMap {
                    let names = members.map { Array($0.nameString.utf8) }
                    #expect(names == names.sorted { $0.lexicographicallyPrecedes($1) }, "Go sorts keys")
                }
            }
        }
    }
}
