import PPGSignature
import PPGVectors
import PPGWire
import Synchronization
import Testing

@testable import PPGConformance

/// A receiver as real stacks are: the reference with what a framework does before the handler, or a bug in a
/// place no mutant replaces.
struct StackLikeReceiver: Receiver {
    let reference: ReferenceReceiver
    /// The status to answer instead of the reference's (given the request and the reference's status), or `nil`.
    let answer: @Sendable (HTTPRequest, Int) -> Int?

    var pipeline: ReceiverPipeline { reference.pipeline }

    func respond(to request: HTTPRequest) -> ReceiverAnswer {
        let own = reference.respond(to: request)
        if let status = answer(request, own.response.status) {
            return ReceiverAnswer(HTTPResponse(status: status, reason: "Test"))
        }
        return own
    }

    static func target(
        _ profile: SignatureProfile, _ answer: @escaping @Sendable (HTTPRequest, Int) -> Int?
    ) -> ReferenceTarget {
        let configuration = ReferenceTarget.defaultConfiguration(profile: profile)
        let reference = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: profile)
        return ReferenceTarget(
            configuration: configuration, receiver: StackLikeReceiver(reference: reference, answer: answer),
            name: "stack-like", takesSignatureVectors: false)
    }
}

@Suite("Fuzz oracle: SPEC's allowed answers")
struct FuzzOracleTests {
    static let profiles = [SignatureProfile.default, SignatureProfile(scheme: .jsonBody, encoding: .base64)]

    @Test("each class a generated delivery falls in reads like a corpus vector with the same expectation and level")
    func classesMatchTheCorpus() throws {
        let corpus = try #require(Fixtures.corpus)
        for profile in Self.profiles {
            var classes: [String: FuzzClass] = [:]
            for index in 0..<6000 {
                if let fuzzClass = FuzzGenerator.fuzzCase(seed: 2, index: index).fuzzClass(under: profile) {
                    classes[fuzzClass.vectorID] = fuzzClass
                }
            }
            #expect(classes.count >= 8, "\(profile): \(classes.keys.sorted())")
            for (id, fuzzClass) in classes {
                let matching = corpus.receiverVectors.map(\.vector).filter { Glob.matches(id, $0.id) }
                #expect(!matching.isEmpty, "\(profile): class \(id) names no corpus vector")
                for vector in matching where vector.schemes?.contains(profile.scheme) ?? true {
                    #expect(vector.level == fuzzClass.level, "\(profile): \(vector.id) level vs class \(id)")
                    if let expect = fuzzClass.expect, vector.id == id {
                        #expect(vector.expect == expect, "\(profile): \(vector.id) expects \(vector.expect)")
                    }
                }
            }
        }
    }

    @Test("every feature a case exercises is one the generator declares, and most are drawn in 1 % of cases")
    func featuresAreDeclared() {
        var counts: [String: Int] = [:]
        let runs = 4000
        for index in 0..<runs {
            for feature in FuzzGenerator.fuzzCase(seed: 1, index: index).features { counts[feature, default: 0] += 1 }
        }
        let known = Set(FuzzCase.knownFeatures)
        #expect(Set(counts.keys).isSubset(of: known), "\(Set(counts.keys).subtracting(known).sorted())")
        let rare = known.filter { (counts[$0] ?? 0) * 100 < runs }
        #expect(rare.count * 10 < known.count, "rare: \(rare.sorted())")
    }

    @Test("a case's character features, counted by catalogue index, are the names its texts give one by one")
    func indexedCharacterFeatures() {
        for index in 0..<3000 {
            let fuzzCase = FuzzGenerator.fuzzCase(seed: 5, index: index)
            var expected: Set<String> = []
            for member in fuzzCase.members {
                FuzzCase.characters(of: member.name, as: "name", into: &expected)
                if case .string(let text, _) = member.value, member.name != "projectId" {
                    FuzzCase.characters(of: text, as: "value", into: &expected)
                }
            }
            let found = fuzzCase.features.names.filter { $0.hasPrefix("name:") || $0.hasPrefix("value:") }
            #expect(found == expected, "case \(index)")
        }
    }

    @Test("every feature a case is given by index is in the catalogue, and the catalogue fits the bits")
    func featureIndicesAreCatalogued() {
        #expect(FuzzFeatures.catalogueFits)
        let constants = FuzzCase.featureIndices
        let indices = [
            constants.bodyForm, constants.bodyPretty, constants.manyMembers, constants.projectIDOnly,
            constants.projectIDNotFirst, constants.duplicateName, constants.emptyString, constants.longString,
            constants.escapedString, constants.object, constants.array, constants.literal, constants.number,
            constants.fill, constants.queryNone, constants.queryBare, constants.contentTypeDefault,
            constants.contentTypeNone, constants.post, constants.chunked,
        ]
        #expect(indices.allSatisfy { FuzzCase.knownFeatures.indices.contains($0) })
        #expect(Set(indices).count == indices.count)
        // Names in, the same names out: the catalogue's and one it does not list.
        let names: Set<String> = ["method:PUT", "value:lowercaseLetter", "name:control-U+0001", "query:not-drawn"]
        #expect(FuzzFeatures(names).names == names)
        #expect(FuzzFeatures(FuzzCase.knownFeatures).names == Set(FuzzCase.knownFeatures))
    }

    @Test("a tally counts each case once under each of its features, the catalogue's and any other")
    func featureTally() {
        var tally = FeatureTally()
        #expect(tally.named.isEmpty)
        tally.add(FuzzFeatures(["method:PUT", "query:not-drawn", "value:lowercaseLetter"]))
        tally.add(FuzzFeatures(["method:PUT", "query:not-drawn"]))
        tally.add(FuzzFeatures())
        #expect(tally.named == ["method:PUT": 2, "query:not-drawn": 2, "value:lowercaseLetter": 1])
    }

    @Test("a general category is named as Swift spells it, for every scalar of every plane")
    func categoryNames() {
        var seen: Set<String> = []
        // The first page whole, the two separators, then every 7th scalar of every plane; surrogates are no scalars.
        for value in Array(0..<0x300) + [0x2028, 0x2029] + Array(stride(from: 0x300, through: 0x10FFFF, by: 7)) {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            let category = scalar.properties.generalCategory
            let name = FuzzCase.name(of: category)
            if seen.insert(name).inserted { #expect(name == "\(category)", "U+\(String(value, radix: 16))") }
        }
        #expect(seen.count >= 29, "categories reached: \(seen.sorted())")
    }

    @Test("a text's character features are its scalars' categories and controls, ASCII table or not, one each")
    func characterFeatures() {
        var random = SplitMix64(seed: 9)
        let pool = (0..<0x300).compactMap { Unicode.Scalar(UInt32($0)) } + ["\u{2028}", "\u{1F600}", "\u{E000}"]
        let texts =
            pool.map { String($0) }
            + (0..<400).map { _ in
                String(String.UnicodeScalarView((0..<random.below(12)).map { _ in pool[random.below(pool.count)] }))
            }
        for text in texts {
            var found: Set<String> = []
            FuzzCase.characters(of: text, as: "value", into: &found)
            let expected = Set(
                text.unicodeScalars.map { scalar in
                    scalar.value < 0x20 || scalar.value == 0x7F
                        ? "value:control-U+00" + (scalar.value < 0x10 ? "0" : "")
                            + String(scalar.value, radix: 16, uppercase: true)
                        : "value:" + FuzzCase.name(of: scalar.properties.generalCategory)
                })
            #expect(found == expected, "\(text.debugDescription)")
        }
    }

    @Test("each delivery sent counts once under each feature it has: one method and one signature form apiece")
    func featureCountsAreExact() throws {
        let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
        var options = FuzzOptions(
            seed: 11, configuration: configuration, manifest: try #require(Fixtures.corpus).manifest)
        options.runs = 300
        let result = Fuzzer.run(
            target: ReferenceTarget(configuration: configuration), oracle: .reference, options: options)
        for prefix in ["method:", "signature:"] {
            let total = result.features.filter { $0.key.hasPrefix(prefix) }.map(\.value).reduce(0, +)
            #expect(total == result.runs, "\(prefix) counts \(total) of \(result.runs)")
        }
        // Recounted from the cases themselves: the run's first cases, all of them sent and judged here.
        try #require(result.notJudged == 0)
        var recount: [String: Int] = [:]
        for index in 0..<result.runs {
            for feature in FuzzGenerator.fuzzCase(seed: 11, index: index).features { recount[feature, default: 0] += 1 }
        }
        #expect(result.features == recount)
    }

    /// The reference, but every delivery whose number `silent` picks gets no answer (a reset), counted in order.
    final class IntermittentTarget: ConformanceTarget {
        let inner: ReferenceTarget
        let silent: @Sendable (Int) -> Bool
        let count = Mutex(0)
        init(inner: ReferenceTarget, silent: @escaping @Sendable (Int) -> Bool) {
            self.inner = inner
            self.silent = silent
        }
        var name: String { "intermittent" }
        var takesSignatureVectors: Bool { false }
        func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer { .skip("receiver only") }
        func digest(_ message: [UInt8]) -> String? { nil }
        func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer] {
            let number = count.withLock { value in
                value += 1
                return value
            }
            if silent(number) { throw TargetError(kind: .connectionReset, message: "reset by peer") }
            return try inner.deliver(deliveries)
        }
        func reproduction(of deliveries: [Delivery]) -> String { "" }
    }

    @Test("fuzz stops after N unanswered deliveries in a row, and an answer in between starts the count again")
    func stopsAfterUnansweredInARow() throws {
        let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
        let manifest = try #require(Fixtures.corpus).manifest
        for limit in [1, 2, 3] {
            // Every other delivery silent: never `limit` in a row for a limit above 1.
            let alternating = IntermittentTarget(inner: ReferenceTarget(configuration: configuration)) { $0 % 2 == 0 }
            var options = FuzzOptions(seed: 2, configuration: configuration, manifest: manifest)
            options.runs = 60
            options.stopAfterUnanswered = limit
            let result = Fuzzer.run(target: alternating, oracle: .reference, options: options)
            if limit == 1 {
                #expect(result.stoppedAfterUnanswered == 1 && result.runs == 2, "\(result.runs)")
            } else {
                #expect(result.stoppedAfterUnanswered == nil && result.runs == 60, "limit \(limit): \(result.runs)")
            }
            // Silent from the 5th delivery on: stopped after exactly `limit` more.
            let dying = IntermittentTarget(inner: ReferenceTarget(configuration: configuration)) { $0 >= 5 }
            let stopped = Fuzzer.run(target: dying, oracle: .reference, options: options)
            #expect(stopped.stoppedAfterUnanswered == limit, "limit \(limit)")
            #expect(stopped.runs == 4 + limit, "limit \(limit): \(stopped.runs)")
        }
    }

    @Test("the reference and a handler run in process (fuzz judges them on a thread per core); an HTTP target does not")
    func whichTargetsRunInProcess() throws {
        let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
        #expect(ReferenceTarget(configuration: configuration).runsInProcess)
        #expect(
            HandlerTarget(configuration: configuration) { _ in HTTPResponse(status: 200, reason: "OK") }.runsInProcess)
        let url = try #require(RawURL("http://127.0.0.1:9/ppg/webhook"))
        #expect(!HTTPTarget(url: url).runsInProcess)
    }

    @Test("a fuzz run stopped from outside is interrupted, never reported as stopped for unanswered deliveries")
    func interruptedIsNotUnanswered() throws {
        let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
        let manifest = try #require(Fixtures.corpus).manifest
        for limit in [nil, 3] as [Int?] {
            let answering = IntermittentTarget(inner: ReferenceTarget(configuration: configuration)) { _ in false }
            var options = FuzzOptions(seed: 2, configuration: configuration, manifest: manifest)
            options.runs = 400
            options.stopAfterUnanswered = limit
            // Stopped mid-batch: the rest of the batch comes back unsent, for the interruption.
            let asked = Atomic<Int>(0)
            options.shouldStop = { asked.add(1, ordering: .relaxed).newValue > 40 }
            let result = Fuzzer.run(target: answering, oracle: .reference, options: options)
            #expect(result.interrupted, "limit \(String(describing: limit))")
            #expect(result.stoppedAfterUnanswered == nil, "limit \(String(describing: limit))")
            #expect(result.runs > 0 && result.runs < 400, "\(result.runs)")
        }
    }

    @Test("a stack that refuses invalid request-lines with 400 and accepts signed form bodies gets no disagreement")
    func rfcRefusalsAndFormBodiesConform() throws {
        for profile in Self.profiles {
            // Rack's router refuses the request-line; a Twilio-style verifier reads the form and finds it signed.
            let target = StackLikeReceiver.target(profile) { request, status in
                if !RawURL.isValidRequestTarget(request.target) { return 400 }
                let form = request.headers.contentType?.hasPrefix("application/x-www-form-urlencoded") == true
                return form && status == 400 ? 200 : nil
            }
            var options = FuzzOptions(
                seed: 7, configuration: target.configuration, manifest: try #require(Fixtures.corpus).manifest)
            options.runs = 1000
            let result = Fuzzer.run(target: target, oracle: .reference, options: options)
            #expect(result.runs == 1000)
            #expect(result.disagreements.isEmpty, "\(profile): \(result.disagreements.map(\.request))")
            #expect(result.either > 100)
        }
    }

    @Test("a 5xx where either answer conforms is found: either cases are sent and judged")
    func eitherCasesAreJudged() throws {
        // Breaks on a correctly signed text/plain delivery, which SPEC lets it accept or refuse.
        let target = StackLikeReceiver.target(.default) { request, status in
            request.headers.contentType == "text/plain" && status == 200 ? 500 : nil
        }
        var options = FuzzOptions(
            seed: 7, configuration: target.configuration, manifest: try #require(Fixtures.corpus).manifest)
        options.runs = 1500
        let result = Fuzzer.run(target: target, oracle: .reference, options: options)
        // One shrunk delivery per signature form that reaches the bug (valid, uppercase hex, padded): nothing else.
        #expect((1...3).contains(result.disagreements.count), "\(result.disagreements.map(\.request))")
        for found in result.disagreements {
            #expect(found.vector.expect == .either && found.status == 500)
            #expect(found.request.contains("Content-Type: text/plain"))
        }
    }

    @Test("a recommended class disagrees as a warning, and an expected-failures line for its vector silences it")
    func recommendedAndExpected() throws {
        // Refuses a bare '?', as FastAPI's stack does.
        let target = StackLikeReceiver.target(.default) { request, _ in request.target.hasSuffix("?") ? 401 : nil }
        var options = FuzzOptions(
            seed: 3, configuration: target.configuration, manifest: try #require(Fixtures.corpus).manifest)
        options.runs = 600
        let result = Fuzzer.run(target: target, oracle: .reference, options: options)
        let found = try #require(result.disagreements.first)
        #expect(found.isWarning && found.classVectorID == "delivery-query/empty")
        #expect(!result.fails(strict: false) && result.fails(strict: true))
        options.expectedFailures = ExpectedFailures(text: "[url-params] delivery-query/empty\n", file: "x")
        let listed = Fuzzer.run(target: target, oracle: .reference, options: options)
        #expect(listed.disagreements.isEmpty)
        #expect((listed.expected["delivery-query/empty"] ?? 0) > 0)
        options.expectedFailures = ExpectedFailures(text: "[json-body] delivery-query/empty\n", file: "x")
        #expect(!Fuzzer.run(target: target, oracle: .reference, options: options).disagreements.isEmpty)
    }

    @Test("a required disagreement stays required when shrunk: a dropped query is not reported as a bare '?' only")
    func shrinkKeepsLevel() throws {
        let target = Fixtures.mutant(.ignoresQuery)
        var options = FuzzOptions(
            seed: 1, configuration: target.configuration, manifest: try #require(Fixtures.corpus).manifest)
        options.runs = 1000
        let result = Fuzzer.run(target: target, oracle: .reference, options: options)
        // '?token=abc' refused is a required failure; shrinking it to a bare '?' would make it a warning.
        #expect(result.disagreements.contains { !$0.isWarning && $0.request.contains("?") })
        #expect(result.fails(strict: false))
    }

    @Test("a run told to stop after N distinct disagreements finds N, and with N = 0 sends nothing")
    func stopsAfterN() throws {
        let target = Fixtures.mutant(.acceptAll)
        for limit in [0, 1, 2] {
            var options = FuzzOptions(
                seed: 1, configuration: target.configuration, manifest: try #require(Fixtures.corpus).manifest)
            options.runs = 400
            options.stopAfter = limit
            let result = Fuzzer.run(target: target, oracle: .reference, options: options)
            #expect(result.disagreements.count == limit, "stop after \(limit)")
            if limit == 0 { #expect(result.runs == 0) } else { #expect(result.runs < 400, "stop after \(limit)") }
        }
    }

    @Test("one frequent bug is shrunk once: later cases of it are dropped before shrinking")
    func oneBugOneShrink() throws {
        let target = Fixtures.mutant(.firstTwentyParameters)
        var options = FuzzOptions(
            seed: 1, configuration: target.configuration, manifest: try #require(Fixtures.corpus).manifest)
        options.runs = 800
        let result = Fuzzer.run(target: target, oracle: .reference, options: options)
        #expect(result.disagreements.count == 1)
        #expect(result.duplicates > 5)
        #expect(result.disagreements.first?.causes.first == .firstTwentyParameters)
    }
}
