import Foundation
import PPGSignature

/// `bench hmac`: HMAC-SHA1 throughput of the reference, for comparison with `openssl speed`.
enum BenchCommand: CLICommand {
    static let name = "bench"
    static let summary = "Measure the reference's HMAC-SHA1 throughput (build with -c release)."
    static let positionals = "hmac"
    static let maximumPositionals = 1
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let bytes = OptionSpec.integer(
            "bytes", "N", "Message length in bytes.", range: 0...(64 << 20), default: 256)
        static let seconds = OptionSpec.number("seconds", "S", "How long to measure.", range: 0.01...600, default: 2)
    }

    static let options: [OptionSpec] = [
        Options.bytes, Options.seconds,
    ]
    static let details =
        "The last line is 'hmac-sha1 N B: X signatures/s'. Compare with "
        + "'openssl speed -seconds 2 -bytes 256 -hmac sha1' (see BENCHMARKS.md)."

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        guard arguments.positionals.first == "hmac" else {
            throw CLIError.usage("bench: name what to measure: 'ppg-conformance bench hmac'")
        }
        let count = try arguments.integer(Options.bytes)
        let seconds = try arguments.number(Options.seconds)
        let mac = HMACSHA1(key: "benchmark-project-id")
        let message = [UInt8]((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        var sink: UInt32 = 0
        var iterations = 0
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        // Check the clock every batch so that reading it does not dominate short messages.
        let batch = max(1, 65_536 / max(count, 64))
        message.withUnsafeBytes { raw in
            while clock.now < deadline {
                for _ in 0..<batch {
                    let digest = mac.authenticationCode(for: raw)
                    digest.withUnsafeBytes { sink &+= UInt32($0[0]) }
                }
                iterations += batch
            }
        }
        let elapsed = clock.now - start
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(iterations) / elapsedSeconds
        Console.out("iterations: \(iterations) in \(String(format: "%.3f", elapsedSeconds)) s (checksum \(sink % 10))")
        Console.out("throughput: \(String(format: "%.1f", rate * Double(count) / 1_000_000)) MB/s")
        Console.out("hmac-sha1 \(count) B: \(Int(rate.rounded())) signatures/s")
        return ExitCode.success
    }
}
