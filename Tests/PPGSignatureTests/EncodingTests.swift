import PPGWire
import Testing

@testable import PPGSignature

@Suite("Encodings")
struct EncodingTests {
    @Test("hex is lowercase and 40 characters for a digest")
    func hexForm() {
        let text = SignatureEncoding.hex.encode(SHA1.hash("abc".utf8))
        #expect(text.count == 40)
        #expect(text == text.lowercased())
        #expect(Hex.decode(text) == SHA1.hash("abc".utf8).bytes)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test(
        "base64 is padded standard alphabet, 28 characters for a digest",
        arguments: [
            ([UInt8](), ""), (Array("f".utf8), "Zg=="), (Array("fo".utf8), "Zm8="), (Array("foo".utf8), "Zm9v"),
            (Array("foobar".utf8), "Zm9vYmFy"), ([0xFB, 0xFF], "+/8="),
        ])
    func base64Vectors(bytes: [UInt8], expected: String) {
        #expect(Base64.encode(bytes) == expected)
        #expect(Base64.decode(expected) == bytes)
    }

    @Test("base64 decoding is strict: no missing padding, no URL alphabet, no stray bits")
    func base64Strict() {
        #expect(Base64.decode("Zg") == nil)
        #expect(Base64.decode("-_8=") == nil)
        #expect(Base64.decode("Zh==") == nil)
        #expect(Base64.decode("Zm9=") == nil)
        #expect(Base64.decode("Z===") == nil)
        #expect(SignatureEncoding.base64.encode(SHA1.hash("abc".utf8)).count == 28)
    }
}
