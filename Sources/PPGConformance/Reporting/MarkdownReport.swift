/// A compact Markdown summary of a run, fit for a pull-request comment or a CI step summary: totals, then the
/// failures grouped by category with expected, actual and the reproduction command.
public enum MarkdownReport {
    /// Renders a run.
    /// - Parameters:
    ///   - result: The run.
    ///   - limit: The most failures shown in full; the rest are listed by id.
    /// - Returns: Markdown text.
    public static func render(_ result: RunResult, limit: Int = 30) -> String {
        let summary = result.summary
        var lines = [
            "## PushPushGo webhook conformance: "
                + (summary.tested == 0 ? "⚠️ nothing tested" : summary.conforms ? "✅ conformant" : "❌ not conformant"),
            "",
            "Target `\(cell(result.targetName))`, profile `\(result.profile)`, corpus \(result.corpusVersion), "
                + "ppg-conformance \(ToolInfo.version).",
            "",
            "| passed | failed | skipped | warnings | expected failures | unexpected passes | errors |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            "| \(summary.passed) | \(summary.failing) | \(summary.skipped) | \(summary.warnings) | "
                + "\(summary.expectedFailures) | \(summary.unexpectedPasses) | \(summary.errors) |",
            "",
            "_failed counts every vector that fails the run, unexpected passes included (as the console's last line "
                + "does); errors are counted in failed or warnings too._",
        ]
        let problems = result.outcomes.filter { $0.disposition.failsRun || $0.disposition == .warning }
        guard !problems.isEmpty else { return (lines + ["", "Every vector passed."]).joined(separator: "\n") + "\n" }
        var order: [String] = []
        var groups: [String: [VectorOutcome]] = [:]
        for outcome in problems {
            if groups[outcome.category] == nil { order.append(outcome.category) }
            groups[outcome.category, default: []].append(outcome)
        }
        if let diagnosis = result.diagnosis {
            lines += ["", "### Likely causes", ""]
            lines += ["_Known bugs whose failures match this run's: consistent with the evidence, not proof._", ""]
            for (index, cause) in diagnosis.causes.enumerated() {
                let twins = cause.indistinguishable.map { " (or `\($0.rawValue)`)" }.joined()
                let overlap =
                    cause.exact
                    ? "fails exactly this run's \(counted(diagnosis.failures, "failure"))"
                    : "explains \(cause.explained.count) of \(counted(diagnosis.failures, "failure"))"
                lines.append("\(index + 1). consistent with `\(cause.mutant.rawValue)`\(twins): \(overlap)")
                lines.append("   - the bug: \(cell(cause.mutant.summary))")
                lines.append("   - typical code: \(cell(cause.mutant.idioms))")
                lines.append("   - fix: \(cell(cause.mutant.fix))")
                if !cause.notFailed.isEmpty {
                    lines.append("   - would also fail, but passed here: \(cell(Diagnosis.list(cause.notFailed)))")
                }
            }
            if diagnosis.causes.isEmpty { lines.append("No known bug matches these failures.") }
            if !diagnosis.unexplained.isEmpty && !diagnosis.causes.isEmpty {
                lines.append("")
                lines.append("Not explained by any known bug: \(cell(Diagnosis.list(diagnosis.unexplained))).")
            }
        }
        var shown = 0
        for category in order {
            let outcomes = groups[category] ?? []
            lines += ["", "### \(category) (\(outcomes.count))", ""]
            for outcome in outcomes {
                let label: String =
                    switch outcome.disposition {
                    case .unexpectedPass: "unexpected pass"
                    case .warning: "warning"
                    default: outcome.status == .error ? "error" : "fail"
                    }
                guard shown < limit else {
                    lines.append("- `\(outcome.id)` — \(label)")
                    continue
                }
                shown += 1
                lines.append(
                    "<details><summary><code>\(html(outcome.id))</code> — \(label): \(html(firstLine(outcome.reason)))"
                        + "</summary>")
                lines.append("")
                if outcome.disposition == .unexpectedPass {
                    lines.append(cell(outcome.reason) + ".")
                } else {
                    lines.append("- expected: \(cell(outcome.expected))")
                    lines.append("- actual: \(cell(firstLine(outcome.actual)))")
                    for line in outcome.signed.split(separator: "\n") where !line.isEmpty {
                        lines.append("- signed: \(cell(String(line)))")
                    }
                    if !outcome.reproduction.isEmpty {
                        lines += ["", "```sh", visible(outcome.reproduction).replacingFences(), "```"]
                    }
                }
                lines += ["", "</details>"]
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    /// Control characters (but line breaks and tabs) made visible, for code blocks.
    static func visible(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || scalar.value == 0x7F {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text safe inside a Markdown table cell or list item.
    static func cell(_ text: String) -> String {
        html(text).split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }

    static func html(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

extension String {
    /// Breaks any run of three backticks so a code block cannot be closed from inside.
    func replacingFences() -> String {
        split(separator: "```", omittingEmptySubsequences: false).joined(separator: "`\u{200B}``")
    }
}
