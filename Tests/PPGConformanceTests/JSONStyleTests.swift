import Foundation
import PPGWire
import TestSupport
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
            // Where escaping starts: Python's ensure_ascii escapes DEL too, PHP's default from U+0080 (measured).
            (.pythonCompact, #"{"a":"~\u007f\u0080"}"#, #"{"a":"~\u007f\u0080"}"#),
            (.phpDefault, #"{"a":"~\u007f\u0080"}"#, "{\"a\":\"~\u{7F}\\u0080\"}"),
            (.pythonCompactUnicode, #"{"a":"é","n":-0}"#, #"{"a":"é","n":0}"#),
            (.goMap, #"{"z":"<&>","a":"\u2028"}"#, #"{"a":"\u2028","z":"\u003c\u0026\u003e"}"#),
            (.phpDefault, #"{"u":"https://x/y","e":"😀"}"#, #"{"u":"https:\/\/x\/y","e":"\ud83d\ude00"}"#),
            (.phpUnescaped, #"{"u":"https://x/y","e":"😀"}"#, #"{"u":"https://x/y","e":"😀"}"#),
            (.ruby, #"{"b":1,"b":2,"c":"\t"}"#, #"{"b":2,"c":"\t"}"#),
        ])
    func examples(style: JSONStyle, input: String, output: String) throws {
        #expect(try Self.encode(input, style) == output)
    }

    /// Numbers where the libraries' notations part: exponent thresholds, padding, `.0`, `-0`, integers past 64 bits.
    static let numbers =
        "[1e14,1e15,1e16,1e17,1e20,1e21,1e22,0.001,0.0001,0.00001,0.000001,0.0000001,1.5e-7,-0.0,-1.5,123.456,"
        + "1e300,5e-324,2.5e15,1.5e16,12345678901234567890,-0,1E3,0]"

    /// What each library wrote for ``numbers`` (node 18, Python 3.11, Go 1.19, PHP 8.2, Ruby 3.1 on this machine).
    static let measured: [JSONStyle: String] = [
        .javascript:
            "[100000000000000,1000000000000000,10000000000000000,100000000000000000,100000000000000000000,1e+21,"
            + "1e+22,0.001,0.0001,0.00001,0.000001,1e-7,1.5e-7,0,-1.5,123.456,1e+300,5e-324,2500000000000000,"
            + "15000000000000000,12345678901234567000,0,1000,0]",
        .goMap:
            "[100000000000000,1000000000000000,10000000000000000,100000000000000000,100000000000000000000,1e+21,"
            + "1e+22,0.001,0.0001,0.00001,0.000001,1e-7,1.5e-7,-0,-1.5,123.456,1e+300,5e-324,2500000000000000,"
            + "15000000000000000,12345678901234567000,-0,1000,0]",
        .pythonCompact:
            "[100000000000000.0,1000000000000000.0,1e+16,1e+17,1e+20,1e+21,1e+22,0.001,0.0001,1e-05,1e-06,1e-07,"
            + "1.5e-07,-0.0,-1.5,123.456,1e+300,5e-324,2500000000000000.0,1.5e+16,12345678901234567890,0,1000.0,0]",
        .ruby:
            "[100000000000000.0,1.0e+15,1.0e+16,1.0e+17,1.0e+20,1.0e+21,1.0e+22,0.001,0.0001,1.0e-05,1.0e-06,"
            + "1.0e-07,1.5e-07,-0.0,-1.5,123.456,1.0e+300,5.0e-324,2.5e+15,1.5e+16,12345678901234567890,0,1000.0,0]",
        .phpDefault:
            "[100000000000000,1000000000000000,10000000000000000,1.0e+17,1.0e+20,1.0e+21,1.0e+22,0.001,0.0001,"
            + "1.0e-5,1.0e-6,1.0e-7,1.5e-7,-0,-1.5,123.456,1.0e+300,5.0e-324,2500000000000000,15000000000000000,"
            + "1.2345678901234567e+19,0,1000,0]",
    ]

    @Test("each member writes numbers in its library's notation, as measured: thresholds, padding, .0, -0, int64")
    func numberNotation() throws {
        for (style, expected) in Self.measured {
            let written = try Self.encode(Self.numbers, style)
            #expect(written == expected, "\(style)")
        }
        #expect(try Self.encode(Self.numbers, .pythonCompactUnicode) == Self.measured[.pythonCompact])
        #expect(try Self.encode(Self.numbers, .phpUnescaped) == Self.measured[.phpDefault])
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

/// The members beside the libraries themselves, where their runtimes are installed (processes: outside the fast tier,
/// as `CrossCheckTests` are).
@Suite("The re-serialisation family beside its libraries")
struct JSONStyleCrossCheckTests {
    @Test("where a library is installed here, its own output for the numbers is what the member writes")
    func againstInstalledLibraries() throws {
        let programs: [(JSONStyle, String, [String])] = [
            (.javascript, "node", ["-e", "process.stdout.write(JSON.stringify(JSON.parse(process.argv[1])))"]),
            (
                .pythonCompact, "python3",
                ["-c", "import json,sys; print(json.dumps(json.loads(sys.argv[1]), separators=(',', ':')), end='')"]
            ),
            (.ruby, "ruby", ["-rjson", "-e", "print JSON.parse(ARGV[0]).to_json"]),
            (.phpDefault, "php", ["-r", "echo json_encode(json_decode($argv[1]));"]),
        ]
        var checked = 0
        for (style, program, arguments) in programs {
            guard let path = TestSupport.which(program),
                let run = try? TestSupport.run(path, arguments + [JSONStyleTests.numbers]), run.status == 0
            else { continue }
            checked += 1
            #expect(run.stdout == (try JSONStyleTests.encode(JSONStyleTests.numbers, style)), "\(program)")
        }
        // Nothing installed is no failure: the measured table above still holds the members to the libraries.
        if checked == 0 { print("no JSON library runtime installed: compared with the measured table only") }
    }
}
