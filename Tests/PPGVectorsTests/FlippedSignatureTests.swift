import PPGSignature
import Testing

@testable import PPGVectors

/// A flipped signature tests a comparison, not a format check: it must stay a well-formed value of its encoding.
@Suite("Flipped signatures")
struct FlippedSignatureTests {
    static let alphabets: [(SignatureEncoding, Set<Character>)] = [
        (.hex, Set("0123456789abcdef")),
        (.base64, Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")),
    ]

    @Test("flipping any position changes exactly that character, to another of the encoding's alphabet")
    func flipStaysInTheAlphabet() {
        let digest = HMACSHA1(key: Array("k".utf8)).authenticationCode(for: Array("m".utf8))
        for (encoding, alphabet) in Self.alphabets {
            let valid = Array(encoding.encode(digest))
            for index in valid.indices where valid[index] != "=" {
                let flipped = Array(DeliveryBuilder.flipped(String(valid), at: index, encoding: encoding))
                #expect(flipped.count == valid.count)
                let differing = flipped.indices.filter { flipped[$0] != valid[$0] }
                #expect(differing == [index], "\(encoding) at \(index)")
                #expect(flipped.allSatisfy(alphabet.contains), "\(encoding) at \(index): \(String(flipped))")
            }
        }
    }
}
