import PPGConformance

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `compare`: JSON reports side by side, vector by vector.
enum CompareCommand: CLICommand {
    static let name = "compare"
    static let summary = "Compare JSON reports of several runs, vector by vector (plain text or Markdown)."
    static let positionals = "A.json B.json [C.json …]"
    static let maximumPositionals = 64
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let markdown = OptionSpec.flag("markdown", "Print a Markdown table.")
        static let all = OptionSpec.flag("all", "Show every vector, not only those that differ.")
        static let html = OptionSpec.value(
            "html", "FILE", "Also write the receivers × vectors matrix as a self-contained HTML page.")
    }

    static let options: [OptionSpec] = [
        Options.markdown, Options.all, Options.html,
    ]
    static let details =
        "Cells: pass, FAIL, error, skip, warn (recommended failed), xfail (expected failure), "
        + "XPASS (unexpected pass), — (not in that report). Exit 0; 2 when a file is not a report."

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        guard arguments.positionals.count >= 2 else {
            throw CLIError.usage("compare: give at least two JSON reports")
        }
        let htmlFile = try arguments.outputFile(Options.html)
        // One report in memory at a time, its outcomes read as they are parsed.
        var comparison = ReportComparison()
        for path in arguments.positionals {
            let bytes = try FileInput.read(path, option: "report", command: name)
            do {
                try comparison.add(name: path, bytes: bytes, details: htmlFile != nil)
            } catch {
                throw CLIError.input("compare: \(error.message)")
            }
        }
        Console.write(
            comparison.render(markdown: arguments.has(Options.markdown), all: arguments.has(Options.all)), to: stdout)
        if let htmlFile {
            do {
                try htmlFile.write { emit in comparison.renderHTML(into: emit) }
            } catch {
                throw CLIError.input("compare: \(error.description)")
            }
        }
        return ExitCode.success
    }
}
