import Foundation
import PPGWire
import TestSupport
import Testing

@testable import PPGVectors

/// Builds a one-file corpus in a temporary directory.
struct TemporaryCorpus {
    let directory: String

    static let manifest =
        #"{"format": 1, "version": "1.0.0", "description": "t", "notes": {"A": "flag a"}, "files": ["signature/cat.json"]}"#

    static let goodVector = #"""
        {"id": "cat/one", "comment": "c", "flags": ["A"], "provenance": "derived", "scheme": "json-body",
         "encoding": "hex", "key": "k", "method": "POST", "url": "https://x/h", "body": "b", "signingInput": "b",
         "signature": "2f3a8a6e0cf8c4e4e1e0b2c0b2b2b2b2b2b2b2b2", "result": "invalid"}
        """#

    init(manifest: String = Self.manifest, file: String) throws {
        directory = try TestSupport.temporaryDirectory()
        try TestSupport.write(manifest, to: directory + "/manifest.json")
        try TestSupport.write(file, to: directory + "/signature/cat.json")
    }

    static func file(_ vectors: String...) -> String {
        #"{"format": 1, "kind": "signature", "category": "cat", "description": "d", "vectors": ["#
            + vectors.joined(separator: ",") + "]}"
    }

    func load() -> Result<Corpus, VectorLoadError> {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            return .success(try VectorLoader.load(directory: directory))
        } catch {
            return .failure(error)
        }
    }

    static func error(_ file: String, manifest: String = Self.manifest) throws -> VectorLoadError? {
        guard case .failure(let error) = try TemporaryCorpus(manifest: manifest, file: file).load() else { return nil }
        return error
    }
}

@Suite("Vector loader errors")
struct LoaderTests {
    @Test("links back up the tree (six links to '.') load once each, at once, not 6^8 times")
    func symlinkLoops() throws {
        let corpus = try TemporaryCorpus(file: TemporaryCorpus.file(TemporaryCorpus.goodVector))
        for index in 0..<6 {
            try FileManager.default.createSymbolicLink(
                atPath: corpus.directory + "/loop\(index)", withDestinationPath: ".")
        }
        let start = Date()
        let result = corpus.load()
        #expect(Date().timeIntervalSince(start) < 5)
        guard case .success(let loaded) = result else {
            Issue.record("did not load: \(result)")
            return
        }
        #expect(loaded.signatureVectors.map(\.vector.id) == ["cat/one"])
    }

    @Test("a good file loads")
    func loads() throws {
        let result = try TemporaryCorpus(file: TemporaryCorpus.file(TemporaryCorpus.goodVector)).load()
        let corpus = try result.get()
        #expect(corpus.signatureVectors.count == 1)
        #expect(corpus.signatureVectors[0].category == "cat")
    }

    @Test("an unknown field names the file, line:column, the vector and the path")
    func unknownField() throws {
        let vector = TemporaryCorpus.goodVector.replacingOccurrences(
            of: #""comment": "c","#,
            with: "\"comment\": \"c\",\n \"colour\": 1,")
        let error = try #require(try TemporaryCorpus.error(TemporaryCorpus.file(vector)))
        #expect(error.kind == .unknownField)
        #expect(error.file == "signature/cat.json")
        #expect(error.vectorID == "cat/one")
        #expect(error.path == "$.vectors[0].colour")
        #expect(error.line == 2)
        #expect(error.description.hasPrefix("signature/cat.json:2:"))
    }

    @Test("a missing field is named")
    func missingField() throws {
        let vector = TemporaryCorpus.goodVector.replacingOccurrences(of: #""method": "POST", "#, with: "")
        let error = try #require(try TemporaryCorpus.error(TemporaryCorpus.file(vector)))
        #expect(error.kind == .missingField)
        #expect(error.message.contains("method"))
        #expect(error.vectorID == "cat/one")
    }

    @Test("a wrong type names the expected and found types")
    func wrongType() throws {
        let vector = TemporaryCorpus.goodVector.replacingOccurrences(of: #""key": "k""#, with: #""key": 5"#)
        let error = try #require(try TemporaryCorpus.error(TemporaryCorpus.file(vector)))
        #expect(error.kind == .wrongType)
        #expect(error.path == "$.vectors[0].key")
        #expect(error.message.contains("string"))
        #expect(error.message.contains("number"))
    }

    @Test("an invalid enumeration value lists the allowed ones")
    func invalidValue() throws {
        let vector = TemporaryCorpus.goodVector.replacingOccurrences(
            of: #""result": "invalid""#, with: #""result": "maybe""#)
        let error = try #require(try TemporaryCorpus.error(TemporaryCorpus.file(vector)))
        #expect(error.kind == .invalidValue)
        #expect(error.message.contains("valid, invalid, acceptable"))
    }

    @Test(
        "every enumeration is checked: an unknown expect, level, provenance or result is refused with the allowed values",
        arguments: [
            ("receiver", #""expect": "accept""#, #""expect": "rejetc""#, "accept, reject, either"),
            ("receiver", #""level": "required""#, #""level": "mandatory""#, "required, recommended"),
            ("receiver", #""provenance": "derived""#, #""provenance": "guessed""#, "derived"),
            ("signature", #""provenance": "derived""#, #""provenance": "guessed""#, "derived"),
            ("signature", #""result": "invalid""#, #""result": "maybe""#, "valid, invalid, acceptable"),
        ])
    func enumerations(kind: String, good: String, bad: String, allowed: String) throws {
        let receiver = #"""
            {"id": "cat/one", "comment": "c", "flags": ["A"], "provenance": "derived", "level": "required",
             "request": {"body": {"text": "{}"}}, "expect": "accept"}
            """#
        let vector = (kind == "receiver" ? receiver : TemporaryCorpus.goodVector)
        #expect(vector.contains(good))
        let file =
            #"{"format": 1, "kind": "\#(kind)", "category": "cat", "description": "d", "vectors": ["#
            + vector.replacingOccurrences(of: good, with: bad) + "]}"
        let manifest = TemporaryCorpus.manifest.replacingOccurrences(
            of: "signature/cat.json", with: "\(kind)/cat.json")
        let corpus = try TemporaryCorpus(manifest: manifest, file: "{}")
        try FileManager.default.removeItem(atPath: corpus.directory + "/signature/cat.json")
        try TestSupport.write(file, to: corpus.directory + "/\(kind)/cat.json")
        guard case .failure(let error) = corpus.load() else {
            Issue.record("\(bad) loaded")
            return
        }
        #expect(error.kind == .invalidValue, "\(error)")
        #expect(error.message.contains(allowed), "\(error.message)")
    }

    /// A corpus of one receiver vector whose request object holds `request`, loaded.
    static func loadReceiverVector(request: String) throws -> Result<Corpus, VectorLoadError> {
        let vector = #"""
            {"id": "cat/one", "comment": "c", "flags": ["A"], "provenance": "derived", "level": "required",
             "request": {REQUEST}, "expect": "accept"}
            """#.replacingOccurrences(of: "REQUEST", with: request)
        let file =
            #"{"format": 1, "kind": "receiver", "category": "cat", "description": "d", "vectors": ["# + vector + "]}"
        let manifest = TemporaryCorpus.manifest.replacingOccurrences(
            of: "signature/cat.json", with: "receiver/cat.json")
        let corpus = try TemporaryCorpus(manifest: manifest, file: "{}")
        try FileManager.default.removeItem(atPath: corpus.directory + "/signature/cat.json")
        try TestSupport.write(file, to: corpus.directory + "/receiver/cat.json")
        return corpus.load()
    }

    @Test(
        "a request header is [name, value]: an empty value loads, an empty name, one element or three are refused",
        arguments: [
            (#"[["X-A", ""]]"#, true), (#"[["X-A", "v"]]"#, true), (#"[["", "v"]]"#, false), (#"[["", ""]]"#, false),
            (#"[["X-A"]]"#, false), (#"[["X-A", "v", "w"]]"#, false),
        ])
    func headerShape(headers: String, loads: Bool) throws {
        switch try Self.loadReceiverVector(request: #""headers": \#(headers), "body": {"text": "{}"}"#) {
        case .success: #expect(loads, "\(headers) loaded")
        case .failure(let error):
            #expect(!loads, "\(headers): \(error)")
            #expect(error.kind == .invalidValue && error.message.contains("[name, value]"), "\(error)")
        }
    }

    @Test(
        "a receiver vector's body is exactly one of text, base64 and json; its target exactly one of absolute and path",
        arguments: [
            (#""body": {"text": "{}"}"#, "body", true), (#""body": {"base64": "e30="}"#, "body", true),
            (#""body": {"json": {}}"#, "body", true), (#""body": {}"#, "body", false),
            (#""body": {"text": "{}", "json": {}}"#, "body", false),
            (#""body": {"text": "{}", "base64": "e30="}"#, "body", false),
            (#""body": {"base64": "e30=", "json": {}}"#, "body", false),
            (#""body": {"text": "{}"}, "target": {"path": "/p"}"#, "target", true),
            (#""body": {"text": "{}"}, "target": {"absolute": "http://h"}"#, "target", true),
            (#""body": {"text": "{}"}, "target": {}"#, "target", false),
            (#""body": {"text": "{}"}, "target": {"path": "/p", "absolute": "http://h"}"#, "target", false),
        ])
    func exactlyOneForm(request: String, field: String, loads: Bool) throws {
        switch try Self.loadReceiverVector(request: request) {
        case .success: #expect(loads, "\(request) loaded")
        case .failure(let error):
            #expect(!loads, "\(request): \(error)")
            #expect(error.kind == .invalidValue, "\(error)")
            #expect(error.path == "$.vectors[0].request.\(field)", "\(error)")
            #expect(error.message.contains("exactly one of"), "\(error)")
        }
    }

    @Test("the corpus's files are looked for eight directory levels down and no further")
    func eightLevels() throws {
        let root = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let eight = (1...8).map { "d\($0)" }.joined(separator: "/")
        try TestSupport.write("{}", to: root + "/" + eight + "/found.json")
        try TestSupport.write("{}", to: root + "/" + eight + "/d9/unseen.json")
        try TestSupport.write("{}", to: root + "/top.json")
        #expect(try VectorLoader.vectorFiles(root: root) == [eight + "/found.json", "top.json"])
    }

    @Test("duplicate ids are refused")
    func duplicateID() throws {
        let error = try #require(
            try TemporaryCorpus.error(
                TemporaryCorpus.file(TemporaryCorpus.goodVector, TemporaryCorpus.goodVector)))
        #expect(error.kind == .duplicateID)
        #expect(error.path == "$.vectors[1].id")
    }

    @Test("a flag not described in the manifest is refused")
    func unknownFlag() throws {
        let vector = TemporaryCorpus.goodVector.replacingOccurrences(of: #"["A"]"#, with: #"["A", "Nope"]"#)
        let error = try #require(try TemporaryCorpus.error(TemporaryCorpus.file(vector)))
        #expect(error.kind == .unknownFlag)
        #expect(error.path == "$.vectors[0].flags[1]")
    }

    @Test("an unsupported format is refused before anything else")
    func unsupportedFormat() throws {
        let file = TemporaryCorpus.file(TemporaryCorpus.goodVector).replacingOccurrences(
            of: #""format": 1"#,
            with: #""format": 2"#)
        let error = try #require(try TemporaryCorpus.error(file))
        #expect(error.kind == .unsupportedFormat)
        let manifestError = try #require(
            try TemporaryCorpus.error(
                TemporaryCorpus.file(TemporaryCorpus.goodVector),
                manifest: TemporaryCorpus.manifest.replacingOccurrences(of: #""format": 1"#, with: #""format": 9"#)))
        #expect(manifestError.kind == .unsupportedFormat)
        #expect(manifestError.file == "manifest.json")
    }

    @Test("malformed JSON gives line and column")
    func malformedJSON() throws {
        let error = try #require(try TemporaryCorpus.error("{\n  \"format\": 1,\n  oops\n}"))
        #expect(error.kind == .malformedJSON)
        #expect(error.line == 3)
        #expect(error.column == 3)
    }

    @Test("a member written twice is refused")
    func duplicateMember() throws {
        let vector = TemporaryCorpus.goodVector.replacingOccurrences(
            of: #""key": "k""#, with: #""key": "k", "key": "j""#)
        let error = try #require(try TemporaryCorpus.error(TemporaryCorpus.file(vector)))
        #expect(error.kind == .duplicateMember)
    }

    @Test("exactly one of key and keyHex; ids must carry the category")
    func semanticChecks() throws {
        let both = TemporaryCorpus.goodVector.replacingOccurrences(
            of: #""key": "k""#, with: #""key": "k", "keyHex": "00""#)
        #expect(try TemporaryCorpus.error(TemporaryCorpus.file(both))?.message.contains("exactly one") == true)
        let wrongCategory = TemporaryCorpus.goodVector.replacingOccurrences(of: "cat/one", with: "dog/one")
        #expect(try TemporaryCorpus.error(TemporaryCorpus.file(wrongCategory))?.message.contains("category") == true)
    }

    @Test("a lone surrogate in a comment is a malformed-JSON error at its position, not a crash")
    func loneSurrogate() throws {
        let vector = TemporaryCorpus.goodVector.replacingOccurrences(
            of: #""comment": "c""#, with: #""comment": "bad \ud800 here""#)
        let error = try #require(try TemporaryCorpus.error(TemporaryCorpus.file(vector)))
        #expect(error.kind == .malformedJSON)
        #expect(error.message.contains("surrogate"))
        #expect(error.line != nil && error.column != nil)
    }

    @Test("a missing corpus directory is an unreadable error, not a crash")
    func missingDirectory() {
        #expect(throws: VectorLoadError.self) { try VectorLoader.load(directory: "/nonexistent/ppg") }
    }

    @Test("the manifest's 'files' is the corpus: a listed file missing, a file not listed, a directory unreadable")
    func manifestFiles() throws {
        let good = TemporaryCorpus.file(TemporaryCorpus.goodVector)
        let missing = try #require(
            try TemporaryCorpus.error(
                good,
                manifest: TemporaryCorpus.manifest.replacingOccurrences(
                    of: #"["signature/cat.json"]"#, with: #"["signature/cat.json", "receiver/gone.json"]"#)))
        #expect(missing.file == "manifest.json")
        #expect(missing.path == "$.files[1]")
        #expect(missing.message.contains("'receiver/gone.json' is listed in 'files' but missing"))
        let corpus = try TemporaryCorpus(file: good)
        try TestSupport.write(
            good.replacingOccurrences(of: "cat/one", with: "cat/two"), to: corpus.directory + "/signature/extra.json")
        guard case .failure(let unlisted) = corpus.load() else {
            Issue.record("a file not listed loaded")
            return
        }
        #expect(unlisted.file == "signature/extra.json")
        #expect(unlisted.message.contains("not listed in manifest.json 'files'"))
        let outside = try #require(
            try TemporaryCorpus.error(
                good,
                manifest: TemporaryCorpus.manifest.replacingOccurrences(
                    of: #"["signature/cat.json"]"#, with: #"["signature/cat.json", "../x.json"]"#)))
        #expect(outside.message.contains("not a vector file's path inside the corpus"))
        if getuid() != 0 {
            let locked = try TemporaryCorpus(file: good)
            #expect(chmod(locked.directory + "/signature", 0) == 0)
            defer { chmod(locked.directory + "/signature", 0o755) }
            guard case .failure(let unreadable) = locked.load() else {
                Issue.record("an unreadable directory loaded")
                return
            }
            #expect(unreadable.kind == .unreadable)
        }
    }

    @Test(
        "a truncate or flip count outside the encodings' signatures is refused with the range",
        arguments: [28, 30])
    func countRange(count: Int) throws {
        let receiver = #"""
            {"format": 1, "kind": "receiver", "category": "cat", "description": "d", "vectors": [
             {"id": "cat/one", "comment": "c", "flags": ["A"], "provenance": "derived", "level": "required",
              "encodings": ["base64"], "request": {"body": {"text": "{}"}},
              "signature": {"kind": "truncate", "count": COUNT}, "expect": "reject"}]}
            """#.replacingOccurrences(of: "COUNT", with: String(count))
        let corpus = try TemporaryCorpus(file: "{}")
        try FileManager.default.removeItem(atPath: corpus.directory + "/signature/cat.json")
        try TestSupport.write(receiver, to: corpus.directory + "/receiver/cat.json")
        try TestSupport.write(
            TemporaryCorpus.manifest.replacingOccurrences(of: "signature/cat.json", with: "receiver/cat.json"),
            to: corpus.directory + "/manifest.json")
        guard case .failure(let error) = corpus.load() else {
            Issue.record("an out-of-range count loaded")
            return
        }
        #expect(error.path == "$.vectors[0].signature.count")
        #expect(error.message.contains("count \(count) is out of range: 'truncate' takes 0 to 27"))
    }

    @Test(
        "a digest that is not 40 lowercase hex digits is refused",
        arguments: ["A9993E364706816ABA3E25717850C26C9CD0D89D", "a9993e36"])
    func digestForm(digest: String) throws {
        let file = #"""
            {"format": 1, "kind": "digest", "category": "cat", "description": "d", "vectors": [
             {"id": "cat/one", "comment": "c", "flags": ["A"], "provenance": "derived", "message": "abc",
              "digest": "DIGEST"}]}
            """#.replacingOccurrences(of: "DIGEST", with: digest)
        let error = try #require(try TemporaryCorpus.error(file))
        #expect(error.message.contains("digest must be 40 lowercase hex digits"), "\(error.message)")
    }

    /// A one-vector file of another kind at the corpus's one path.
    static func fileOf(kind: String, _ vector: String) -> String {
        #"{"format": 1, "kind": "\#(kind)", "category": "cat", "description": "d", "vectors": [\#(vector)]}"#
    }

    @Test(
        "a corpus that asks for more memory than it may is refused when it loads, naming the file and the vector",
        arguments: [
            // A 1,000-byte message repeated 100,000,000 times: 100 GB (it aborted the process).
            fileOf(
                kind: "digest",
                #"{"id": "cat/huge", "comment": "c", "flags": [], "provenance": "derived", "message": ""#
                    + String(repeating: "m", count: 1000) + #"", "repeat": 100000000, "digest": ""#
                    + String(repeating: "0", count: 40) + #""}"#),
            // Twenty fills of 16 MiB in one body: 320 MiB from a file of about 600 bytes.
            fileOf(
                kind: "receiver",
                #"{"id": "cat/fills", "comment": "c", "flags": [], "provenance": "derived", "level": "required", "#
                    + #""request": {"body": {"text": ""# + String(repeating: "{{fill:16777216}}", count: 20)
                    + #""}}, "expect": "reject"}"#),
            // Under the per-vector bound each, over it together: a body and a follow-up's header of 17 MiB each.
            fileOf(
                kind: "receiver",
                #"{"id": "cat/steps", "comment": "c", "flags": [], "provenance": "derived", "level": "required", "#
                    + #""request": {"body": {"text": "{{fill:16777216}}{{fill:1048576}}"}}, "expect": "reject", "#
                    + #""followUps": [{"request": {"headers": [["X-A", "{{fill:16777216}}{{fill:1048576}}"]]}, "#
                    + #""expect": "reject"}]}"#),
        ])
    func materialisationIsBounded(file: String) throws {
        let start = Date()
        let error = try #require(try TemporaryCorpus.error(file))
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(error.file == "signature/cat.json")
        #expect(error.vectorID?.hasPrefix("cat/") == true, "\(error)")
        #expect(error.description.contains("may ask for at most"), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test("many vectors, each within its bound, are refused together past the corpus's")
    func corpusBound() throws {
        let each = CorpusLimits.maximumVectorBytes / (16 << 20)
        let body = String(repeating: "{{fill:16777216}}", count: each)
        let count = CorpusLimits.maximumCorpusBytes / CorpusLimits.maximumVectorBytes + 1
        let vectors = (0..<count).map { index in
            #"{"id": "cat/v\#(index)", "comment": "c", "flags": [], "provenance": "derived", "level": "required", "#
                + #""request": {"body": {"text": "\#(body)"}}, "expect": "reject"}"#
        }
        let file =
            #"{"format": 1, "kind": "receiver", "category": "cat", "description": "d", "vectors": ["#
            + vectors.joined(separator: ",") + "]}"
        let error = try #require(try TemporaryCorpus.error(file))
        #expect(error.vectorID == "cat/v\(count - 1)", "\(error)")
        #expect(error.description.contains("in all"), "\(error)")
        // One fewer loads: the bound is the corpus's, not any one vector's.
        let fewer =
            #"{"format": 1, "kind": "receiver", "category": "cat", "description": "d", "vectors": ["#
            + vectors.dropLast().joined(separator: ",") + "]}"
        #expect(try TemporaryCorpus.error(fewer) == nil)
    }

    @Test("a template past the bound cannot be expanded either: the bound holds where a corpus is built in code")
    func expansionIsBounded() {
        let text = String(repeating: "{{fill:16777216}}", count: 3)
        #expect(throws: Placeholders.Failure.self) { try Placeholders.expand(text, projectID: "p") }
        #expect((try? Placeholders.expandedLength(text, projectIDLength: 1)) == 3 * (16 << 20))
        #expect((try? Placeholders.expand("a{{projectId}}b{{fill:2}}", projectID: "pp")) == Array("appbxx".utf8))
        // The scheme a client claims: the other one of the configured URL's, both ways.
        for (scheme, other) in [("http", "https"), ("https", "http"), ("HTTPS", "http")] {
            let url = RawURL(scheme: scheme, host: "h.example", path: "/p")
            #expect((try? Placeholders.expand("{{otherScheme}}", projectID: "p", publicURL: url)) == Array(other.utf8))
        }
        #expect(throws: Placeholders.Failure.self) { try Placeholders.expand("{{otherScheme}}", projectID: "p") }
    }
}
