import Foundation
import PPGConformance
import PPGHTTP
import PPGSignature
import PPGVectors
import PPGWire

/// `fuzz`: generated deliveries against a receiver, each disagreement shrunk and written as a vector.
enum FuzzCommand: CLICommand {
    static let name = "fuzz"
    static let summary = "Search for bugs no vector names: generated deliveries, shrunk disagreements, new vectors."
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let target = OptionSpec.value("target", "URL", "The receiver to fuzz over HTTP (http:// or https://).")
        static let exec = OptionSpec.value(
            "exec", "COMMAND", "A verifier program over the pipe protocol (README), judged as a verifier.")
        static let mutant = OptionSpec.value(
            "mutant", "NAME", "With neither: fuzz this mutant receiver in-process (default: the reference).")
        static let against = OptionSpec.value(
            "against", "URL", "Judge the target against this second receiver instead of SPEC.md's reference.")
        static let projectID = OptionSpec.value(
            "project-id", "ID", "The projectId the receiver is configured with (required with --target).")
        static let publicURL = OptionSpec.value(
            "public-url", "URL", "The webhook URL as configured in PushPushGo (default: the target URL).")
        static let jobs = OptionSpec.integer("jobs", "N", "Deliveries at once over HTTP.", range: 1...256, default: 4)
        static let timeout = OptionSpec.number(
            "timeout", "S", "Seconds each exchange may take.", range: 0.05...600, default: 5)
        static let insecure = OptionSpec.flag("insecure", "Do not verify the certificate of an https target.")
        static let cacert = OptionSpec.value("cacert", "FILE", "Trust this PEM CA or certificate for an https target.")
        static let scheme = OptionSpec.value("scheme", "S", "url-params (default) or json-body.")
        static let encoding = OptionSpec.value("encoding", "E", "hex (default) or base64.")
        static let seed = OptionSpec.value(
            "seed", "N", "The seed (default: from the clock); printed, so any run can be repeated.")
        static let runs = OptionSpec.integer(
            "runs", "N", "Stop after N generated deliveries (default 2000 when --seconds is not given).",
            range: 1...100_000_000, default: nil)
        static let seconds = OptionSpec.number(
            "seconds", "S", "Stop after S seconds.", range: 0.1...86_400, default: nil)
        static let first = OptionSpec.flag("first", "Stop at the first disagreement (shrunk), within the budget.")
        static let strict = OptionSpec.flag(
            "strict", "As for run: recommended classes fail the run; bad signatures must get 401 or 403.")
        static let expectedFailures = OptionSpec.value(
            "expected-failures", "FILE",
            "As for run: a disagreement in a class whose corpus vector the file lists is counted, not reported.")
        static let out = OptionSpec.value(
            "out", "DIR",
            "Write each disagreement as a receiver vector: a corpus 'run --vectors DIR' loads. A new or empty folder, "
                + "written whole or not at all.")
        static let force = OptionSpec.flag(
            "force", "With --out: replace what the folder holds (a corpus, earlier findings).")
        static let json = OptionSpec.value("json", "FILE", "Write the result as JSON.")
    }

    /// The options `TargetArguments` reads.
    static let targetOptions = TargetArguments.Specs(
        target: Options.target, exec: Options.exec, projectID: Options.projectID, publicURL: Options.publicURL,
        jobs: Options.jobs, timeout: Options.timeout, insecure: Options.insecure, cacert: Options.cacert)

    static let options: [OptionSpec] = [
        CorpusLoading.option, Options.target, Options.exec, Options.mutant, Options.against, Options.projectID,
        Options.publicURL, Options.jobs, Options.timeout, Options.insecure, Options.cacert, Options.scheme,
        Options.encoding, Options.seed, Options.runs, Options.seconds, Options.first, Options.strict,
        Options.expectedFailures, Options.out, Options.force, Options.json,
    ]
    static let details = """
        Each delivery is judged by the answers SPEC.md allows it, as run judges a vector: a class SPEC gives an answer
        of its own (either, a recommended level: the corpus vector it reads like) is judged by it, any other by
        SPEC's rule as the reference receiver applies it; statuses an RFC allows for the request (400 for an invalid
        request-line, 411, 501, a router's 404/405/3xx) conform. Deliveries where either answer conforms are sent
        too: a 5xx, a redirect or no answer fails them. With --against, the second receiver replaces the reference.
        --seconds is a deadline for everything (sending, shrinking, re-checking): the run ends within it plus one
        --timeout. SIGINT or SIGTERM ends it early with the summary, --json and --out of what was found so far.
        Exit codes: 0 no disagreement (or warnings only: recommended classes, without --strict); 1 disagreements
        found; 2 bad input, an unreachable target, or a target that
        stopped answering (8 deliveries in a row, or twice --jobs, without an answer).
        """

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let scheme = try arguments.optionalChoice(Options.scheme, as: SignatureScheme.self)
        let encoding = try arguments.optionalChoice(Options.encoding, as: SignatureEncoding.self)
        let profile = SignatureProfile(scheme: scheme ?? .urlParameters, encoding: encoding ?? .hex)
        let mutant = try arguments.optionalChoice(Options.mutant, as: Mutant.self)
        if mutant != nil && (arguments.value(Options.target) != nil || arguments.value(Options.exec) != nil) {
            throw CLIError.usage("fuzz: '--mutant' runs in-process; give it without '--target' or '--exec'")
        }
        let chosen = try TargetArguments.choose(arguments, command: name, profile: profile, options: targetOptions) {
            configuration in
            guard let mutant else { return ReferenceTarget(configuration: configuration) }
            let reference = ReferenceReceiver(
                projectID: configuration.projectID, publicURL: configuration.publicURL, profile: profile)
            return ReferenceTarget(
                configuration: configuration, receiver: MutantReceiver(mutant: mutant, reference: reference),
                name: mutant.rawValue, takesSignatureVectors: false)
        }
        var oracle = FuzzOracle.reference
        var against: HTTPTarget?
        if let url = try arguments.url(Options.against, schemes: ["http", "https"]) {
            guard chosen.url != nil else { throw CLIError.usage("fuzz: '--against' compares two '--target's") }
            let second = try TargetArguments.httpTarget(url, arguments, options: targetOptions)
            against = second
            oracle = .target(second)
        }
        let seed = try seedValue(arguments)
        let seconds = try arguments.optionalNumber(Options.seconds)
        let runs = try arguments.optionalInteger(Options.runs) ?? (seconds == nil ? 2000 : nil)
        if arguments.value(Options.runs) != nil && seconds != nil {
            throw CLIError.usage("fuzz: give '--runs' or '--seconds', not both")
        }
        let jsonFile = try arguments.outputFile(Options.json)
        if arguments.has(Options.force) && arguments.value(Options.out) == nil {
            throw CLIError.usage("fuzz: '--force' goes with '--out DIR'")
        }
        let outDirectory = try outputDirectory(arguments.value(Options.out), force: arguments.has(Options.force))
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
        if arguments.has(Options.first) { options.stopAfter = 1 }
        options.strict = arguments.has(Options.strict)
        if let path = arguments.value(Options.expectedFailures) {
            let bytes = try FileInput.read(path, option: "--expected-failures", command: name)
            let file = ExpectedFailures(text: String(decoding: bytes, as: UTF8.self), file: path)
            for warning in file.unusedEntryWarnings(ids: corpus.receiverVectors.map(\.vector.id)) {
                Console.error("fuzz: warning: " + warning)
            }
            options.expectedFailures = file
        }
        // In-process the work is CPU-bound: one worker per core; over HTTP, --jobs exchanges at once.
        options.jobs =
            chosen.url == nil
            ? ProcessInfo.processInfo.activeProcessorCount : try arguments.integer(Options.jobs)
        // A receiver that stops answering is told in seconds, as by 'run'.
        options.stopAfterUnanswered = chosen.url == nil ? nil : max(8, 2 * options.jobs)
        TerminationSignal.install()
        options.shouldStop = { TerminationSignal.received != 0 }
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
        if result.interrupted {
            Console.out(
                "interrupted (\(TerminationSignal.received == SIGINT ? "SIGINT" : "SIGTERM")): what follows is what "
                    + "was found so far")
        }
        for (index, disagreement) in result.disagreements.enumerated() {
            printDisagreement(disagreement, number: index + 1)
        }
        let rate = result.seconds > 0 ? Double(result.runs) / result.seconds : 0
        let warnings = result.disagreements.filter(\.isWarning).count
        Console.out("")
        Console.out(
            "seed \(seed): \(counted(result.runs, "delivery", "deliveries")) sent in "
                + "\(formatDecimal(result.seconds, decimals: 1)) s (\(Int(rate))/s), \(result.either) of them where "
                + "either answer conforms; \(counted(result.disagreements.count, "distinct disagreement"))"
                + (warnings > 0 ? " (\(warnings) on recommended classes: warnings unless --strict)" : "")
                + (result.duplicates > 0 ? ", \(counted(result.duplicates, "further case")) of them" : ""))
        if !result.expected.isEmpty {
            Console.out(
                "expected failures (the file lists their class): "
                    + result.expected.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }
                    .joined(separator: ", "))
        }
        if result.notJudged > 0 {
            Console.out(
                "\(counted(result.notJudged, "case")) not sent: the oracle gave no verdict (an answer neither 2xx nor "
                    + "4xx, or a delivery it cannot build)")
        }
        let rare = result.rareFeatures()
        if !rare.isEmpty && result.runs >= 1000 {
            Console.out(
                "drawn in under 1 % of the deliveries: "
                    + rare.prefix(12).map { "\($0.feature) (\($0.count))" }.joined(separator: ", ")
                    + (rare.count > 12 ? " and \(rare.count - 12) more (--json lists all)" : ""))
        }
        // The JSON first: whatever happens to --out, the findings are written somewhere.
        if let jsonFile { try arguments.write(json(result, profile: profile), to: jsonFile) }
        if let outDirectory {
            let files = try writeCorpus(
                result, profile: profile, manifest: corpus.manifest, to: outDirectory,
                force: arguments.has(Options.force))
            Console.out("wrote \(files) to \(outDirectory) (run --vectors \(outDirectory) repeats them)")
        }
        if let unanswered = result.stoppedAfterUnanswered {
            Console.error(
                "fuzz: stopped: the receiver did not answer \(unanswered) deliveries in a row (timeouts or resets)")
            return ExitCode.couldNotRun
        }
        return result.fails(strict: options.strict) ? ExitCode.nonconformant : ExitCode.success
    }

    /// One disagreement in full: what SPEC allows, what came back, the likely cause, and the delivery as sent.
    static func printDisagreement(_ disagreement: FuzzDisagreement, number: Int) {
        // The delivery holds generated text and the answer the receiver's words: escaped, one line at a time.
        func line(_ text: String) -> String { OutsideText.escape(text, for: .line) }
        Console.out("")
        Console.out(
            "\(number). \(disagreement.isWarning ? "warning" : "failure"): case \(disagreement.firstRun), shrunk in "
                + "\(counted(disagreement.shrinkSteps, "step")): \(line(disagreement.reason))")
        Console.out(
            "   allowed: \(FuzzCorpus.allowed(disagreement))"
                + (disagreement.classVectorID.map { " (reads like corpus vector \($0))" } ?? "")
                + "; received: \(disagreement.status.map(String.init) ?? "no answer")")
        let causes = disagreement.causes.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        Console.out("   likely cause: " + (causes.isEmpty ? "none of the known bugs answers it so" : causes))
        Console.out("   sent:")
        for text in disagreement.request.split(separator: "\n", omittingEmptySubsequences: false) {
            Console.out("     " + line(String(text)))
        }
    }

    static func seedValue(_ arguments: ParsedArguments) throws -> UInt64 {
        guard let text = arguments.value(Options.seed) else {
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

    /// The `--out` directory, checked before the run: a new or empty folder, or any folder with `--force`; never a
    /// file. Nothing is created until the findings are written.
    static func outputDirectory(_ path: String?, force: Bool) throws -> String? {
        guard let path else { return nil }
        let shown = OutsideText.escape(path, for: .ascii(limit: 200))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return path }
        guard isDirectory.boolValue else { throw CLIError.usage("fuzz: '--out \(shown)' is not a directory") }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if !entries.isEmpty && !force {
            throw CLIError.usage(
                "fuzz: '--out \(shown)' holds \(counted(entries.count, "entry", "entries")) already (a corpus, or "
                    + "earlier findings): give a new or empty folder, or --force to replace what it holds")
        }
        return path
    }

    /// Writes the findings as a corpus, all files or none: into a folder beside `directory` first, which then takes
    /// its place in one rename (an empty `directory` is replaced; with `force`, a full one is moved aside first and
    /// removed once the new one is in place).
    static func writeCorpus(
        _ result: FuzzResult, profile: SignatureProfile, manifest: Manifest, to directory: String, force: Bool
    ) throws -> String {
        let files: [(path: String, text: String)]
        do {
            files = try FuzzCorpus.files(result, profile: profile, manifest: manifest)
        } catch {
            throw CLIError.input("fuzz: cannot encode the vectors found")
        }
        let manager = FileManager.default
        var trimmed = directory
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        let url = URL(fileURLWithPath: trimmed)
        let parent = url.deletingLastPathComponent().path
        let unique = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let staging = parent + "/." + url.lastPathComponent + ".fuzz-" + unique
        let aside = parent + "/." + url.lastPathComponent + ".replaced-" + unique
        let shown = OutsideText.escape(directory, for: .ascii(limit: 200))
        do {
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: false)
            for file in files {
                let path = staging + "/" + file.path
                try manager.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard manager.createFile(atPath: path, contents: Data(file.text.utf8)) else {
                    throw CLIError.input("fuzz: cannot write \(OutsideText.escape(path, for: .ascii(limit: 200)))")
                }
            }
            let entries = (try? manager.contentsOfDirectory(atPath: trimmed)) ?? []
            if !entries.isEmpty {
                guard force else {
                    throw CLIError.input("fuzz: '--out \(shown)' filled up during the run; nothing was written there")
                }
                guard rename(trimmed, aside) == 0 else {
                    throw CLIError.input("fuzz: cannot move '\(shown)' aside: \(String(cString: strerror(errno)))")
                }
            }
            // rename(2) replaces an empty directory, or takes a free name, in one step.
            guard rename(staging, trimmed) == 0 else {
                let reason = String(cString: strerror(errno))
                if !entries.isEmpty { _ = rename(aside, trimmed) }
                throw CLIError.input("fuzz: cannot write '--out \(shown)': \(reason)")
            }
            if !entries.isEmpty { try? manager.removeItem(atPath: aside) }
        } catch {
            try? manager.removeItem(atPath: staging)
            if let error = error as? CLIError { throw error }
            throw CLIError.input("fuzz: cannot write '--out \(shown)': \(error.localizedDescription)")
        }
        return counted(result.disagreements.count, "vector")
    }

    static func json(_ result: FuzzResult, profile: SignatureProfile) -> String {
        JSONOutput.object([
            ("seed", .string(String(result.seed))), ("profile", .string(profile.description)),
            ("runs", .integer(result.runs)), ("either", .integer(result.either)),
            ("notJudged", .integer(result.notJudged)), ("duplicates", .integer(result.duplicates)),
            (
                "expectedFailures",
                .object(result.expected.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })
            ),
            ("seconds", .number(formatDecimal(result.seconds, decimals: 3))),
            (
                "disagreements",
                .array(
                    result.disagreements.map { disagreement in
                        .object([
                            ("firstRun", .integer(disagreement.firstRun)),
                            ("expected", .string(disagreement.vector.expect.rawValue)),
                            ("level", .string(disagreement.vector.level.rawValue)),
                            ("allowed", .array(disagreement.allowed.map { .string($0) })),
                            ("status", disagreement.status.map { .integer($0) } ?? .null),
                            ("class", disagreement.classVectorID.map { .string($0) } ?? .null),
                            ("reason", .string(disagreement.reason)),
                            ("likelyCauses", .array(disagreement.causes.map { .string($0.rawValue) })),
                            ("shrinkSteps", .integer(disagreement.shrinkSteps)),
                            ("request", .string(disagreement.request)),
                            ("body", .string(disagreement.vector.request.body?.text ?? "")),
                        ])
                    })
            ),
            (
                "features",
                .object(
                    FuzzCase.knownFeatures.map { ($0, .integer(result.features[$0] ?? 0)) }
                        + result.features.keys.filter { !FuzzCase.knownFeatures.contains($0) }.sorted().map {
                            ($0, .integer(result.features[$0] ?? 0))
                        })
            ),
            ("rareFeatures", .array(result.rareFeatures().map { .string($0.feature) })),
        ]).rendered(pretty: true) + "\n"
    }
}
