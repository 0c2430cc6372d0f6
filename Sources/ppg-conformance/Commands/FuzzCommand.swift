import Foundation
import PPGConformance
import PPGHTTP
import PPGSignature
import PPGVectors
import PPGWire
import Synchronization

/// `fuzz`: generated deliveries against a receiver, each disagreement shrunk and written as a vector.
enum FuzzCommand: CLICommand {
    static let name = "fuzz"
    static let summary = "Search for bugs no vector names: generated deliveries, shrunk disagreements, new vectors."
    static let usage =
        "ppg-conformance fuzz [--target URL --project-id ID [--against URL] [--jobs N] [--insecure | --cacert FILE] "
        + "| --exec COMMAND | --mutant NAME] [--public-url URL] [--scheme S] [--encoding E] [--timeout S] [--seed N] "
        + "[--runs N | --seconds S] [--first] [--out DIR] [--json FILE] [--vectors DIR]"
    static let options: [OptionSpec] = [
        CorpusLoading.option,
        .value("target", "URL", "The receiver to fuzz over HTTP (http:// or https://)."),
        .value("exec", "COMMAND", "A verifier program over the pipe protocol (README), judged as a verifier."),
        .value("mutant", "NAME", "With neither: fuzz this mutant receiver in-process (default: the reference)."),
        .value("against", "URL", "Judge the target against this second receiver instead of SPEC.md's reference."),
        .value("project-id", "ID", "The projectId the receiver is configured with (required with --target)."),
        .value("public-url", "URL", "The webhook URL as configured in PushPushGo (default: the target URL)."),
        .integer("jobs", "N", "Deliveries at once over HTTP.", range: 1...256, default: 4),
        .number("timeout", "S", "Seconds each exchange may take.", range: 0.05...600, default: 5),
        .flag("insecure", "Do not verify the certificate of an https target."),
        .value("cacert", "FILE", "Trust this PEM CA or certificate for an https target."),
        .value("scheme", "S", "url-params (default) or json-body."),
        .value("encoding", "E", "hex (default) or base64."),
        .value("seed", "N", "The seed (default: from the clock); printed, so any run can be repeated."),
        .integer(
            "runs", "N", "Stop after N generated deliveries (default 2000 when --seconds is not given).",
            range: 1...100_000_000, default: nil),
        .number("seconds", "S", "Stop after S seconds.", range: 0.1...86_400, default: nil),
        .flag("first", "Stop at the first disagreement (shrunk), within the budget."),
        .value("out", "DIR", "Write each disagreement as a receiver vector: a corpus 'run --vectors DIR' loads."),
        .value("json", "FILE", "Write the result as JSON."),
    ]
    static let details = """
        The oracle is SPEC.md's reference receiver: where SPEC allows either answer (acceptable, either, RFC-allowed
        statuses) a case is never a disagreement. With --against, the second receiver is the oracle.
        Exit codes: 0 no disagreement; 1 disagreements found; 2 bad input or an unreachable target.
        """

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let scheme = try arguments.optionalChoice("scheme", as: SignatureScheme.self)
        let encoding = try arguments.optionalChoice("encoding", as: SignatureEncoding.self)
        let profile = SignatureProfile(scheme: scheme ?? .urlParameters, encoding: encoding ?? .hex)
        let mutant = try arguments.optionalChoice("mutant", as: Mutant.self)
        if mutant != nil && (arguments.value("target") != nil || arguments.value("exec") != nil) {
            throw CLIError.usage("fuzz: '--mutant' runs in-process; give it without '--target' or '--exec'")
        }
        let chosen = try TargetArguments.choose(arguments, command: name, profile: profile) { configuration in
            guard let mutant else { return ReferenceTarget(configuration: configuration) }
            let reference = ReferenceReceiver(
                projectID: configuration.projectID, publicURL: configuration.publicURL, profile: profile)
            return ReferenceTarget(
                configuration: configuration, receiver: MutantReceiver(mutant: mutant, reference: reference),
                name: mutant.rawValue, takesSignatureVectors: false)
        }
        var oracle = FuzzOracle.reference
        var against: HTTPTarget?
        if let url = try arguments.url("against", schemes: ["http", "https"]) {
            guard chosen.url != nil else { throw CLIError.usage("fuzz: '--against' compares two '--target's") }
            let second = try TargetArguments.httpTarget(url, arguments)
            against = second
            oracle = .target(second)
        }
        let seed = try seedValue(arguments)
        let seconds = try arguments.optionalNumber("seconds")
        let runs = try arguments.optionalInteger("runs") ?? (seconds == nil ? 2000 : nil)
        if arguments.value("runs") != nil && seconds != nil {
            throw CLIError.usage("fuzz: give '--runs' or '--seconds', not both")
        }
        let jsonFile = try arguments.outputFile("json")
        let outDirectory = try outputDirectory(arguments.value("out"))
        let (corpus, _) = try CorpusLoading.load(arguments)
        for target in [chosen.target] + (against.map { [$0] } ?? []) {
            do {
                try target.checkReachable()
            } catch {
                throw CLIError(kind: .unreachable, message: "fuzz: \(error.message)")
            }
        }
        var options = FuzzOptions(seed: seed, configuration: chosen.configuration, manifest: corpus.manifest)
        options.runs = runs
        options.seconds = seconds
        if arguments.has("first") { options.stopAfter = 1 }
        options.jobs = chosen.url == nil ? 1 : try arguments.integer("jobs")
        let progress = FuzzProgress(enabled: Console.isTerminal(2))
        options.progress = { runs, found in progress.update(runs: runs, found: found) }
        Console.out(
            "fuzz: seed \(seed), target \(chosen.target.name), oracle "
                + (against.map { $0.name } ?? "SPEC.md's reference") + ", profile \(profile), budget "
                + (runs.map { counted($0, "run") } ?? "\(formatDecimal(seconds ?? 0, decimals: 1)) s"))
        let result = Fuzzer.run(target: chosen.target, oracle: oracle, options: options)
        progress.finish()
        chosen.target.finish()
        if let fatal = chosen.target.fatalError {
            throw CLIError(kind: .unreachable, message: "fuzz --exec: \(fatal.message)")
        }
        for (index, disagreement) in result.disagreements.enumerated() {
            Console.out("")
            Console.out(
                "\(index + 1). case \(disagreement.firstRun), shrunk in \(counted(disagreement.shrinkSteps, "step")): "
                    + "expected \(disagreement.vector.expect.rawValue), \(disagreement.reason)")
            let causes = disagreement.causes.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            Console.out("   likely cause: " + (causes.isEmpty ? "none of the known bugs answers it so" : causes))
            Console.out("   body: \(disagreement.vector.request.body?.text ?? "")")
            if let query = disagreement.vector.request.query { Console.out("   query: ?\(query)") }
            if let signature = disagreement.vector.signature {
                Console.out("   signature: \(signature.kind.rawValue)")
            }
        }
        if let outDirectory {
            let files = try writeCorpus(result, profile: profile, manifest: corpus.manifest, to: outDirectory)
            Console.out("")
            Console.out("wrote \(files) to \(outDirectory) (run --vectors \(outDirectory) repeats them)")
        }
        if let jsonFile { try arguments.write(json(result, profile: profile), to: jsonFile) }
        let rate = result.seconds > 0 ? Double(result.runs) / result.seconds : 0
        Console.out("")
        Console.out(
            "seed \(seed): \(counted(result.runs, "run")) in \(formatDecimal(result.seconds, decimals: 1)) s "
                + "(\(Int(rate)) runs/s), \(result.notJudged) where either answer conforms; "
                + "\(counted(result.disagreements.count, "distinct disagreement"))")
        return result.disagreements.isEmpty ? ExitCode.success : ExitCode.nonconformant
    }

    static func seedValue(_ arguments: ParsedArguments) throws -> UInt64 {
        guard let text = arguments.value("seed") else {
            return UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000_000
        }
        guard ParsedArguments.isDecimal(text, fraction: false), let seed = UInt64(text) else {
            throw CLIError.usage(
                "fuzz: invalid value '"
                    + "\(OutsideText.escape(text, for: .ascii(limit: 200)))' for '--seed' (expected digits)"
            )
        }
        return seed
    }

    /// The `--out` directory: created if absent, refused if it is something else.
    static func outputDirectory(_ path: String?) throws -> String? {
        guard let path else { return nil }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CLIError.usage(
                    "fuzz: '--out \(OutsideText.escape(path, for: .ascii(limit: 200)))' is not a directory")
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw CLIError.input("fuzz: cannot create '--out \(OutsideText.escape(path, for: .ascii(limit: 200)))'")
            }
        }
        return path
    }

    static func writeCorpus(
        _ result: FuzzResult, profile: SignatureProfile, manifest: Manifest, to directory: String
    ) throws -> String {
        let files: [(path: String, text: String)]
        do {
            files = try FuzzCorpus.files(result, profile: profile, manifest: manifest)
        } catch {
            throw CLIError.input("fuzz: cannot encode the vectors found")
        }
        for file in files {
            let path = directory + "/" + file.path
            do {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(file.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CLIError.input("fuzz: cannot write '\(OutsideText.escape(path, for: .ascii(limit: 200)))'")
            }
        }
        return counted(result.disagreements.count, "vector")
    }

    static func json(_ result: FuzzResult, profile: SignatureProfile) -> String {
        JSONOutput.object([
            ("seed", .string(String(result.seed))), ("profile", .string(profile.description)),
            ("runs", .integer(result.runs)), ("notJudged", .integer(result.notJudged)),
            ("seconds", .number(formatDecimal(result.seconds, decimals: 3))),
            (
                "disagreements",
                .array(
                    result.disagreements.map { disagreement in
                        .object([
                            ("firstRun", .integer(disagreement.firstRun)),
                            ("expected", .string(disagreement.vector.expect.rawValue)),
                            ("reason", .string(disagreement.reason)),
                            ("likelyCauses", .array(disagreement.causes.map { .string($0.rawValue) })),
                            ("shrinkSteps", .integer(disagreement.shrinkSteps)),
                            ("body", .string(disagreement.vector.request.body?.text ?? "")),
                        ])
                    })
            ),
        ]).rendered(pretty: true) + "\n"
    }
}

/// Runs, runs/s and disagreements so far, on stderr when it is a terminal.
final class FuzzProgress: Sendable {
    private let enabled: Bool
    private let started = Date()

    init(enabled: Bool) { self.enabled = enabled }

    func update(runs: Int, found: Int) {
        guard enabled else { return }
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        Console.status(
            "  \(runs) runs, \(Int(Double(runs) / elapsed)) runs/s, \(counted(found, "disagreement")) so far")
    }

    func finish() {
        if enabled { Console.status("") }
    }
}
