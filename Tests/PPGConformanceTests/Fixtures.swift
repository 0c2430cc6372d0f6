import PPGConformance
import PPGSignature
import PPGVectors
import PPGWire
import TestSupport
import Testing

/// A receiver that answers every delivery with one status and body, and accepts every signature: the
/// crudest mutant.
struct FixedTarget: ConformanceTarget {
    var status: Int
    var body = "ok"
    var name: String { "fixed-\(status)" }
    var takesSignatureVectors: Bool { true }

    func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer {
        status < 300 ? .accept : .reject("no")
    }
    func digest(_ message: [UInt8]) -> String? { nil }
    func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer] {
        deliveries.map { _ in .response(HTTPResponse(status: status, reason: "", body: Array(body.utf8))) }
    }
    func reproduction(of deliveries: [Delivery]) -> String { "curl --data-binary ']]>\u{1B}' http://x" }
}

/// A target that skips every receiver vector with a given reason, as a library without some feature would.
struct SkippingTarget: ConformanceTarget {
    var reason: String
    var name: String { "skipping" }
    var takesSignatureVectors: Bool { false }
    func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer { .skip(reason) }
    func digest(_ message: [UInt8]) -> String? { nil }
    func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer] {
        deliveries.map { _ in .declined(reason) }
    }
    func reproduction(of deliveries: [Delivery]) -> String { "" }
}

/// A target whose every answer fails to arrive.
struct BrokenTarget: ConformanceTarget {
    var name: String { "broken" }
    var takesSignatureVectors: Bool { false }
    func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer {
        throw TargetError(kind: .timeout, message: "no answer in 1 s")
    }
    func digest(_ message: [UInt8]) -> String? { nil }
    func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer] {
        throw TargetError(kind: .connectionReset, message: "reset by peer")
    }
    func reproduction(of deliveries: [Delivery]) -> String { "" }
}

enum Fixtures {
    static let corpus: Corpus? = try? VectorLoader.load(directory: TestSupport.corpusDirectory)

    /// The diagnosis catalogue of the shipped corpus under the default profile, as a reference target judges it:
    /// every mutant run once, shared by the tests that diagnose such runs (a catalogue is the costly part).
    static let defaultCatalogue: Diagnosis.Catalogue? = corpus.map { corpus in
        let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
        return Diagnosis.catalogue(
            corpus: corpus, options: RunOptions(configuration: configuration), takesSignatureVectors: false,
            judgesAsVerifier: false)
    }

    static func options(
        profile: SignatureProfile = .default, selection: Selection = Selection(), strict: Bool = false,
        expected: ExpectedFailures? = nil
    ) -> RunOptions {
        RunOptions(
            selection: selection, strict: strict, expectedFailures: expected,
            configuration: ReferenceTarget.defaultConfiguration(profile: profile))
    }

    /// The shipped corpus's vectors matching `only`, run against a target under the default options.
    static func run(_ target: any ConformanceTarget, only: [String], strict: Bool = false) throws -> RunResult {
        let corpus = try #require(Fixtures.corpus)
        return Runner.run(
            corpus: corpus, target: target, options: options(selection: Selection(only: only), strict: strict))
    }

    static func reference(_ profile: SignatureProfile = .default) -> ReferenceTarget {
        ReferenceTarget(configuration: ReferenceTarget.defaultConfiguration(profile: profile))
    }

    /// The in-process reference with one step replaced by a mutant's, under the default configuration.
    static func mutant(_ mutant: Mutant, profile: SignatureProfile = .default) -> ReferenceTarget {
        let configuration = ReferenceTarget.defaultConfiguration(profile: profile)
        let reference = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: profile)
        return ReferenceTarget(
            configuration: configuration, receiver: MutantReceiver(mutant: mutant, reference: reference))
    }
}
