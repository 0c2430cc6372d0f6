import PPGConformance
import PPGVectors
import PPGWire

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command of the tool: its name, help and behaviour.
protocol CLICommand: SendableMetatype {
    static var name: String { get }
    static var summary: String { get }
    static var options: [OptionSpec] { get }
    /// What follows the command name besides options (`hmac`, `A.json B.json`), for the usage line.
    static var positionals: String { get }
    static var maximumPositionals: Int { get }
    static var details: String { get }
    /// Runs the command; the result is the exit code.
    static func run(_ arguments: ParsedArguments) throws -> Int32
}

extension CLICommand {
    static var maximumPositionals: Int { 0 }
    static var positionals: String { "" }
    /// The usage line, from the option table.
    static var usage: String { usageLine(command: name, options: options, positionals: positionals) }
    static var details: String { "" }
    static var help: String { helpText(usage: usage, summary: summary, options: options, details: details) }
}

/// Exit codes, documented in the README.
enum ExitCode {
    static let success: Int32 = 0
    static let nonconformant: Int32 = 1
    static let couldNotRun: Int32 = 2
}

/// A command as the dispatcher sees it; built from a `CLICommand` type so no existential metatypes are needed.
struct CommandEntry: Sendable {
    let name: String
    let summary: String
    let help: String
    let options: [OptionSpec]
    let maximumPositionals: Int
    let run: @Sendable (ParsedArguments) throws -> Int32

    init<Command: CLICommand>(_ command: Command.Type) {
        name = Command.name
        summary = Command.summary
        help = Command.help
        options = Command.options
        maximumPositionals = Command.maximumPositionals
        run = { try Command.run($0) }
    }
}

enum CommandLineTool {
    static let commands: [CommandEntry] = [
        CommandEntry(RunCommand.self), CommandEntry(SignCommand.self), CommandEntry(VectorsLintCommand.self),
        CommandEntry(ServeCommand.self), CommandEntry(MutantsCommand.self), CommandEntry(FuzzCommand.self),
        CommandEntry(DetectCommand.self),
        CommandEntry(CaptureCommand.self), CommandEntry(LoadCommand.self), CommandEntry(CompareCommand.self),
        CommandEntry(VectorsListCommand.self), CommandEntry(VectorsNewCommand.self), CommandEntry(BenchCommand.self),
    ]

    static var toolHelp: String {
        var lines = [
            "ppg-conformance "
                + "\(ToolInfo.version) — conformance suite for PushPushGo webhook receivers (X-PPG-Signature)",
            "",
            "USAGE: ppg-conformance <command> [options]",
            "",
            "COMMANDS:",
        ]
        for command in commands {
            lines.append("  " + command.name.padding(to: 16) + command.summary)
        }
        lines += [
            "",
            "OPTIONS:",
            "  --help          Show help; 'ppg-conformance <command> --help' for a command.",
            "  --version       Show the tool version and the corpus version.",
            "",
            "EXIT CODES: 0 conformant/success, 1 a required vector failed or errored, 2 could not run.",
        ]
        return lines.joined(separator: "\n")
    }

    static func main(_ arguments: [String]) -> Int32 {
        guard let first = arguments.first else {
            Console.error(toolHelp)
            return ExitCode.couldNotRun
        }
        // `help run` and `help vectors lint` are the command's own help, as in git and swift.
        if first == "help", arguments.count > 1 {
            return main(Array(arguments.dropFirst()) + ["--help"])
        }
        if first == "--help" || first == "-h" || first == "help" {
            Console.out(toolHelp)
            return ExitCode.success
        }
        if first == "--version" {
            let corpus = VectorLocator.bundledCorpusVersion(executablePath: CorpusLoading.executablePath())
            Console.out("ppg-conformance \(ToolInfo.version) (corpus \(corpus ?? "not found"))")
            return ExitCode.success
        }
        var name = first
        var rest = Array(arguments.dropFirst())
        if first == "vectors" {
            guard let sub = rest.first, !sub.hasPrefix("-") else {
                let subcommands = commands.filter { $0.name.hasPrefix("vectors ") }
                if rest.first == "--help" || rest.first == "-h" {
                    var lines = ["USAGE: ppg-conformance vectors <lint|list|new> [options]", "", "SUBCOMMANDS:"]
                    for command in subcommands {
                        lines.append(
                            "  " + String(command.name.dropFirst("vectors ".count)).padding(to: 8) + command.summary)
                    }
                    lines += ["", "'ppg-conformance vectors <subcommand> --help' for a subcommand's options."]
                    Console.out(lines.joined(separator: "\n"))
                    return ExitCode.success
                }
                Console.error("ppg-conformance: 'vectors' needs a subcommand: lint, list or new")
                return ExitCode.couldNotRun
            }
            name = "vectors \(sub)"
            rest.removeFirst()
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            Console.error("ppg-conformance: unknown command '\(name)' (see 'ppg-conformance --help')")
            return ExitCode.couldNotRun
        }
        if rest.prefix(while: { $0 != "--" }).contains(where: { $0 == "--help" || $0 == "-h" }) {
            Console.out(command.help)
            return ExitCode.success
        }
        do {
            let parsed = try ParsedArguments(
                command: name, arguments: rest, options: command.options,
                maximumPositionals: command.maximumPositionals)
            return try command.run(parsed)
        } catch let error as CLIError {
            // One line whatever the user's values hold: a tab, a line break or ESC in an argument is shown escaped.
            Console.error("ppg-conformance: \(OutsideText.escape(error.message, for: .line))")
            return ExitCode.couldNotRun
        } catch {
            Console.error("ppg-conformance \(name): \(OutsideText.escape("\(error)", for: .line))")
            return ExitCode.couldNotRun
        }
    }
}
