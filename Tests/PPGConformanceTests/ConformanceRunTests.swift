import Foundation
import PPGSignature
import PPGVectors
import PPGWire
import Synchronization
import TestSupport
import Testing

@testable import PPGConformance

/// The run as a library call: what `ppg-conformance run` does, from `ConformanceRun`, for any target.
@Suite("ConformanceRun")
struct ConformanceRunTests {
    static let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
    /// One category, enough to tell the skipped check from other bugs: a diagnosis of fewer vectors is quicker.
    static let few = RunOptions(
        selection: Selection(only: ["tampering/*"]), configuration: configuration)

    /// The reference receiver as a closure, the way a Swift program hands its own receiver to the suite.
    static var referenceHandler: HandlerTarget {
        let receiver = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: configuration.profile)
        return HandlerTarget(configuration: configuration) { receiver.respond(to: $0).response }
    }

    /// A receiver whose route takes POST and reads the body, with the signature check skipped.
    static var unverifiedHandler: HandlerTarget {
        HandlerTarget(configuration: configuration) { request in
            guard request.method == "POST" else { return HTTPResponse(status: 405, reason: "Method Not Allowed") }
            guard (try? JSONParser.parse(request.body)) != nil else { return HTTPResponse(status: 400, reason: "") }
            return HTTPResponse(status: 200, reason: "OK")
        }
    }

    @Test("a closure around the reference receiver answers every receiver vector as the in-process reference does")
    func handlerMatchesReference() throws {
        let corpus = try #require(Fixtures.corpus)
        let options = RunOptions(configuration: Self.configuration)
        let byHandler = try ConformanceRun(corpus: corpus, target: Self.referenceHandler, options: options).run()
        let byReference = try ConformanceRun(corpus: corpus, target: Fixtures.reference(), options: options).run()
        let reference = Dictionary(uniqueKeysWithValues: byReference.outcomes.map { ($0.id, $0) })
        #expect(byHandler.outcomes.count == corpus.receiverVectors.count)
        #expect(RunVerdict(byHandler) == .conformant)
        for outcome in byHandler.outcomes {
            let other = try #require(reference[outcome.id])
            #expect(outcome.status == other.status, "\(outcome.id)")
            #expect(outcome.exchanges.map(\.status) == other.exchanges.map(\.status), "\(outcome.id)")
        }
    }

    @Test("the preflight refuses a selection that tests nothing, naming it, before anything is sent")
    func nothingToTest() throws {
        let corpus = try #require(Fixtures.corpus)
        let digest = try #require(corpus.digestVectors.first).vector.id
        let sent = Atomic<Int>(0)
        let counting = HandlerTarget(configuration: Self.configuration) { _ in
            sent.add(1, ordering: .relaxed)
            return HTTPResponse(status: 200, reason: "OK")
        }
        let cases: [(Selection, String)] = [
            (Selection(only: ["no/such-vector*"]), "--only 'no/such-vector*' selects no vector"),
            (Selection(only: [digest]), "selects only vectors this target does not take (digest)"),
        ]
        for (selection, said) in cases {
            let run = ConformanceRun(
                corpus: corpus, target: counting,
                options: RunOptions(selection: selection, configuration: Self.configuration))
            #expect(throws: ConformanceRun.Refusal.self) { try run.run() }
            do {
                _ = try run.run()
            } catch {
                #expect(error.kind == .nothingToTest)
                #expect(error.message.contains(said), "\(error.message)")
            }
        }
        #expect(sent.load(ordering: .relaxed) == 0)
    }

    @Test("an HTTP target nothing answers is refused as unreachable by the preflight")
    func preflightFindsUnreachableTarget() throws {
        let corpus = try #require(Fixtures.corpus)
        // A port bound and closed again: nothing listens there.
        let server = try LoopbackServer(receiver: ReferenceReceiver(projectID: "p", publicURL: nil, profile: .default))
        let url = server.url()
        server.stop()
        let run = ConformanceRun(
            corpus: corpus, target: HTTPTarget(url: url, timeout: 1),
            options: RunOptions(configuration: ReceiverConfiguration(projectID: "p", targetURL: url, profile: .default))
        )
        do {
            _ = try run.run()
            Issue.record("a run against a closed port was not refused")
        } catch {
            #expect(error.kind == .unreachable, "\(error)")
        }
    }

    @Test("stages come in order: delivering, each category once, diagnosing after failures, probing for a receiver")
    func stages() throws {
        let corpus = try #require(Fixtures.corpus)
        for (target, probes) in [
            (Self.unverifiedHandler as any ConformanceTarget, true), (FixedTarget(status: 200), false),
        ] {
            let run = ConformanceRun(corpus: corpus, target: target, options: Self.few)
            var stages: [String] = []
            var categories: [String] = []
            let result = try run.run { stage in
                switch stage {
                case .delivering(let vectors):
                    stages.append("delivering")
                    #expect(vectors == run.plan().vectors.count)
                case .categoryDone(let category, _):
                    if stages.last != "category" { stages.append("category") }
                    categories.append(category)
                case .diagnosing: stages.append("diagnosing")
                case .probing: stages.append("probing")
                }
            }
            #expect(result.summary.failing > 0)
            #expect(stages == ["delivering", "category", "diagnosing"] + (probes ? ["probing"] : []), "\(target.name)")
            #expect(
                categories
                    == Array(Set(categories)).sorted { categories.firstIndex(of: $0)! < categories.firstIndex(of: $1)! }
            )
            #expect(Set(categories) == Set(run.plan().vectors.map(\.category)))
            #expect(result.diagnosis != nil)
        }
    }

    @Test("the diagnosis counts exactly the deliveries the probes sent")
    func probesAreCounted() throws {
        let corpus = try #require(Fixtures.corpus)
        let sent = Atomic<Int>(0)
        // A receiver configured with another key: every valid delivery refused, so the probes try the settings.
        let refusing = HandlerTarget(configuration: Self.configuration) { _ in
            sent.add(1, ordering: .relaxed)
            return HTTPResponse(status: 401, reason: "Unauthorized")
        }
        let options = RunOptions(selection: Selection(only: ["keys/*", "bodies/*"]), configuration: Self.configuration)
        let run = ConformanceRun(corpus: corpus, target: refusing, options: options)
        var beforeProbing: Int?
        let result = try run.run { stage in
            if case .probing = stage { beforeProbing = sent.load(ordering: .relaxed) }
        }
        let probed = sent.load(ordering: .relaxed) - (try #require(beforeProbing))
        #expect(probed > 0)
        #expect(result.diagnosis?.probes == probed)
    }

    @Test("a re-serialising receiver is confirmed as its own member, whichever library writes its bodies")
    func everyMemberConfirmed() throws {
        let corpus = try #require(Fixtures.corpus)
        let profile = SignatureProfile(scheme: .jsonBody, encoding: .hex)
        let configuration = ReferenceTarget.defaultConfiguration(profile: profile)
        for style in JSONStyle.allCases {
            var pipeline = Mutant.reserialisesBody.pipeline(from: .reference(profile))
            pipeline.rule.style = style
            let receiver = ReferenceReceiver(
                projectID: configuration.projectID, publicURL: configuration.publicURL, pipeline: pipeline)
            let target = HandlerTarget(configuration: configuration) { receiver.respond(to: $0).response }
            let options = RunOptions(
                selection: Selection(only: ["bodies/*", "events/*"]), configuration: configuration)
            let result = try ConformanceRun(corpus: corpus, target: target, options: options).run()
            let member = try #require(result.diagnosis?.confirmedMember, "\(style): no member confirmed")
            // Named alone: since corpus 1.8.0 some delivery of these two categories tells every member apart
            // (`bodies/exponent-number` Python's ensure_ascii=False from Ruby's).
            #expect(member.hasPrefix(style.rawValue + ":"), "\(style): \(member)")
        }
    }

    /// A receiver that re-serialises the body before verifying it (json-body, hex), and its configuration.
    static func reserialising() -> (ReceiverConfiguration, MutantReceiver) {
        let profile = SignatureProfile(scheme: .jsonBody, encoding: .hex)
        let configuration = ReferenceTarget.defaultConfiguration(profile: profile)
        let reference = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: profile)
        return (configuration, MutantReceiver(mutant: .reserialisesBody, reference: reference))
    }

    @Test("the family probe is carried only by a valid delivery refused with a 4xx, never one the receiver broke on")
    func familyProbeSkipsBrokenDeliveries() throws {
        let corpus = try #require(Fixtures.corpus)
        let (configuration, receiver) = Self.reserialising()
        let options = RunOptions(selection: Selection(only: ["bodies/*", "events/*"]), configuration: configuration)
        // First as it is, to learn which body the probe picks first: the one that tells the members apart best.
        let probing = Atomic<Bool>(false)
        let probed = Mutex<[[UInt8]]>([])
        let plain = HandlerTarget(configuration: configuration) { request in
            if probing.load(ordering: .relaxed) { probed.withLock { $0.append(request.body) } }
            return receiver.respond(to: request).response
        }
        let first = try ConformanceRun(corpus: corpus, target: plain, options: options).run { stage in
            if case .probing = stage { probing.store(true, ordering: .relaxed) }
        }
        try #require(first.diagnosis?.confirmedMember != nil)
        let best = try #require(probed.withLock { $0.first })
        // Then with that body breaking the receiver (a 500, whatever its signature): it no longer says how the
        // receiver signs, so the probe goes to another refused delivery and still confirms a member.
        let breaking = HandlerTarget(configuration: configuration) { request in
            request.body == best
                ? HTTPResponse(status: 500, reason: "Internal Server Error", body: Array("boom".utf8))
                : receiver.respond(to: request).response
        }
        let second = try ConformanceRun(corpus: corpus, target: breaking, options: options).run()
        #expect(second.outcomes.contains { $0.actualStatus == 500 })
        #expect(second.diagnosis?.confirmedMember != nil, "the probe went to the delivery the receiver broke on")
    }

    @Test("the family probe's deliveries are counted too: a re-serialising receiver, confirmed on the wire")
    func familyProbesAreCounted() throws {
        let corpus = try #require(Fixtures.corpus)
        let (configuration, receiver) = Self.reserialising()
        let sent = Atomic<Int>(0)
        let target = HandlerTarget(configuration: configuration) { request in
            sent.add(1, ordering: .relaxed)
            return receiver.respond(to: request).response
        }
        let options = RunOptions(selection: Selection(only: ["bodies/*"]), configuration: configuration)
        var beforeProbing: Int?
        let result = try ConformanceRun(corpus: corpus, target: target, options: options).run { stage in
            if case .probing = stage { beforeProbing = sent.load(ordering: .relaxed) }
        }
        let probed = sent.load(ordering: .relaxed) - (try #require(beforeProbing))
        #expect(result.diagnosis?.confirmedMember != nil, "the family probe did not run")
        #expect(probed > 0 && result.diagnosis?.probes == probed)
    }

    @Test("without diagnosis or probes the run only judges; the verdict is the same")
    func judgingOnly() throws {
        let corpus = try #require(Fixtures.corpus)
        let options = Self.few
        let full = try ConformanceRun(corpus: corpus, target: Self.unverifiedHandler, options: options).run()
        let bare = try ConformanceRun(
            corpus: corpus, target: Self.unverifiedHandler, options: options, diagnoses: false, probes: false
        ).run()
        #expect(bare.diagnosis == nil)
        #expect(full.diagnosis?.causes.first?.mutant == .acceptAll)
        #expect(RunVerdict(full) == RunVerdict(bare))
        #expect(full.summary.failing == bare.summary.failing)
    }

    @Test("a receiver that stops answering ends the run early, undiagnosed, with the reason in one line")
    func stopsWhenUnanswered() throws {
        let corpus = try #require(Fixtures.corpus)
        let run = ConformanceRun(
            corpus: corpus, target: BrokenTarget(),
            options: RunOptions(configuration: Self.configuration, jobs: 1, stopAfterUnanswered: 3))
        let result = try run.run()
        let notSent = result.outcomes.filter { $0.reason == Runner.stoppedReason }.count
        #expect(result.stoppedAfterUnanswered == 3)
        #expect(notSent == corpus.receiverVectors.count - 3)
        #expect(result.diagnosis == nil)
        let message = try #require(run.stopMessage(result))
        #expect(
            message.contains("3 deliveries went unanswered") && message.contains("\(notSent) vectors were not sent"))
    }

    @Test("an answer between unanswered deliveries starts the count again: never N in a row, the run goes on")
    func unansweredCountRestarts() throws {
        let corpus = try #require(Fixtures.corpus)
        for limit in [1, 2] {
            // Every other vector unanswered: two in a row never.
            let alternating = FuzzOracleTests.IntermittentTarget(
                inner: ReferenceTarget(configuration: Self.configuration)
            ) { $0 % 2 == 0 }
            let result = Runner.run(
                corpus: corpus, target: alternating,
                options: RunOptions(configuration: Self.configuration, jobs: 1, stopAfterUnanswered: limit))
            let stopped = result.outcomes.contains { $0.reason == Runner.stoppedReason }
            #expect(stopped == (limit == 1), "limit \(limit)")
        }
    }

    @Test("padding a receiver does not take hides its other bugs: the corpus sent again unpadded names them after it")
    func bugsBehindUnpaddedBase64() throws {
        let corpus = try #require(Fixtures.corpus)
        let profile = SignatureProfile(scheme: .urlParameters, encoding: .base64)
        let configuration = ReferenceTarget.defaultConfiguration(profile: profile)
        let key = HMACSHA1(key: configuration.projectID)
        // Base64 compared without its '=' (Perl's hmac_sha1_base64), over a URL rebuilt from Host: two bugs, the
        // second seen only on deliveries with a forged Host, which the padding refuses first.
        let sent = Atomic<Int>(0)
        let receiver = HandlerTarget(configuration: configuration) { request in
            sent.add(1, ordering: .relaxed)
            guard request.method == "POST" else { return HTTPResponse(status: 405, reason: "Method Not Allowed") }
            let url = "https://" + (request.headers.first("Host") ?? "") + request.target
            guard
                let input = try? SigningInput.make(
                    scheme: .urlParameters, url: url.utf8, body: request.body, contentType: request.headers.contentType)
            else { return HTTPResponse(status: 400, reason: "Bad Request") }
            let expected = String(
                SignatureEncoding.base64.encode(key.authenticationCode(for: input)).prefix { $0 != "=" })
            let presented = request.headers.signatureValues
            return presented == [expected]
                ? HTTPResponse(status: 200, reason: "OK") : HTTPResponse(status: 401, reason: "Unauthorized")
        }
        // Two categories: plain deliveries for the probes, forged inputs for the second bug (a quicker diagnosis).
        let options = RunOptions(selection: Selection(only: ["bodies/*", "inputs/*"]), configuration: configuration)
        var beforeProbing: Int?
        let result = try ConformanceRun(corpus: corpus, target: receiver, options: options).run { stage in
            if case .probing = stage { beforeProbing = sent.load(ordering: .relaxed) }
        }
        let diagnosis = try #require(result.diagnosis)
        #expect(diagnosis.settings.map(\.works) == [SettingProbe.unpaddedCause.works], "\(diagnosis.lines)")
        // The settings probe and the corpus sent again unpadded, every delivery counted once.
        #expect(diagnosis.probes == sent.load(ordering: .relaxed) - (try #require(beforeProbing)))
        let first = try #require(diagnosis.causes.first, "\(diagnosis.lines)")
        #expect(first.behind != nil, "\(diagnosis.lines)")
        #expect(([first.mutant] + first.indistinguishable).contains(.rebuildsHTTPSURL), "\(diagnosis.lines)")
        #expect(diagnosis.probes > result.outcomes.filter { $0.kind == .receiver }.count / 2)
        // The setting first, the bug behind it after, in the console's lines and the JSON alike.
        let lines = diagnosis.lines.joined(separator: "\n")
        let setting = try #require(lines.range(of: Diagnosis.settingsHeading))
        let behind = try #require(lines.range(of: "behind the setting above"))
        #expect(setting.lowerBound < behind.lowerBound)
        let json = JSONReport.render(result)
        let settingAt = try #require(
            json.range(of: "\"kind\" : \"setting\"") ?? json.range(of: "\"kind\": \"setting\""))
        let bugAt = try #require(json.range(of: "\"kind\" : \"bug\"") ?? json.range(of: "\"kind\": \"bug\""))
        #expect(settingAt.lowerBound < bugAt.lowerBound)
    }
}
