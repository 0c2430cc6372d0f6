import PPGSignature
import PPGVectors
import Testing

@testable import PPGConformance

@Suite("Delivery texts")
struct DeliveryTextTests {
    @Test("a session's signing texts name each delivery after the first by its place, the first by none")
    func stepsAreNumberedFromTheSecond() throws {
        let corpus = try #require(Fixtures.corpus)
        let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
        let sessions = corpus.receiverVectors.map(\.vector).filter { !($0.followUps ?? []).isEmpty }
        try #require(!sessions.isEmpty)
        for vector in sessions {
            let deliveries = try vector.deliveries(for: configuration)
            try #require(deliveries.count == 1 + (vector.followUps?.count ?? 0), "\(vector.id)")
            for (index, delivery) in deliveries.enumerated() {
                let text = DeliveryText.signedText(delivery, profile: .default)
                #expect(text.hasPrefix("SPEC.md's signing input") == (index == 0), "\(vector.id): \(text.prefix(60))")
                #expect(text.hasPrefix("delivery \(index + 1): ") == (index > 0), "\(vector.id): \(text.prefix(60))")
            }
        }
    }
}
