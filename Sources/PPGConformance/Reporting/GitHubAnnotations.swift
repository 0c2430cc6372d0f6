import PPGWire

/// Failures as GitHub Actions workflow commands (`::error title=…::…`), which GitHub shows as annotations on the
/// run and the pull request. Values are encoded by GitHub's rules, so no text from a receiver can end a command or
/// start another: `%`, CR and LF everywhere, and `:` and `,` in properties too.
public enum GitHubAnnotations {
    /// How many per-vector annotations a run prints: GitHub shows about ten a step, so the cause comes first and
    /// the failures after it are the first of each category, then one line says how many more there are.
    public static let perVectorLimit = 8

    /// The likely cause first — a setting or a bug — as one `::error`, then one command per outcome that fails the
    /// run or warns, the first of each category first, at most `perVectorLimit`, then one line for the rest.
    /// - Parameter result: The run.
    /// - Returns: The lines to print on standard output.
    public static func lines(_ result: RunResult) -> [String] {
        var lines: [String] = []
        func command(_ kind: String, title: String, _ message: String) -> String {
            "::\(kind) title=\(OutsideText.escape(title, for: .annotationProperty))::"
                + OutsideText.escape(message, for: .annotationMessage)
        }
        if let diagnosis = result.diagnosis {
            if let setting = diagnosis.settings.first {
                lines.append(
                    command(
                        "error", title: "Likely cause: the setting \(setting.setting.rawValue)",
                        setting.message + (setting.works.map { "\nworks: \($0)" } ?? "")))
            } else if let first = diagnosis.causes.first {
                lines.append(
                    command(
                        "error", title: "Likely cause: \(first.mutant.rawValue)",
                        "\(first.mutant.summary)\nfix: \(first.mutant.fix)"
                            + "\nexplains \(first.explained.count) of \(counted(diagnosis.failures, "failure"))"))
            }
        }
        let cause = result.diagnosis?.causes.first.map { "likely cause: \($0.mutant.rawValue) — \($0.mutant.summary)" }
        let shown = result.outcomes.filter { $0.disposition.failsRun || $0.disposition == .warning }
        for outcome in firstOfEachCategory(shown, limit: perVectorLimit) {
            let kind = outcome.disposition == .warning ? "warning" : "error"
            var message: String
            if outcome.disposition == .unexpectedPass {
                message = outcome.reason
            } else {
                message = "expected \(outcome.expected); actual \(outcome.actual) — \(outcome.reason)"
                if let cause, result.diagnosis?.causes.first?.explained.contains(outcome.id) == true {
                    message += "\n" + cause
                }
            }
            lines.append(command(kind, title: outcome.id, message))
        }
        if shown.count > perVectorLimit {
            lines.append(
                command(
                    shown.contains(where: \.disposition.failsRun) ? "error" : "warning",
                    title: "\(shown.count - perVectorLimit) more",
                    "\(counted(shown.count, "vector")) failed or warned in all; the step's log and the reports list "
                        + "every one"))
        }
        return lines
    }

    /// Up to `limit` outcomes, taking the first of each category in run order, then the second of each, and so on,
    /// so that one category's many failures do not hide another's; returned in run order.
    static func firstOfEachCategory(_ outcomes: [VectorOutcome], limit: Int) -> [VectorOutcome] {
        var byCategory: [String: [Int]] = [:]
        var categories: [String] = []
        for (index, outcome) in outcomes.enumerated() {
            if byCategory[outcome.category] == nil { categories.append(outcome.category) }
            byCategory[outcome.category, default: []].append(index)
        }
        var chosen: [Int] = []
        var round = 0
        while chosen.count < min(limit, outcomes.count) {
            for category in categories where chosen.count < limit {
                if let indices = byCategory[category], round < indices.count { chosen.append(indices[round]) }
            }
            round += 1
        }
        return chosen.sorted().map { outcomes[$0] }
    }
}
