import PPGConformance
import PPGSignature
import PPGVectors
import PPGWire

/// `mutants`: the HTTP suite against every mutant receiver over loopback, and the mutation score.
enum MutantsCommand: CLICommand {
    static let name = "mutants"
    static let summary = "Run the HTTP suite against every mutant receiver and print the mutation score."
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let scheme = OptionSpec.value("scheme", "S", "url-params (default) or json-body.")
        static let encoding = OptionSpec.value("encoding", "E", "hex (default) or base64.")
        static let jobs = OptionSpec.integer("jobs", "N", "Vectors at once per receiver.", range: 1...64, default: 4)
        static let only = OptionSpec.value("only", "NAME", "Run only this mutant.", repeatable: true)
        static let list = OptionSpec.flag("list", "List the mutants and their bugs, then exit.")
    }

    static let options: [OptionSpec] = [
        CorpusLoading.option, Options.scheme, Options.encoding, Options.jobs, Options.only, Options.list,
    ]
    static let details =
        "Exit codes: 0 when the correct receiver passes and every mutant is caught by a required vector; "
        + "1 otherwise."

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        if arguments.has(Options.list) {
            for mutant in Mutant.allCases { Console.out(mutant.rawValue.padding(to: 26) + mutant.summary) }
            return ExitCode.success
        }
        let profile = SignatureProfile(
            scheme: try arguments.choice(Options.scheme, default: .urlParameters),
            encoding: try arguments.choice(Options.encoding, default: .hex))
        let jobs = try arguments.integer(Options.jobs)
        var selected = Mutant.allCases
        if !arguments.all(Options.only).isEmpty {
            selected = try arguments.all(Options.only).map { name throws(CLIError) in
                guard let mutant = Mutant(rawValue: name) else {
                    throw .usage("mutants: unknown mutant '\(name)' (see 'ppg-conformance mutants --list')")
                }
                return mutant
            }
        }
        let (corpus, location) = try CorpusLoading.load(arguments)
        Console.out(
            "vectors: corpus \(corpus.manifest.version) from \(location.directory); profile \(profile); "
                + "receivers configured with \(MutationRun.publicURL), served on 127.0.0.1")
        let control = try MutationRun.run(mutant: nil, corpus: corpus, profile: profile, jobs: jobs)
        Console.out(
            "reference receiver: \(control.summary.closingLine)"
                + (control.caughtBy.isEmpty ? "" : " — FAILS \(control.caughtBy.prefix(5).joined(separator: ", "))"))
        Console.out("")
        Console.out(
            "mutant".padding(to: 26) + "caught by".padding(to: 11) + "first vector that caught it".padding(to: 42)
                + "diagnosed as")
        let catalogue = MutationRun.catalogue(corpus: corpus, profile: profile)
        var caught = 0
        var diagnosed = 0
        let equivalent = selected.filter { !$0.applies(to: profile.scheme) }
        selected = selected.filter { $0.applies(to: profile.scheme) }
        for mutant in selected {
            let result = try MutationRun.run(mutant: mutant, corpus: corpus, profile: profile, jobs: jobs)
            if result.caught { caught += 1 }
            let first = result.caughtBy.first ?? "NOT CAUGHT"
            let cause = Diagnosis(result: result.run, catalogue: catalogue)?.causes.first
            let named = cause.map { [$0.mutant] + $0.indistinguishable } ?? []
            if named.contains(mutant) { diagnosed += 1 }
            let diagnosis =
                named.isEmpty
                ? "—" : named.map(\.rawValue).joined(separator: " or ") + (cause?.exact == true ? "" : " (overlap)")
            Console.out(
                mutant.rawValue.padding(to: 26) + "\(result.caughtBy.count)".padding(to: 11) + first.padding(to: 42)
                    + diagnosis)
        }
        for mutant in equivalent {
            Console.out(
                mutant.rawValue.padding(to: 26) + "n/a".padding(to: 11)
                    + "equivalent to the reference under \(profile.scheme.rawValue) (not counted)")
        }
        let score = selected.isEmpty ? 0 : Double(caught) / Double(selected.count) * 100
        Console.out("")
        Console.out(
            "mutation score: \(caught)/\(counted(selected.count, "mutant")) caught (\(formatDecimal(score, decimals: 1)) %)"
        )
        Console.out(
            "diagnosis: \(diagnosed)/\(counted(selected.count, "mutant")) named first by the diagnosis of its own run")
        let conforming = control.caughtBy.isEmpty && control.errors == 0
        return conforming && caught == selected.count ? ExitCode.success : ExitCode.nonconformant
    }
}
