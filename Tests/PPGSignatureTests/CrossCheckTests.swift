import Foundation
import PPGSignature
import TestSupport
import Testing

/// A deterministic generator so that failures reproduce.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

@Suite("Cross-check against independent implementations")
struct CrossCheckTests {
    /// 300 keys and messages of lengths around every block and padding boundary.
    static func inputs() -> [(key: [UInt8], message: [UInt8])] {
        var random = SplitMix64(state: 2026)
        return (0..<300).map { index in
            let keyLength = [0, 1, 20, 63, 64, 65, 130][index % 7]
            let messageLength = index < 200 ? index : Int(random.next() % 5000)
            return (random.bytes(keyLength), random.bytes(messageLength))
        }
    }

    @Test(
        "HMAC-SHA1 and SHA-1 agree with Python's hmac and hashlib on 300 inputs",
        .enabled(if: TestSupport.hasPython, "python3 is not installed: the cross-check cannot run"))
    func againstPython() throws {
        let inputs = Self.inputs()
        let script = """
            import sys, hmac, hashlib
            for line in sys.stdin:
                k, m = line.split()
                k = bytes.fromhex(k if k != '-' else ''); m = bytes.fromhex(m if m != '-' else '')
                print(hmac.new(k, m, hashlib.sha1).hexdigest(), hashlib.sha1(m).hexdigest())
            """
        let lines = inputs.map { input in
            let key = SignatureEncoding.hex.encode(input.key)
            let message = SignatureEncoding.hex.encode(input.message)
            return (key.isEmpty ? "-" : key) + " " + (message.isEmpty ? "-" : message)
        }
        let python = try #require(TestSupport.which("python3"))
        let result = try TestSupport.run(
            python, ["-c", script], input: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let answers = result.stdoutLines
        try #require(answers.count == inputs.count)
        for (input, answer) in zip(inputs, answers) {
            let mac = SignatureEncoding.hex.encode(HMACSHA1(key: input.key).authenticationCode(for: input.message))
            let digest = SignatureEncoding.hex.encode(SHA1.hash(input.message))
            #expect(answer == mac + " " + digest, "key \(input.key.count) B, message \(input.message.count) B")
        }
    }

    @Test(
        "HMAC-SHA1 agrees with the openssl command line on 18 inputs",
        .enabled(if: TestSupport.hasOpenSSL, "openssl is not installed: the cross-check cannot run"))
    func againstOpenSSL() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let openssl = try #require(TestSupport.which("openssl"))
        // openssl refuses an empty hexkey, so empty keys are left to the Python check.
        for (index, input) in Self.inputs().enumerated() where index % 15 == 1 && !input.key.isEmpty {
            let path = directory + "/m\(index)"
            try Data(input.message).write(to: URL(fileURLWithPath: path))
            let keyHex = SignatureEncoding.hex.encode(input.key)
            let result = try TestSupport.run(
                openssl, ["dgst", "-sha1", "-mac", "HMAC", "-macopt", "hexkey:\(keyHex)", path])
            let expected = SignatureEncoding.hex.encode(HMACSHA1(key: input.key).authenticationCode(for: input.message))
            #expect(
                result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(expected), "\(result.stdout)")
        }
    }
}
