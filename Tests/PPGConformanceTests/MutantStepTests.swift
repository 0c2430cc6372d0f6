import PPGSignature
import PPGVectors
import PPGWire
import Testing

@testable import PPGConformance

/// Mutants as the code they stand for: each replaced step answers as the real code would.
@Suite("Mutant steps")
struct MutantStepTests {
    /// The status `mutant` answers to the one delivery of corpus vector `id` under `profile`.
    static func status(_ mutant: Mutant, _ id: String, _ profile: SignatureProfile) throws -> Int {
        let corpus = try #require(Fixtures.corpus)
        let configuration = ReferenceTarget.defaultConfiguration(profile: profile)
        let reference = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: profile)
        let vector = try #require(corpus.receiverVectors.first { $0.vector.id == id }?.vector, "\(id)")
        try #require(vector.skipReason(for: profile) == nil, "\(id) does not apply under \(profile)")
        let delivery = try #require(try vector.deliveries(for: configuration).first)
        return MutantReceiver(mutant: mutant, reference: reference).respond(to: delivery.request).response.status
    }

    // `expected.startsWith(presented.toLowerCase())` for hex, as such code is written: base64 is case-sensitive and
    // left alone, so a valid base64 signature with capitals is still taken.
    @Test("prefix-compare takes hex in any case and base64 only as written, as the code it stands for does")
    func prefixCompareCase() throws {
        let hex = SignatureProfile.default
        let base64 = SignatureProfile(scheme: .urlParameters, encoding: .base64)
        #expect(try Self.status(.prefixCompare, "headers/uppercase-hex", hex) == 200)
        #expect(try Self.status(.prefixCompare, "headers/uppercase-base64", base64) == 401)
        for profile in [hex, base64] {
            #expect(try Self.status(.prefixCompare, "events/legacy-ibody", profile) == 200, "\(profile)")
            // The bug: a signature cut short is a prefix of the expected one.
            #expect(try Self.status(.prefixCompare, "headers/truncated", profile) == 200, "\(profile)")
        }
    }
}
