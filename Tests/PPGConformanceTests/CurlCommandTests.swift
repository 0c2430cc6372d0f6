import Foundation
import Testing

@testable import PPGConformance

/// A reproduction's long-body producer, read back without running it: the Python expression it writes is decoded
/// here (byte literals, `*N` repeats, `+`), so the rule "the command writes exactly these bytes" is checked in the
/// fast tier over generated bodies; the end-to-end suite runs the real command against a recording peer.
@Suite("curl reproductions: a long body's producer")
struct CurlCommandTests {
    /// The bytes `python3 -c '…write(EXPR)'` writes, decoded from the command text; `nil` if it is not that shape.
    static func decode(_ command: String) -> [UInt8]? {
        let prefix = "python3 -c '"
        guard command.hasPrefix(prefix), command.hasSuffix("'") else { return nil }
        // Undo the shell's single quoting: each quote inside was written '\''.
        let program = String(command.dropFirst(prefix.count).dropLast()).replacingOccurrences(of: "'\\''", with: "'")
        let head = "import sys; sys.stdout.buffer.write("
        guard program.hasPrefix(head), program.hasSuffix(")") else { return nil }
        var text = Array(program.dropFirst(head.count).dropLast().utf8)[...]
        var bytes: [UInt8] = []
        while !text.isEmpty {
            guard text.starts(with: Array("b'".utf8)) else { return nil }
            text = text.dropFirst(2)
            var literal: [UInt8] = []
            while let byte = text.first, byte != UInt8(ascii: "'") {
                text = text.dropFirst()
                guard byte == UInt8(ascii: "\\") else {
                    literal.append(byte)
                    continue
                }
                guard let escaped = text.first else { return nil }
                text = text.dropFirst()
                if escaped == UInt8(ascii: "x") {
                    guard text.count >= 2, let value = UInt8(String(decoding: text.prefix(2), as: UTF8.self), radix: 16)
                    else { return nil }
                    literal.append(value)
                    text = text.dropFirst(2)
                } else {
                    literal.append(escaped)
                }
            }
            guard text.first == UInt8(ascii: "'") else { return nil }
            text = text.dropFirst()
            var times = 1
            if text.first == UInt8(ascii: "*") {
                let digits = text.dropFirst().prefix { (0x30...0x39).contains($0) }
                guard let count = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
                times = count
                text = text.dropFirst(1 + digits.count)
            }
            for _ in 0..<times { bytes += literal }
            if text.first == UInt8(ascii: "+") { text = text.dropFirst() }
        }
        return bytes
    }

    @Test("a long body's command writes exactly its bytes: runs of every length, at the start, middle and end")
    func longBodiesRoundTrip() throws {
        var random = SplitMix64(seed: 81)
        let alphabet: [UInt8] = [0x00, 0x0A, 0x27, 0x5C, 0x22, 0x41, 0x7F, 0x80, 0xFF, 0x20]
        var compressed = 0
        for index in 0..<120 {
            var body: [UInt8] = []
            while body.count <= 4096 {
                let byte = random.pick(alphabet)
                let length = random.pick([1, 2, 63, 64, 65, 300])
                body += Array(repeating: byte, count: length)
            }
            // Every fourth body ends in a long run: the last run is where a scan past the end would read.
            if index % 4 == 0 { body += Array(repeating: 0x61, count: 64 + index) }
            let command = CurlCommand.producer(body)
            let decoded = try #require(Self.decode(command), "\(index): \(command.prefix(80))")
            #expect(decoded == body, "\(index)")
            if command.contains("*") { compressed += 1 }
        }
        #expect(compressed > 0)
    }

    @Test("a run of 64 equal bytes or more is written once with its count; a shorter one is written out")
    func runsCompressedFromSixtyFour() throws {
        for length in [63, 64, 65] {
            let body =
                Array(repeating: UInt8(ascii: "z"), count: 4097) + Array(repeating: UInt8(ascii: "y"), count: length)
            let command = CurlCommand.producer(body)
            let program = command.replacingOccurrences(of: "'\\''", with: "'")
            #expect(program.contains("b'z'*4097"), "\(length)")
            #expect(program.contains("b'y'*\(length)") == (length >= 64), "\(length)")
            #expect(Self.decode(command) == body, "\(length)")
        }
    }
}
