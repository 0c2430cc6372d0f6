import PPGVectors

/// Draws fuzz cases from the space SPEC.md reads: member names and values across ASCII, BMP, astral and combining
/// characters, escapes, number texts, literals, nesting, many and long members, duplicates, white space; queries
/// with order, repetition, percent-encodings and `+`; form bodies; labels; header name case; method, chunking and
/// path variants; and every kind of tampering the corpus knows. Case `n` of seed `s` depends on nothing else, so a
/// run can be repeated, and cut short, from its seed.
package enum FuzzGenerator {
    /// The case at `index` of a seed's sequence.
    package static func fuzzCase(seed: UInt64, index: Int) -> FuzzCase {
        var random = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        var fuzzCase = FuzzCase(members: members(&random))
        fuzzCase.pretty = random.chance(15)
        fuzzCase.form = random.chance(5)
        if random.chance(45) { fuzzCase.query = (0..<random.below(4)).map { _ in queryPiece(&random) } }
        if random.chance(15) {
            fuzzCase.contentType = random.pick(contentTypes)
        }
        if random.chance(8) { fuzzCase.headers.append(random.pick(inputHeaders)) }
        if random.chance(8) {
            fuzzCase.headerName = random.pick(signatureNames)
        }
        if random.chance(5) { fuzzCase.chunked = true }
        fuzzCase.signature = signature(&random)
        if fuzzCase.signature == .bodyKey, let index = fuzzCase.members.firstIndex(where: { $0.name == "projectId" }) {
            fuzzCase.members[index].value = .string(FuzzCase.attackerProjectID, escaped: false)
        }
        if random.chance(6) { fuzzCase.method = random.pick(methods) }
        // A path variant matters for a delivery that must be refused: a fail-open route lets it through.
        if ![.valid, .forgedPath, .forgedAuthority].contains(fuzzCase.signature) && random.chance(25) {
            fuzzCase.pathForm = random.pick(TargetChange.pathForms)
        }
        return fuzzCase
    }

    /// Content-Type values besides the default (`""` sends none).
    static let contentTypes = FuzzCase.jsonLabels + ["text/plain", "", "application/json;charset=UTF-8"]
    /// The signature field's name in other cases.
    static let signatureNames = ["x-ppg-signature", "X-PPG-SIGNATURE", "X-Ppg-Signature"]
    /// Methods besides POST.
    static let methods = ["PUT", "GET", "PATCH", "DELETE"]

    /// Fields a sender controls that must not change the verdict (SPEC.md threat model).
    static let inputHeaders: [[String]] = [
        ["X-Forwarded-Host", "attacker.example"], ["X-Forwarded-Proto", "https"],
        ["Forwarded", "host=attacker.example;proto=https"], ["X-Original-URL", "/elsewhere"],
        ["X-HTTP-Method-Override", "PUT"],
    ]

    static func members(_ random: inout SplitMix64) -> [FuzzCase.Member] {
        var members = [FuzzCase.Member(name: "projectId", value: .string(FuzzCase.projectID, escaped: false))]
        let extra = random.chance(10) ? 15 + random.below(20) : random.below(6)
        for _ in 0..<extra {
            // Names are distinct but for the duplicate added on purpose below: SPEC.md lets duplicates go either way.
            var drawn = name(&random)
            while members.contains(where: { $0.name == drawn }) { drawn += String(random.below(10)) }
            members.append(FuzzCase.Member(name: drawn, value: value(&random)))
        }
        if random.chance(10), members.count > 1, case let copy = members[1 + random.below(members.count - 1)] {
            members.append(FuzzCase.Member(name: copy.name, value: value(&random)))
        }
        // The projectId anywhere in the body, not always first.
        let position = random.below(members.count)
        members.swapAt(0, position)
        return members
    }

    static let namePool = [
        "customId", "ppgId", "kind", "subscriberId", "a", "A", "b", "B", "Z", "_x", "a1", "a10", "a2", "é", "E",
        "\u{00FF}", "\u{FF61}", "\u{1F600}", "\u{E000}", "e\u{0301}", "name with space", "x-y", "Ω", "中文",
    ]

    static func name(_ random: inout SplitMix64) -> String {
        random.chance(80) ? random.pick(namePool) : text(&random, length: 1 + random.below(12))
    }

    static func value(_ random: inout SplitMix64) -> FuzzCase.Value {
        switch random.below(20) {
        case 0, 1: return .raw(random.pick(["1", "1.50", "-0", "1e3", "12345678901234567890", "0.1", "2E-2", "100"]))
        case 2: return .raw(random.pick(["true", "false", "null"]))
        case 3: return .raw(random.pick(["{\"z\":1,\"a\":[true,null]}", "[\"x\", \"y\"]", "{}", "[]"]))
        case 4 where random.chance(20): return .fill(33_000 + random.below(20_000))
        default:
            return .string(
                text(&random, length: random.below(random.chance(10) ? 300 : 24)), escaped: random.chance(25))
        }
    }

    static let characterClasses: [[Unicode.Scalar]] = [
        Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".unicodeScalars),
        Array(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars),
        ["\u{01}", "\u{09}", "\u{0A}", "\u{1F}", "\u{7F}"],
        ["é", "ü", "ß", "Ω", "中", "\u{00A0}", "\u{2028}", "\u{FEFF}", "\u{FF61}", "\u{E000}"],
        ["\u{1F600}", "\u{10000}", "\u{1D11E}", "\u{10FFFF}"],
        ["\u{0301}", "\u{0308}", "\u{200D}"],
    ]

    /// `characterClasses` as UTF-8, so that a text is gathered as bytes and made a String once: appending to a
    /// String's scalars one at a time was a third of generating a case.
    static let characterClassBytes: [[[UInt8]]] = characterClasses.map { $0.map { Array(String($0).utf8) } }

    static func text(_ random: inout SplitMix64, length: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length * 2)
        var lastWasBrace = false
        let mostly = random.below(characterClasses.count)
        for _ in 0..<length {
            let characterClass = random.chance(70) ? mostly : random.below(characterClasses.count)
            let scalar = random.pick(characterClassBytes[characterClass])
            // `{{` opens a placeholder in a vector's text: never generated.
            let brace = scalar.count == 1 && scalar[0] == UInt8(ascii: "{")
            if brace && lastWasBrace {
                bytes.append(UInt8(ascii: "x"))
                lastWasBrace = false
            } else {
                bytes += scalar
                lastWasBrace = brace
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static let queryPieces = [
        "token=abc", "a=1", "b=2", "a=2", "A=1", "q=a+b", "q=a%20b", "x=%2F", "e=%C3%A9", "%C3%A9=1", "empty=",
        "flag", "t=%7E", "t=~", "z=%zz", "k=v;w", "sort=b&sort=a",
    ]

    static func queryPiece(_ random: inout SplitMix64) -> String {
        random.pick(queryPieces)
    }

    static func signature(_ random: inout SplitMix64) -> FuzzCase.Signature {
        guard random.chance(45) else { return .valid }
        switch random.below(17) {
        case 0: return .missing
        case 1: return .empty
        case 2: return .extend
        case 3: return .uppercase
        case 4: return .whitespace
        case 5: return .prefix
        case 6: return .otherEncoding
        case 7: return .truncate(random.below(28))
        case 8: return .flip(random.below(28))
        case 9: return .otherKey
        case 10: return .otherQuery
        case 11: return .duplicate(validFirst: random.chance(50))
        case 12: return .bodyKey
        case 13: return .forgedPath
        case 14: return .forgedAuthority
        default: return .otherBody
        }
    }
}
