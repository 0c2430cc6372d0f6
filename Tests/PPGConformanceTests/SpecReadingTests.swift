import PPGConformance
import PPGSignature
import PPGVectors
import PPGWire
import TestSupport
import Testing

@Suite("SPEC's reading in the catalogue")
struct SpecReadingTests {
    /// The catalogue's SPEC reading and the library's `SigningInput.make` sign the same bytes for a delivery, or
    /// refuse it alike.
    func agree(scheme: SignatureScheme, url: String, body: [UInt8], contentType: String?) -> Bool {
        let library = Result { () throws(SigningInputError) in
            try SigningInput.make(scheme: scheme, url: url.utf8, body: body, contentType: contentType)
        }
        let catalogue = Result { () throws(SigningInputError) in
            try SigningRule.spec(SignatureProfile(scheme: scheme)).signingInput(
                of: SignedMessage(configuredURL: url, body: body, contentType: contentType))
        }
        return library == catalogue
    }

    func agree(_ delivery: Delivery, _ scheme: SignatureScheme) -> Bool {
        agree(
            scheme: scheme, url: delivery.signedURL, body: delivery.request.body,
            contentType: delivery.request.headers.contentType)
    }

    @Test("signs the bytes SigningInput.make signs for every delivery of the corpus, under every profile")
    func corpus() throws {
        let corpus = try VectorLoader.load(directory: TestSupport.corpusDirectory)
        var compared = 0
        for profile in SignatureProfile.all {
            let configuration = ReferenceTarget.defaultConfiguration(profile: profile)
            for located in corpus.receiverVectors {
                for delivery in try located.vector.deliveries(for: configuration) {
                    compared += 1
                    #expect(agree(delivery, profile.scheme), "\(located.vector.id) under \(profile)")
                }
            }
        }
        for located in corpus.signatureVectors {
            let vector = located.vector
            compared += 1
            #expect(
                agree(
                    scheme: vector.scheme, url: vector.url, body: vector.bodyBytes,
                    contentType: vector.headers.contentType),
                "\(vector.id)")
        }
        #expect(compared > corpus.receiverVectors.count)
    }

    @Test("and for 3,000 fuzz cases, members of every kind")
    func fuzzCases() throws {
        for profile in SignatureProfile.all where profile.encoding == .hex {
            let configuration = ReferenceTarget.defaultConfiguration(profile: profile)
            for index in 0..<1500 {
                let fuzzCase = FuzzGenerator.fuzzCase(seed: 3, index: index)
                let vector = fuzzCase.vector(id: "fuzz/\(index)", comment: "", flags: [], expect: .either)
                for delivery in try vector.deliveries(for: configuration) {
                    #expect(agree(delivery, profile.scheme), "case \(index) under \(profile)")
                }
            }
        }
    }
}
