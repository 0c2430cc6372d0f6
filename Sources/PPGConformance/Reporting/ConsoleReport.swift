import PPGVectors
import PPGWire

/// The console report: a line per category as it finishes, each failure in full, then a summary whose last line
/// is exactly `N passed, N failed, N skipped`.
public struct ConsoleReport: Sendable {
    /// Whether to use ANSI colour (only on a terminal, never with `NO_COLOR`).
    public var colour: Bool
    /// Whether to print failures' requests in full.
    public var verbose: Bool

    /// Creates a reporter.
    /// - Parameters:
    ///   - colour: Whether to use colour.
    ///   - verbose: Whether to print requests in full.
    public init(colour: Bool, verbose: Bool = false) {
        self.colour = colour
        self.verbose = verbose
    }

    /// Decides on colour the way users expect: a terminal, and no `NO_COLOR` (any value) in the environment.
    /// - Parameters:
    ///   - isTerminal: Whether standard output is a terminal.
    ///   - environment: The environment.
    /// - Returns: Whether to colour.
    public static func wantsColour(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// The progress line of one finished category.
    /// - Parameters:
    ///   - category: The category.
    ///   - outcomes: Its outcomes.
    /// - Returns: One line.
    public func progressLine(category: String, outcomes: [VectorOutcome]) -> String {
        let summary = RunSummary(outcomes)
        let mark =
            summary.failing > 0
            ? paint("FAIL", "31")
            : summary.warnings > 0 ? paint("WARN", "33") : paint("ok  ", "32")
        var parts = ["\(summary.passed) passed"]
        if summary.failing > 0 {
            parts.append("\(summary.failing) failed")
        }
        if summary.warnings > 0 { parts.append(counted(summary.warnings, "warning")) }
        if summary.expectedFailures > 0 { parts.append(counted(summary.expectedFailures, "expected failure")) }
        if summary.skipped > 0 { parts.append("\(summary.skipped) skipped") }
        return "\(mark) \(category.padding(toLength: 22)) \(parts.joined(separator: ", "))"
    }

    /// Everything after the progress lines.
    /// - Parameter result: The run.
    /// - Returns: The lines, the last one being the closing line.
    public func summaryLines(_ result: RunResult) -> [String] {
        var lines: [String] = []
        let problems = result.outcomes.filter {
            $0.disposition.failsRun || $0.disposition == .warning
        }
        for outcome in problems {
            lines.append("")
            let label: String =
                switch outcome.disposition {
                case .unexpectedPass: paint("UNEXPECTED PASS", "31")
                case .warning: paint("WARNING", "33")
                default: paint(outcome.status == .error ? "ERROR" : "FAIL", "31")
                }
            // Ids, comments and reasons come from a corpus file or a receiver's answer: each line escaped on its own,
            // so none can break the line, colour the terminal or begin a CI runner's command.
            func line(_ text: some StringProtocol) -> String { OutsideText.escape(String(text), for: .line) }
            func indented(_ text: String, _ indent: String) -> String {
                text.split(separator: "\n", omittingEmptySubsequences: false).map { line($0) }
                    .joined(separator: "\n" + indent)
            }
            lines.append("\(label) \(line(outcome.id)) [\(outcome.level.rawValue)]")
            if outcome.disposition == .unexpectedPass {
                lines.append("  " + line(outcome.reason))
                continue
            }
            lines.append("  " + line(outcome.comment))
            lines.append("  expected: " + line(outcome.expected))
            lines.append("  actual:   " + line(outcome.actual))
            lines.append("  reason:   " + line(outcome.reason))
            if !outcome.signed.isEmpty {
                lines.append("  signed:   " + indented(outcome.signed, "            "))
            }
            if verbose && !outcome.request.isEmpty {
                lines.append("  request:")
                lines.append("    " + indented(outcome.request, "    "))
            }
            if !outcome.reproduction.isEmpty {
                lines.append("  reproduce: " + indented(outcome.reproduction, "             "))
            }
        }
        lines.append("")
        for (kind, count) in result.notSent.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let why =
                kind == .digest
                ? "they test the reference's SHA-1 in-process"
                : "they test verifier libraries, not receivers (run them in-process or with --exec)"
            lines.append("note: \(counted(count, "\(kind.rawValue) vector")) not sent: \(why)")
        }
        for warning in result.warnings { lines.append("warning: " + OutsideText.escape(warning, for: .line)) }
        if let diagnosis = result.diagnosis {
            lines += diagnosis.lines.enumerated().map { $0.offset == 0 ? paint($0.element, "1") : $0.element }
            lines.append("")
        }
        let summary = result.summary
        lines.append(
            "target \(OutsideText.escape(result.targetName, for: .line)), profile \(result.profile), "
                + "corpus \(OutsideText.escape(result.corpusVersion, for: .line)), "
                + "\(counted(result.outcomes.count, "vector")) in \(formatDecimalText(result.duration)) s")
        lines.append(
            "warnings (recommended vectors that failed): \(summary.warnings), expected failures: "
                + "\(summary.expectedFailures), unexpected passes: \(summary.unexpectedPasses), errors: \(summary.errors)"
        )
        lines.append(summary.closingLine)
        return lines
    }
}

extension ConsoleReport {
    /// The run in a few lines, for a test's failure message: the verdict, the first failures with their reasons,
    /// the diagnosis, the closing line.
    /// - Parameters:
    ///   - result: The run.
    ///   - limit: The most failures listed.
    /// - Returns: The lines.
    public func briefLines(_ result: RunResult, limit: Int = 10) -> [String] {
        var lines = ["PushPushGo webhook conformance: \(RunVerdict(result))"]
        let failing = result.outcomes.filter(\.disposition.failsRun)
        for outcome in failing.prefix(limit) {
            lines.append(
                "  \(outcome.status == .error ? "ERROR" : "FAIL") \(OutsideText.escape(outcome.id, for: .line)): "
                    + OutsideText.escape(outcome.reason.firstLine(limit: 160), for: .line))
        }
        if failing.count > limit { lines.append("  … and \(failing.count - limit) more") }
        if let diagnosis = result.diagnosis { lines += diagnosis.lines }
        lines.append(result.summary.closingLine)
        return lines
    }
}

func formatDecimalText(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

extension String {
    func padding(toLength width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
