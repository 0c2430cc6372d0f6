import PPGSignature
import PPGVectors
import PPGWire
import Testing

@testable import PPGConformance

@Suite("Fuzz generator and shrinker")
struct FuzzGeneratorTests {
    /// The digest of seed 1's first 500 cases, each written out in full. A change to the generator that changes it
    /// changes what every recorded `--seed` reproduces: make it on purpose, then record the new digest here.
    static let seedOneDigest = "129b35c229dba86500c86c54aa5b783c593ea27b"

    @Test("a seed draws the same cases from build to build: the generator changes only on purpose")
    func seedsAreStable() {
        var hasher = SHA1()
        for index in 0..<500 {
            let drawn = FuzzGenerator.fuzzCase(seed: 1, index: index)
            let parts = [
                drawn.method, "\(drawn.signature)", drawn.bodyText, drawn.query?.joined(separator: "&") ?? "-",
                drawn.contentType ?? "-", drawn.headers.map { $0.joined(separator: ":") }.joined(separator: ","),
                drawn.headerName, drawn.pathForm ?? "-", drawn.chunked ? "chunked" : "",
            ]
            hasher.update(Array((parts.joined(separator: "|") + "\n").utf8))
        }
        #expect(Hex.encode(hasher.finalize().bytes) == Self.seedOneDigest)
    }

    @Test("a generated path variant allows exactly the statuses the corpus's path-variant vectors allow")
    func pathVariantsAllowWhatTheCorpusAllows() throws {
        let corpus = try #require(Fixtures.corpus)
        let corpusAllowed = Set(
            corpus.receiverVectors.filter { $0.vector.id.hasPrefix("inputs/path-") }
                .flatMap { $0.vector.alsoAllowed ?? [] })
        #expect(!corpusAllowed.isEmpty)
        var checked = 0
        for index in 0..<4000 {
            let fuzzCase = FuzzGenerator.fuzzCase(seed: 1, index: index)
            // A POST to another path (its signature tampered, as the generator makes them), not chunked: nothing
            // else adds a status of its own.
            guard fuzzCase.pathForm != nil, fuzzCase.method == "POST", !fuzzCase.chunked else { continue }
            let vector = fuzzCase.vector(id: "fuzz/x", comment: "", flags: [], expect: .either)
            #expect(Set(vector.alsoAllowed ?? []) == corpusAllowed, "\(fuzzCase)")
            checked += 1
        }
        #expect(checked > 10)
    }

    // A shrinker's candidate can lose the projectId member or change its value: the class must not then soften the
    // signature's verdict (an `either` for a body without projectId is for a correctly signed one, R10.7).
    @Test("a wrongly signed delivery falls in no class, whatever its body: SPEC's rule refuses it, required")
    func wrongSignaturesHaveNoClass() {
        let valid: [FuzzCase.Signature] = [.valid, .whitespace, .uppercase, .otherQuery, .forgedPath, .forgedAuthority]
        var checked = 0
        for index in 0..<3000 {
            let generated = FuzzGenerator.fuzzCase(seed: 1, index: index)
            guard !valid.contains(generated.signature) else { continue }
            var withoutProject = generated
            withoutProject.members.removeAll { $0.name == "projectId" }
            var otherProject = generated
            otherProject.members = [FuzzCase.Member(name: "projectId", value: .string("another", escaped: false))]
            var duplicated = generated
            duplicated.members += generated.members
            for fuzzCase in [generated, withoutProject, otherProject, duplicated] {
                for profile in SignatureProfile.all {
                    let fuzzClass = fuzzCase.fuzzClass(under: profile)
                    #expect(fuzzClass == nil, "\(fuzzCase.signature) under \(profile): \(fuzzClass?.vectorID ?? "")")
                    checked += 1
                }
            }
        }
        #expect(checked > 1000)
    }

    @Test("a found vector's flags name what its delivery carries: each body, query, method and framing flag exactly")
    func flagsNameWhatTheDeliveryCarries() throws {
        let manifest = try #require(Fixtures.corpus).manifest
        var duplicates = 0
        for index in 0..<3000 {
            let fuzzCase = FuzzGenerator.fuzzCase(seed: 1, index: index)
            let flags = Set(FuzzShrinker.flags(of: fuzzCase, in: manifest))
            let names = fuzzCase.members.map { Array($0.name.utf8) }
            let duplicated = names.indices.contains { one in names[..<one].contains(names[one]) }
            duplicates += duplicated ? 1 : 0
            let expected: [(String, Bool)] = [
                ("DuplicateMember", duplicated),
                ("Unicode", fuzzCase.members.contains { $0.name.utf8.contains { $0 >= 0x80 } }),
                ("FormBody", fuzzCase.form), ("QueryEncoding", fuzzCase.query != nil),
                ("Method", fuzzCase.method != "POST"), ("Chunked", fuzzCase.chunked),
                ("FailOpenPath", fuzzCase.pathForm != nil),
            ]
            for (flag, holds) in expected where manifest.notes[flag] != nil {
                #expect(flags.contains(flag) == holds, "\(flag) for case \(index)")
            }
        }
        #expect(duplicates > 0)
    }

    // RFC 9110 §9.1: every general-purpose server implements GET (and a webhook POST); any other method it may not,
    // and answer 501 (§15.6.2) — as every corpus vector naming a method allows or not.
    @Test("a generated method allows 501 exactly when it is neither POST nor GET, as the corpus's method vectors do")
    func methodsAllowWhatTheCorpusAllows() throws {
        let corpus = try #require(Fixtures.corpus)
        // The corpus's own reading, over every vector that names a method (GET twice, PUT once in 1.7.0).
        var methodVectors = 0
        for file in corpus.receiverVectors {
            guard let method = file.vector.request.method else { continue }
            methodVectors += 1
            let allows501 = (file.vector.alsoAllowed ?? []).contains(501)
            #expect(allows501 == !["POST", "GET"].contains(method), "\(file.vector.id)")
        }
        #expect(methodVectors >= 2)
        var seen: Set<String> = []
        for index in 0..<4000 {
            let fuzzCase = FuzzGenerator.fuzzCase(seed: 1, index: index)
            let vector = fuzzCase.vector(id: "fuzz/x", comment: "", flags: [], expect: .either)
            let implementedEverywhere = ["POST", "GET"].contains(fuzzCase.method)
            #expect((vector.alsoAllowed ?? []).contains(501) == !implementedEverywhere, "\(fuzzCase.method)")
            seen.insert(fuzzCase.method)
        }
        #expect(seen == Set(["POST"] + FuzzGenerator.methods))
    }

    @Test("every generated case becomes deliveries the reference answers 2xx or 4xx, under both schemes")
    func casesMaterialise() throws {
        for profile in [SignatureProfile.default, SignatureProfile(scheme: .jsonBody, encoding: .base64)] {
            let configuration = ReferenceTarget.defaultConfiguration(profile: profile)
            let reference = ReferenceTarget(configuration: configuration)
            var statuses: [Int: Int] = [:]
            for index in 0..<1500 {
                let fuzzCase = FuzzGenerator.fuzzCase(seed: 11, index: index)
                let vector = fuzzCase.vector(id: "fuzz/\(index)", comment: "", flags: [], expect: .either)
                let deliveries = try vector.deliveries(for: configuration)
                let status = try #require(try reference.deliver(deliveries).first?.status)
                statuses[status / 100, default: 0] += 1
            }
            #expect(Set(statuses.keys) == [2, 4], "\(profile): \(statuses)")
            // Both verdicts are drawn often enough to matter.
            #expect(statuses.values.allSatisfy { $0 > 300 }, "\(profile): \(statuses)")
        }
    }

    @Test("a case depends only on its seed and index")
    func repeatable() {
        for index in [0, 1, 99, 12_345] {
            #expect(FuzzGenerator.fuzzCase(seed: 5, index: index) == FuzzGenerator.fuzzCase(seed: 5, index: index))
        }
        let first = (0..<50).map { FuzzGenerator.fuzzCase(seed: 5, index: $0) }
        let other = (0..<50).map { FuzzGenerator.fuzzCase(seed: 6, index: $0) }
        #expect(first != other)
    }

    /// How much there is to a case: every part the shrinker can take away or make plainer counts.
    /// A character other than an ASCII letter or digit costs more than any length of plain ones, and an empty
    /// value more than `a`: the shrinker trades them for plain text.
    static func complexity(_ fuzzCase: FuzzCase) -> Int {
        func text(_ value: String) -> Int {
            value.isEmpty
                ? 2
                : value.unicodeScalars.count
                    + 100 * value.unicodeScalars.filter { !("a"..."z").contains($0) && !("0"..."9").contains($0) }.count
        }
        var total = fuzzCase.headers.count * 10_000_000 + (fuzzCase.query.map { $0.count * 5_000_000 + 5_000_000 } ?? 0)
        total +=
            [
                fuzzCase.pathForm != nil, fuzzCase.chunked, fuzzCase.method != "POST", fuzzCase.contentType != nil,
                fuzzCase.pretty, fuzzCase.headerName != signatureHeaderName, fuzzCase.form,
            ].filter { $0 }.count * 10
        if fuzzCase.signature != .valid { total += 50 }
        if case .truncate(let count) = fuzzCase.signature { total += count }
        if case .flip(let index) = fuzzCase.signature { total += index }
        total += (fuzzCase.members.firstIndex { $0.name == "projectId" } ?? 0)
        for member in fuzzCase.members where member.name != "projectId" {
            total += 100_000 + text(member.name)
            switch member.value {
            case .string(let value, let escaped): total += text(value) + (escaped ? 1 : 0)
            case .raw(let value): total += 2 + text(value)
            case .fill(let count): total += count
            }
        }
        return total
    }

    @Test("the shrinker offers only simpler cases, each once, and never drops the projectId")
    func shrinkerSimplifies() {
        for index in 0..<300 {
            let fuzzCase = FuzzGenerator.fuzzCase(seed: 3, index: index)
            let candidates = FuzzShrinker.simpler(fuzzCase)
            let complexity = Self.complexity(fuzzCase)
            // One expectation per case, not per candidate: tens of thousands of them were most of this test's time.
            let notSimpler = candidates.filter { Self.complexity($0) >= complexity }
            #expect(notSimpler.isEmpty, "\(fuzzCase) → \(notSimpler)")
            #expect(candidates.allSatisfy { $0.members.contains { $0.name == "projectId" } }, "\(fuzzCase)")
            // Each candidate once: a second copy costs a delivery and a step of the budget for nothing.
            #expect(Set(candidates).count == candidates.count, "\(fuzzCase)")
        }
    }

    @Test("a cut or flipped signature is offered with its count at 0 in one step, the simplest of its kind")
    func tamperingShrinksToItsSimplest() {
        var base = FuzzGenerator.fuzzCase(seed: 3, index: 0)
        for count in 1..<28 {
            for (tampered, simplest) in [
                (FuzzCase.Signature.truncate(count), FuzzCase.Signature.truncate(0)), (.flip(count), .flip(0)),
            ] {
                base.signature = tampered
                var expected = base
                expected.signature = simplest
                #expect(FuzzShrinker.simpler(base).contains(expected), "\(tampered)")
            }
        }
    }

    @Test("cases compare by the bytes they send: a precomposed and a decomposed name are two cases, hashed apart")
    func casesCompareByBytes() {
        let projectID = FuzzCase.Member(name: "projectId", value: .string("{{projectId}}", escaped: false))
        for (one, other) in [
            ("\u{E9}", "e\u{301}"), ("\u{212B}", "\u{C5}"), ("\u{1E9B}\u{323}", "\u{17F}\u{323}\u{307}"),
        ] {
            // Canonically equivalent as Swift Strings, and so one value to String's own ==.
            #expect(one == other)
            let asName = [one, other].map { FuzzCase(members: [projectID, .init(name: $0, value: .raw("1"))]) }
            let asValue = [one, other].map {
                FuzzCase(members: [projectID, .init(name: "n", value: .string($0, escaped: false))])
            }
            let asRaw = [one, other].map {
                FuzzCase(members: [projectID, .init(name: "n", value: .raw("\"" + $0 + "\""))])
            }
            for pair in [asName, asValue, asRaw] {
                #expect(pair[0] != pair[1])
                #expect(Set(pair).count == 2)
                #expect(pair[0] == pair[0] && pair[0].hashValue == FuzzCase(members: pair[0].members).hashValue)
            }
        }
        // Every other part still counts: the same text under another escaping is another case.
        let plain = FuzzCase.Member(name: "n", value: .string("\u{E9}", escaped: false))
        let escaped = FuzzCase.Member(name: "n", value: .string("\u{E9}", escaped: true))
        #expect(plain != escaped && Set([plain, escaped]).count == 2)
        #expect(FuzzCase.Value.fill(3) != .fill(4) && FuzzCase.Value.fill(3) == .fill(3))
        #expect(FuzzCase.Value.raw("1") != .string("1", escaped: false))
        // A text and one it begins, and texts of one length (short, and past the 15 bytes a String holds inline),
        // both ways round, as names and as values.
        let long = String(repeating: "x", count: 40)
        for (one, other) in [
            ("a", "ab"), ("", "a"), ("{{projectId}}", "{{projectId}}x"), ("a", "b"), ("ab", "ba"),
            (long + "a", long + "b"), ("\u{E9}", "\u{E8}"),
        ] {
            for (left, right) in [(one, other), (other, one)] {
                #expect(FuzzCase.Value.raw(left) != .raw(right))
                #expect(FuzzCase.Value.string(left, escaped: false) != .string(right, escaped: false))
                #expect(FuzzCase.Member(name: left, value: .fill(1)) != FuzzCase.Member(name: right, value: .fill(1)))
            }
        }
    }
}
