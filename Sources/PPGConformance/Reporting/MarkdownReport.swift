import Foundation
import PPGWire

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
        let gaps = result.outcomes.filter { $0.disposition == .expectedFailure }
        let verdict = RunVerdict(result)
        let mark =
            switch verdict {
            case .nothingTested, .conformantWithGaps: "⚠️"
            case .notConformant: "❌"
            case .conformant: "✅"
            }
        let headline = "\(mark) \(verdict)"
        var lines = [
            "## PushPushGo webhook conformance: \(headline)",
            "",
            "Target \(OutsideText.escape(result.targetName, for: .markdownCode)), profile `\(result.profile)`, corpus "
                + "\(OutsideText.escape(result.corpusVersion, for: .markdownCode)), ppg-conformance "
                + "\(ToolInfo.version).",
            "",
            "| passed | failed | skipped | warnings | expected failures | unexpected passes | errors |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            "| \(summary.passed) | \(summary.failing) | \(summary.skipped) | \(summary.warnings) | "
                + "\(summary.expectedFailures) | \(summary.unexpectedPasses) | \(summary.errors) |",
            "",
            "_failed counts every vector that fails the run, unexpected passes included (as the console's last line "
                + "does); errors are counted in failed or warnings too._",
        ]
        if !gaps.isEmpty {
            let open = gaps.filter(\.acceptedUnverified)
            lines += ["", "### Known gaps (\(gaps.count))", ""]
            if !open.isEmpty {
                lines.append(
                    "**\(counted(open.count, "known gap")) \(open.count == 1 ? "accepts" : "accept") a delivery with a "
                        + "forged, missing or wrong signature**: anyone who knows the URL can post events there.")
                lines.append("")
            }
            for outcome in gaps {
                let reason = outcome.expectedFailureReason ?? ExpectedFailures.defaultReason
                lines.append(
                    "- \(OutsideText.escape(outcome.id, for: .markdownCode))"
                        + "\(outcome.acceptedUnverified ? " — **accepts unverified**" : "")"
                        + ": \(OutsideText.escape(reason, for: .markdownCode)) (actual: "
                        + "\(OutsideText.escape(outcome.actual.firstLine(limit: 200), for: .markdownCode)))"
                )
            }
        }
        let errors = result.outcomes.filter { $0.status == .error && !$0.disposition.failsRun }
        if !errors.isEmpty {
            // Errors that do not fail the run (listed, or of recommended vectors) are still no answer at all.
            lines += ["", "### Errors that did not fail the run (\(errors.count))", ""]
            for outcome in errors {
                lines.append(
                    "- \(OutsideText.escape(outcome.id, for: .markdownCode)): "
                        + "\(OutsideText.escape(outcome.reason.firstLine(limit: 200), for: .markdownCode))"
                )
            }
        }
        let problems = result.outcomes.filter { $0.disposition.failsRun || $0.disposition == .warning }
        guard !problems.isEmpty else {
            // "Every vector" only when every one ran: skipped vectors were not tested.
            let skipped = result.summary.skipped
            let every = skipped == 0 ? "Every vector" : "Every vector that ran"
            let closing =
                (gaps.isEmpty ? "\(every) passed" : "\(every) passed but the known gaps above")
                + (skipped == 0 ? "." : " (\(counted(skipped, "vector")) skipped).")
            return (lines + ["", closing]).joined(separator: "\n") + "\n"
        }
        var settingLines: [String] = []
        if let diagnosis = result.diagnosis, !diagnosis.settings.isEmpty {
            settingLines += ["", "### \(Diagnosis.settingsHeading)", ""]
            for (index, setting) in diagnosis.settings.enumerated() {
                settingLines.append(
                    "\(index + 1). `\(setting.setting.rawValue)`"
                        + (setting.works.map { " — works: \(OutsideText.escape($0, for: .markdownCode))" } ?? "")
                        + ": \(OutsideText.escape(setting.message, for: .markdownCode))")
            }
        }
        // Code causes first where they remain beside a setting: a failure no setting explains comes first.
        if let diagnosis = result.diagnosis, diagnosis.settings.isEmpty || !diagnosis.causes.isEmpty {
            lines += ["", "### Likely causes", ""]
            lines += ["_Known bugs whose failures match this run's: consistent with the evidence, not proof._", ""]
            for (index, cause) in diagnosis.causes.enumerated() {
                lines.append("\(index + 1). " + diagnosis.sentence(cause) { "`\($0)`" })
                lines.append("   - the bug: \(cell(cause.mutant.summary))")
                lines.append("   - typical code: \(cell(cause.mutant.idioms))")
                lines.append("   - fix: \(cell(cause.mutant.fix))")
                if !cause.notFailed.isEmpty {
                    lines.append("   - would also fail, but passed here: \(ids(cause.notFailed))")
                }
            }
            if diagnosis.causes.isEmpty { lines.append(diagnosis.noMatch) }
            if !diagnosis.unexplained.isEmpty && !diagnosis.causes.isEmpty {
                lines.append("")
                lines.append("Not explained by any known bug: \(ids(diagnosis.unexplained)).")
            }
        }
        lines += settingLines
        var shown = 0
        for (category, outcomes) in problems.groupedInOrder(by: \.category) {
            lines += ["", "### \(OutsideText.escape(category, for: .markdownHTML)) (\(outcomes.count))", ""]
            for outcome in outcomes {
                let label: String =
                    switch outcome.disposition {
                    case .unexpectedPass: "unexpected pass"
                    case .warning: "warning"
                    default: outcome.status == .error ? "error" : "fail"
                    }
                guard shown < limit else {
                    lines.append("- \(OutsideText.escape(outcome.id, for: .markdownCode)) — \(label)")
                    continue
                }
                shown += 1
                lines.append(
                    "<details><summary><code>\(OutsideText.escape(outcome.id, for: .markdownHTML))</code> — "
                        + "\(label): <code>"
                        + OutsideText.escape(outcome.reason.firstLine(limit: 200), for: .markdownHTML)
                        + "</code></summary>")
                lines.append("")
                if outcome.disposition == .unexpectedPass {
                    lines.append(OutsideText.escape(outcome.reason, for: .markdownCode))
                } else {
                    lines.append("- expected: \(OutsideText.escape(outcome.expected, for: .markdownCode))")
                    lines.append(
                        "- actual: \(OutsideText.escape(outcome.actual.firstLine(limit: 200), for: .markdownCode))")
                    for line in outcome.signed.split(separator: "\n") where !line.isEmpty {
                        lines.append("- signed: \(OutsideText.escape(String(line), for: .markdownCode))")
                    }
                    if !outcome.reproduction.isEmpty {
                        lines += [""] + [OutsideText.escape(outcome.reproduction, for: .markdownBlock(language: "sh"))]
                    }
                }
                lines += ["", "</details>"]
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Vector ids as code spans, the first five, then how many more.
    static func ids(_ ids: [String]) -> String {
        ids.prefix(5).map { OutsideText.escape($0, for: .markdownCode) }.joined(separator: ", ")
            + (ids.count > 5 ? " and \(ids.count - 5) more" : "")
    }

    /// The project's own text (a mutant's description, which uses backticks for code) in a list item: on one
    /// line, with HTML and table breaks escaped. Text from outside goes through `OutsideText` instead.
    static func cell(_ text: String) -> String {
        OutsideText.escape(OutsideText.escape(text, for: .line), for: .html).replacingOccurrences(of: "|", with: "\\|")
    }
}
