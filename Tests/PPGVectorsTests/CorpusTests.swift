import Foundation
import PPGSignature
import PPGVectors
import PPGWire
import TestSupport
import Testing

@Suite("The shipped corpus")
struct CorpusTests {
    static let corpus: Corpus? = try? VectorLoader.load(directory: TestSupport.corpusDirectory)

    @Test("loads, and is as large and as wide as promised")
    func size() throws {
        let corpus = try #require(Self.corpus)
        #expect(corpus.signatureVectors.count >= 150)
        #expect(corpus.receiverVectors.count >= 100)
        #expect(corpus.categories.count >= 15)
        #expect(Set(corpus.signatureVectors.map(\.vector.scheme)) == Set(SignatureScheme.allCases))
        #expect(Set(corpus.signatureVectors.map(\.vector.encoding)) == Set(SignatureEncoding.allCases))
    }

    @Test("every signature category has must-accept and must-reject vectors")
    func categoriesAreTwoSided() throws {
        let corpus = try #require(Self.corpus)
        for category in Set(corpus.signatureVectors.map(\.category)) {
            let results = Set(corpus.signatureVectors.filter { $0.category == category }.map(\.vector.result))
            #expect(results.contains(.valid), "\(category) has no valid vector")
            #expect(results.contains(.invalid), "\(category) has no invalid vector")
        }
        for category in Set(corpus.receiverVectors.map(\.category)) where category != "events" {
            let expectations = Set(
                corpus.receiverVectors.filter { $0.category == category }.flatMap {
                    [$0.vector.expect] + ($0.vector.followUps ?? []).map(\.expect)
                })
            #expect(expectations.contains(.reject), "\(category) has no must-reject vector")
        }
    }

    @Test("lint finds nothing: every vector recomputes with the reference")
    func lintClean() throws {
        let corpus = try #require(Self.corpus)
        let problems = CorpusLint.check(corpus)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    @Test("every file is in canonical form")
    func canonical() {
        let problems = CorpusLint.formatting(directory: TestSupport.corpusDirectory, fix: false)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("lint catches a signature that does not match its result")
    func lintCatchesWrongSignature() throws {
        let corpus = try #require(Self.corpus)
        var vector = try #require(corpus.signatureVectors.first { $0.vector.result == .valid })
        vector.vector.signature = String(repeating: "0", count: 40)
        var broken = corpus
        broken.signatureVectors = [vector]
        broken.digestVectors = []
        #expect(!CorpusLint.check(broken).isEmpty)
    }

    @Test(
        "every valid signature recomputes with Python's hmac, and every invalid one differs",
        .enabled(if: TestSupport.hasPython, "python3 is not installed: the independent recomputation cannot run"))
    func independentRecomputation() throws {
        let corpus = try #require(Self.corpus)
        let script = """
            import sys, hmac, hashlib, base64, json
            for line in sys.stdin:
                v = json.loads(line)
                d = hmac.new(bytes.fromhex(v["key"]), bytes.fromhex(v["input"]), hashlib.sha1).digest()
                print(d.hex() if v["encoding"] == "hex" else base64.b64encode(d).decode())
            """
        let vectors = corpus.signatureVectors.map(\.vector).filter { $0.signingInputBytes != nil }
        let lines = vectors.map { vector in
            JSONOutput.object([
                ("key", .string(Hex.encode(vector.keyBytes))),
                ("input", .string(Hex.encode(vector.signingInputBytes ?? []))),
                ("encoding", .string(vector.encoding.rawValue)),
            ]).rendered(pretty: false)
        }
        let python = try #require(TestSupport.which("python3"))
        let result = try TestSupport.run(
            python, ["-c", script], input: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let answers = result.stdoutLines
        try #require(answers.count == vectors.count)
        for (vector, answer) in zip(vectors, answers) {
            switch vector.result {
            case .valid: #expect(vector.signature == answer, "\(vector.id)")
            case .invalid: #expect(vector.signature != answer, "\(vector.id)")
            case .acceptable: break
            }
        }
    }
}
