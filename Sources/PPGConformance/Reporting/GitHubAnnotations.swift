import PPGWire

/// Failures as GitHub Actions workflow commands (`::error title=…::…`), which GitHub shows as annotations on the
/// run and the pull request. Values are encoded by GitHub's rules, so no text from a receiver can end a command or
/// start another: `%`, CR and LF everywhere, and `:` and `,` in properties too.
public enum GitHubAnnotations {
    /// One workflow command per outcome that fails the run or warns, then one for the likely cause, if any.
    /// - Parameter result: The run.
    /// - Returns: The lines to print on standard output.
    public static func lines(_ result: RunResult) -> [String] {
        var lines: [String] = []
        let cause = result.diagnosis?.causes.first.map { "likely cause: \($0.mutant.rawValue) — \($0.mutant.summary)" }
        for outcome in result.outcomes where outcome.disposition.failsRun || outcome.disposition == .warning {
            let command = outcome.disposition == .warning ? "warning" : "error"
            var message: String
            if outcome.disposition == .unexpectedPass {
                message = outcome.reason
            } else {
                message = "expected \(outcome.expected); actual \(outcome.actual) — \(outcome.reason)"
                if let cause, result.diagnosis?.causes.first?.explained.contains(outcome.id) == true {
                    message += "\n" + cause
                }
            }
            lines.append(
                "::\(command) title=\(OutsideText.escape(outcome.id, for: .annotationProperty))::"
                    + "\(OutsideText.escape(message, for: .annotationMessage))"
            )
        }
        if let first = result.diagnosis?.causes.first {
            lines.append(
                "::notice title="
                    + "\(OutsideText.escape("Likely cause: " + first.mutant.rawValue, for: .annotationProperty))::"
                    + OutsideText.escape("\(first.mutant.summary)\nfix: \(first.mutant.fix)", for: .annotationMessage))
        }
        return lines
    }
}
