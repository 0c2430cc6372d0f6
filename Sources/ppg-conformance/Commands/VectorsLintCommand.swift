import PPGConformance
import PPGSignature
import PPGVectors

/// `vectors lint`: everything the loader checks, then every vector recomputed with the reference.
enum VectorsLintCommand: CLICommand {
    static let name = "vectors lint"
    static let summary = "Check a corpus: structure, every signature recomputed, receiver verdicts, formatting."
    static let positionals = "[DIR]"
    static let maximumPositionals = 1
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let fix = OptionSpec.flag(
            "fix", "Rewrite files that are not in canonical form, invisible characters escaped.")
    }

    static let options: [OptionSpec] = [
        CorpusLoading.option, Options.fix,
    ]
    static let details = """
        Raw invisible characters (controls, format characters such as zero-width and bidi controls or U+FEFF, line
        and paragraph separators) are problems: --fix writes them as \\u escapes. In a git checkout, vectors changed
        since the last commit without a new manifest version and a CHANGELOG.md entry for it are problems too.
        Exit codes: 0 clean; 1 lint problems found; 2 the corpus does not load.
        """

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        var arguments = arguments
        if let directory = arguments.positionals.first {
            // The positional is `--vectors DIR`; the flags given beside it stay.
            arguments = try ParsedArguments(
                command: name, arguments: ["--vectors", directory] + (arguments.has(Options.fix) ? ["--fix"] : []),
                options: options)
        }
        // The corpus loads first: a directory that is not one is refused at once, before any file is read.
        let (corpus, location) = try CorpusLoading.load(arguments)
        var problems = CorpusLint.formatting(directory: location.directory, fix: arguments.has(Options.fix))
        problems += CorpusLint.check(corpus)
        problems += receiverProblems(corpus)
        problems += CorpusHistory.problems(directory: location.directory, version: corpus.manifest.version)
        let fixed = problems.filter { $0.message == "rewritten in canonical form" }
        let remaining = problems.count - fixed.count
        for problem in problems { Console.out(problem.description) }
        let total = corpus.digestVectors.count + corpus.signatureVectors.count + corpus.receiverVectors.count
        Console.out(
            "\(counted(total, "vector")) in \(counted(corpus.categories.count, "category", "categories")) (corpus \(corpus.manifest.version)): "
                + counted(remaining, "problem") + (fixed.isEmpty ? "" : ", \(counted(fixed.count, "file")) rewritten"))
        return remaining == 0 ? ExitCode.success : ExitCode.nonconformant
    }

    /// Every receiver vector through the reference receiver under every profile it applies to.
    static func receiverProblems(_ corpus: Corpus) -> [LintProblem] {
        var problems: [LintProblem] = []
        for profile in SignatureProfile.all {
            let target = ReferenceTarget(configuration: ReferenceTarget.defaultConfiguration(profile: profile))
            let options = RunOptions(strict: true, configuration: target.configuration)
            let result = Runner.run(
                corpus: Corpus(
                    directory: corpus.directory, manifest: corpus.manifest,
                    receiverVectors: corpus.receiverVectors),
                target: target, options: options)
            for outcome in result.outcomes where outcome.status == .fail || outcome.status == .error {
                let file = corpus.receiverVectors.first { $0.vector.id == outcome.id }?.file ?? "?"
                problems.append(
                    LintProblem(
                        file: file, vectorID: outcome.id,
                        message: "under \(profile) the reference receiver disagrees: \(outcome.reason)"))
            }
        }
        return problems
    }
}
