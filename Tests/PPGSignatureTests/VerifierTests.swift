import PPGWire
import Testing

@testable import PPGSignature

@Suite("Verifier verdicts")
struct VerifierTests {
    let projectID = "5f2a8b3c9d1e4f6a7b8c9d0e"
    let url = "https://example.com/hook"
    let body = Array(#"{"projectId":"5f2a8b3c9d1e4f6a7b8c9d0e","ppgId":"g"}"#.utf8)

    func verdict(
        _ headers: HTTPFields, profile: SignatureProfile = .default, body: [UInt8]? = nil
    )
        -> VerificationFailure.Kind?
    {
        let verifier = SignatureVerifier(projectID: projectID, profile: profile)
        switch verifier.verify(
            url: url, headers: headers + [(name: "Content-Type", value: "application/json")],
            body: body ?? self.body)
        {
        case .success: return nil
        case .failure(let failure): return failure.kind
        }
    }

    func valid(_ profile: SignatureProfile = .default) throws -> String {
        try Signer(projectID: projectID, profile: profile).signature(
            url: url, body: body, contentType: "application/json")
    }

    @Test(
        "a correct signature is accepted under every profile; header names are case-insensitive",
        arguments: SignatureProfile.all)
    func accepts(profile: SignatureProfile) throws {
        #expect(verdict([(name: "x-ppg-signature", value: try valid(profile))], profile: profile) == nil)
    }

    @Test("typed reasons: missing, several, empty, malformed, wrong length, mismatch")
    func reasons() throws {
        let good = try valid()
        #expect(verdict([]) == .missingSignature)
        #expect(
            verdict([(name: "X-PPG-Signature", value: good), (name: "X-PPG-Signature", value: good)])
                == .multipleSignatures)
        #expect(verdict([(name: "X-PPG-Signature", value: "  ")]) == .emptySignature)
        #expect(verdict([(name: "X-PPG-Signature", value: "sha1=" + good)]) == .malformedSignature)
        #expect(verdict([(name: "X-PPG-Signature", value: String(good.dropLast()))]) == .wrongLength)
        #expect(verdict([(name: "X-PPG-Signature", value: good + "0")]) == .wrongLength)
        #expect(verdict([(name: "X-PPG-Signature", value: String(repeating: "0", count: 40))]) == .mismatch)
        #expect(verdict([(name: "X-PPG-Signature", value: good)], body: Array("{".utf8)) == .unreadableBody)
    }

    @Test("uppercase hex and surrounding white space are accepted (SPEC.md R8.4, R8.5)")
    func leniencies() throws {
        let good = try valid()
        #expect(verdict([(name: "X-PPG-Signature", value: good.uppercased())]) == nil)
        #expect(verdict([(name: "X-PPG-Signature", value: " \t" + good + " ")]) == nil)
    }

    @Test("base64 is exact: case matters, padding is required, stray bits are rejected")
    func base64Exactness() throws {
        let profile = SignatureProfile(scheme: .urlParameters, encoding: .base64)
        let good = try valid(profile)
        #expect(verdict([(name: "X-PPG-Signature", value: good)], profile: profile) == nil)
        #expect(verdict([(name: "X-PPG-Signature", value: String(good.dropLast()))], profile: profile) == .wrongLength)
        let swapped = good.uppercased() == good ? good.lowercased() : good.uppercased()
        #expect(verdict([(name: "X-PPG-Signature", value: swapped)], profile: profile) != nil)
        #expect(verdict([(name: "X-PPG-Signature", value: try valid())], profile: profile) == .wrongLength)
    }

    @Test("the key is the configured projectId, never the body's")
    func keyNotFromBody() throws {
        let attackerBody = Array(#"{"projectId":"attacker","ppgId":"g"}"#.utf8)
        let forged = try Signer(projectID: "attacker").signature(
            url: url, body: attackerBody, contentType: "application/json")
        #expect(verdict([(name: "X-PPG-Signature", value: forged)], body: attackerBody) == .mismatch)
    }

    @Test("constant-time comparison is an equality")
    func constantTime() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2], [1, 2, 3]))
    }
}
