import Foundation
import PPGConformance
import PPGSignature
import PPGVectors
import PPGWire

/// `run`: the conformance run, the command users put in CI.
enum RunCommand: CLICommand {
    static let name = "run"
    static let summary = "Run the corpus against the in-process reference or a receiver over HTTP; write reports."
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let target = OptionSpec.value(
            "target", "URL", "Send receiver vectors to this receiver over HTTP (http:// or https://).")
        static let exec = OptionSpec.value(
            "exec", "COMMAND", "Run a verifier program and send it every vector over the pipe protocol (README).")
        static let projectID = OptionSpec.value(
            "project-id", "ID", "The projectId the receiver is configured with (required with --target).")
        static let publicURL = OptionSpec.value(
            "public-url", "URL",
            "The webhook URL as configured in PushPushGo, which signatures cover (default: "
                + "the target URL; in-process: https://hooks.example.com/ppg/webhook).")
        static let jobs = OptionSpec.integer(
            "jobs", "N", "Receiver vectors at once over HTTP.", range: 1...256, default: 4)
        static let timeout = OptionSpec.number(
            "timeout", "S", "Seconds each HTTP exchange, or each --exec answer, may take.", range: 0.05...600,
            default: 5)
        static let insecure = OptionSpec.flag(
            "insecure", "Do not verify the certificate of an https target (said once on stderr).")
        static let cacert = OptionSpec.value(
            "cacert", "FILE", "Trust this PEM CA or certificate for an https target instead of the system's store.")
        static let only = OptionSpec.value("only", "GLOB", "Run only vectors whose id matches.", repeatable: true)
        static let skip = OptionSpec.value("skip", "GLOB", "Do not run vectors whose id matches.", repeatable: true)
        static let flag = OptionSpec.value("flag", "NAME", "Run only vectors carrying this flag.", repeatable: true)
        static let list = OptionSpec.flag("list", "Print what would run, then exit 0.")
        static let scheme = OptionSpec.value(
            "scheme", "S",
            "url-params (default for receiver vectors) or json-body; signature vectors of "
                + "the other scheme are skipped.")
        static let encoding = OptionSpec.value(
            "encoding", "E",
            "hex (default for receiver vectors) or base64; signature vectors of the other " + "encoding are skipped.")
        static let strict = OptionSpec.flag(
            "strict", "Recommended vectors fail the run; bad signatures must get 401 or 403.")
        static let expectedFailures = OptionSpec.value(
            "expected-failures", "FILE", "Known gaps: one id or glob a line, '#' starts the reason.")
        static let writeExpectedFailures = OptionSpec.value(
            "write-expected-failures", "FILE", "Write this run's failures in that format.")
        static let junit = OptionSpec.value("junit", "FILE", "Write a JUnit XML report.")
        static let json = OptionSpec.value("json", "FILE", "Write a JSON report (format in the README).")
        static let markdown = OptionSpec.value(
            "markdown", "FILE", "Write a Markdown summary for a pull-request comment or CI step summary.")
        static let html = OptionSpec.value(
            "html", "FILE", "Write a self-contained HTML report (filters, deep links; opens from file://).")
        static let annotations = OptionSpec.value(
            "annotations", "KIND",
            "github: print each failure as a GitHub workflow command (default when GITHUB_ACTIONS=true); none.")
        static let verbose = OptionSpec.flag("verbose", "Print the request of each failure in full.")
        static let noProbe = OptionSpec.flag(
            "no-probe", "Do not send the few extra deliveries that test settings before code bugs are named.")
    }

    /// The options `TargetArguments` reads.
    static let targetOptions = TargetArguments.Specs(
        target: Options.target, exec: Options.exec, projectID: Options.projectID, publicURL: Options.publicURL,
        jobs: Options.jobs, timeout: Options.timeout, insecure: Options.insecure, cacert: Options.cacert)

    static let options: [OptionSpec] = [
        CorpusLoading.option, Options.target, Options.exec, Options.projectID, Options.publicURL, Options.jobs,
        Options.timeout, Options.insecure, Options.cacert, Options.only, Options.skip, Options.flag, Options.list,
        Options.scheme, Options.encoding, Options.strict, Options.expectedFailures, Options.writeExpectedFailures,
        Options.junit, Options.json, Options.markdown, Options.html, Options.annotations, Options.verbose,
        Options.noProbe,
    ]
    static let details = """
        Exit codes: 0 conformant; 1 a required vector failed or errored, or a listed expected failure passed;
        2 could not run (bad arguments, unreadable or invalid corpus, unreachable target).
        The last line of output is exactly 'N passed, N failed, N skipped'.
        """

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let scheme = try arguments.optionalChoice(Options.scheme, as: SignatureScheme.self)
        let encoding = try arguments.optionalChoice(Options.encoding, as: SignatureEncoding.self)
        let profile = SignatureProfile(scheme: scheme ?? .urlParameters, encoding: encoding ?? .hex)
        var expectedFailures: ExpectedFailures?
        if let path = arguments.value(Options.expectedFailures) {
            let bytes = try FileInput.read(path, option: "--expected-failures", command: name)
            expectedFailures = ExpectedFailures(text: String(decoding: bytes, as: UTF8.self), file: path)
        }
        let chosen = try TargetArguments.choose(arguments, command: name, profile: profile, options: targetOptions)
        let (target, configuration, targetURL) = (chosen.target, chosen.configuration, chosen.url)
        let jobs = try arguments.integer(Options.jobs)
        let timeout = try arguments.number(Options.timeout)
        let reportFiles = try arguments.outputFiles([
            Options.junit, Options.json, Options.markdown, Options.html, Options.writeExpectedFailures,
        ])
        let annotations = try Annotations.kind(
            arguments, option: Options.annotations, environment: ProcessInfo.processInfo.environment)
        let (corpus, location) = try CorpusLoading.load(arguments)
        let progress = RunProgress(enabled: Console.isTerminal(2)) { Console.status($0) }
        // The run as one value, made once. A receiver that stops answering ends the run in seconds: a few rounds
        // of the pool, all unanswered.
        let options = RunOptions(
            selection: Selection(
                only: arguments.all(Options.only), skip: arguments.all(Options.skip), flags: arguments.all(Options.flag)
            ),
            scheme: scheme, encoding: encoding, strict: arguments.has(Options.strict),
            expectedFailures: expectedFailures,
            configuration: configuration, jobs: targetURL == nil ? 1 : jobs,
            stopAfterUnanswered: targetURL == nil ? nil : max(8, 2 * jobs), vectorDone: { progress.vectorDone() })
        for flag in arguments.all(Options.flag) where corpus.manifest.notes[flag] == nil {
            throw CLIError.usage("run: unknown flag '\(flag)' for '--flag' (see 'ppg-conformance vectors list')")
        }
        let total = corpus.digestVectors.count + corpus.signatureVectors.count + corpus.receiverVectors.count
        Console.out(
            "vectors: \(total) in corpus \(corpus.manifest.version) from \(location.directory) (\(location.origin))")
        // The run's policy is the library's: preflight, deliveries, diagnosis, probes. The CLI says where it is.
        let run = ConformanceRun(
            corpus: corpus, target: target, options: options,
            probes: targetURL != nil && !arguments.has(Options.noProbe))
        if arguments.has(Options.list) {
            let (planned, notSent) = run.plan()
            for vector in planned {
                Console.out(
                    "\(vector.id)  [\(vector.kind.rawValue)]" + (vector.skipReason.map { "  (skip: \($0))" } ?? ""))
            }
            for (kind, count) in notSent { Console.out("not sent: \(counted(count, "\(kind.rawValue) vector"))") }
            Console.out("\(counted(planned.count, "vector")) selected")
            return ExitCode.success
        }
        let console = ConsoleReport(
            colour: ConsoleReport.wantsColour(
                isTerminal: Console.isTerminal(1),
                environment: ProcessInfo.processInfo.environment),
            verbose: arguments.has(Options.verbose))
        // Seconds on a slow build: said on a terminal, so a failing run is never silent after its deliveries.
        let terminal = Console.isTerminal(2)
        let result: RunResult
        do {
            result = try run.run { stage in
                switch stage {
                case .delivering(let vectors):
                    if targetURL != nil {
                        Console.out(
                            "target: \(target.name), signed for \(configuration.publicURL) with projectId "
                                + "\(configuration.projectID), profile \(profile), \(counted(jobs, "job")), "
                                + "timeout \(formatDecimal(timeout, decimals: 1)) s")
                    } else {
                        Console.out("target: \(target.name), profile \(profile)")
                    }
                    progress.start(total: vectors)
                case .categoryDone(let category, let outcomes):
                    Console.out(console.progressLine(category: category, outcomes: outcomes))
                case .diagnosing:
                    progress.finish()
                    if terminal { Console.status("  diagnosing: the failures through every known bug, in-process…") }
                case .probing:
                    if terminal {
                        Console.status(
                            "  probing: a few extra deliveries test the run's settings and the likely cause…")
                    }
                }
            }
        } catch {
            progress.finish()
            switch error.kind {
            case .nothingToTest: throw CLIError.usage("run: \(error.message) (see 'ppg-conformance run --list')")
            case .unreachable: throw CLIError(kind: .unreachable, message: "run: \(error.message)")
            case .targetFailed: throw CLIError(kind: .unreachable, message: "run --exec: \(error.message)")
            }
        }
        progress.finish()
        if terminal { Console.status("") }
        // The console report first: a report that cannot be written must not cost the user the run's verdict.
        // Annotations first: the console's last line stays 'N passed, N failed, N skipped'.
        if annotations == .github {
            for line in GitHubAnnotations.lines(result) { Console.out(line) }
        }
        for line in console.summaryLines(result) { Console.out(line) }
        try writeReports(result, files: reportFiles, arguments: arguments)
        if let stopped = run.stopMessage(result) { throw CLIError(kind: .unreachable, message: "run: " + stopped) }
        if result.summary.tested == 0 {
            throw CLIError.usage("run: every selected vector was skipped: nothing was tested, so nothing conforms")
        }
        return result.summary.conforms ? ExitCode.success : ExitCode.nonconformant
    }

    static func writeReports(
        _ result: RunResult, files: [String: OutputFile], arguments: ParsedArguments
    ) throws(CLIError) {
        let renderings: [(String, () -> String)] = [
            ("junit", { JUnitReport.render(result, hostname: hostname()) }),
            ("json", { JSONReport.render(result) }),
            ("markdown", { MarkdownReport.render(result) }),
            ("html", { HTMLReport.render(result) }),
            (
                "write-expected-failures",
                {
                    ExpectedFailures.render(
                        failuresOf: result.outcomes,
                        header: "target \(result.targetName), profile \(result.profile), corpus \(result.corpusVersion)"
                    )
                }
            ),
        ]
        for (option, render) in renderings {
            if let file = files[option] { try arguments.write(render(), to: file) }
        }
    }

    static func hostname() -> String {
        let name = ProcessInfo.processInfo.hostName
        return name.isEmpty ? "localhost" : name
    }
}
