import Testing

@testable import PPGSignature

private func hex(_ digest: SHA1.Digest) -> String { SignatureEncoding.hex.encode(digest) }

@Suite("SHA-1 (FIPS 180-4)")
struct SHA1Tests {
    @Test("FIPS 180 one-block and two-block examples")
    func fipsExamples() {
        #expect(hex(SHA1.hash("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(
            hex(SHA1.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA1.hash([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    @Test("one million 'a'")
    func millionA() {
        var hasher = SHA1()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(hex(hasher.finalize()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test(
        "every padding boundary",
        arguments: [
            (55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"), (56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"),
            (63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"), (64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"),
            (65, "11655326c708d70319be2610e8a57d9a5b959d3b"), (119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"),
            (120, "f34c1488385346a55709ba056ddd08280dd4c6d6"),
        ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(hex(SHA1.hash([UInt8](repeating: UInt8(ascii: "a"), count: length))) == expected)
    }

    @Test("hashing in pieces of any size gives the one-shot digest")
    func incrementalUpdates() {
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let whole = SHA1.hash(message)
        for split in [1, 3, 55, 63, 64, 65, 127, 200] {
            var hasher = SHA1()
            var index = 0
            while index < message.count {
                let end = min(index + split, message.count)
                hasher.update(message[index..<end])
                index = end
            }
            #expect(hasher.finalize() == whole, "split \(split)")
        }
    }

    @Test("a digest's bytes are its 20 big-endian bytes")
    func digestBytes() {
        let digest = SHA1.hash("abc".utf8)
        #expect(digest.bytes.count == 20)
        #expect(digest.bytes.prefix(2) == [0xA9, 0x99])
        #expect(digest.withUnsafeBytes { Array($0) } == digest.bytes)
    }

    @Test("digests are equal exactly when all five words are: one bit flipped in any word makes them differ")
    func digestEquality() {
        let digest = SHA1.hash("abc".utf8)
        #expect(digest == SHA1.hash("abc".utf8))
        #expect(digest.hashValue == SHA1.hash("abc".utf8).hashValue)
        let words = digest.words
        for word in 0..<5 {
            for bit: UInt32 in [0, 7, 31] {
                var flipped = [words.0, words.1, words.2, words.3, words.4]
                flipped[word] ^= 1 << bit
                let other = SHA1.Digest(words: (flipped[0], flipped[1], flipped[2], flipped[3], flipped[4]))
                #expect(other != digest, "word \(word), bit \(bit)")
                #expect(other.bytes != digest.bytes)
            }
        }
    }
}

@Suite("HMAC-SHA1 (RFC 2202)")
struct HMACTests {
    static let cases: [(key: [UInt8], data: [UInt8], expected: String)] = [
        ([UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8), "b617318655057264e28bc0b6fb378c8ef146be00"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        (
            [UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50),
            "125d7342b9ac11cd91a39af48aa17b4f63f175d3"
        ),
        (Array(1...25), [UInt8](repeating: 0xCD, count: 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
        (
            [UInt8](repeating: 0x0C, count: 20), Array("Test With Truncation".utf8),
            "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"
        ),
        (
            [UInt8](repeating: 0xAA, count: 80), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        ),
        (
            [UInt8](repeating: 0xAA, count: 80),
            Array("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".utf8),
            "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"
        ),
    ]

    @Test("RFC 2202 test cases 1–7", arguments: 0..<7)
    func rfc2202(index: Int) {
        let testCase = Self.cases[index]
        #expect(hex(HMACSHA1(key: testCase.key).authenticationCode(for: testCase.data)) == testCase.expected)
    }

    @Test("one prepared key signs many messages, each as if prepared afresh")
    func keyStateIsReusable() {
        let key = HMACSHA1(key: "5f2a8b3c9d1e4f6a7b8c9d0e")
        let messages = [Array("first".utf8), [], [UInt8](repeating: 1, count: 200), Array("first".utf8)]
        let codes = messages.map { key.authenticationCode(for: $0) }
        #expect(codes[0] == codes[3])
        #expect(codes[0] != codes[1])
        for (message, code) in zip(messages, codes) {
            #expect(HMACSHA1(key: "5f2a8b3c9d1e4f6a7b8c9d0e").authenticationCode(for: message) == code)
        }
    }

    @Test("raw-buffer and sequence entry points agree")
    func rawBuffer() {
        let key = HMACSHA1(key: "k")
        let message = [UInt8](repeating: 0x61, count: 256)
        let viaBuffer = message.withUnsafeBytes { key.authenticationCode(for: $0) }
        #expect(viaBuffer == key.authenticationCode(for: message))
    }
}
