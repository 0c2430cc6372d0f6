import Foundation
import PPGSignature
import PPGVectors
import PPGWire

/// The JUnit XML report: one `<testsuite>` per category under `<testsuites>`, valid against both the Jenkins
/// xunit schema and the strict Ant schema (see `shared/junit`).
public enum JUnitReport {
    /// Renders a run.
    /// - Parameters:
    ///   - result: The run.
    ///   - hostname: The host name written on each suite.
    /// - Returns: The XML document.
    public static func render(_ result: RunResult, hostname: String) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        let timestamp = isoTimestamp(result.startedAt)
        let host = OutsideText.escape(hostname, for: .xmlToken)
        for (index, (category, outcomes)) in result.outcomes.groupedInOrder(by: \.category).enumerated() {
            let failures = outcomes.filter { isFailure($0) }.count
            let errors = outcomes.filter { isError($0) }.count
            let skipped = outcomes.filter { $0.disposition == .skipped || $0.disposition == .expectedFailure }.count
            let time = outcomes.reduce(0) { $0 + $1.duration }
            xml +=
                "  <testsuite name=\""
                + "\(OutsideText.escape(category, for: .xmlToken))\" package=\"ppg-conformance\" id=\"\(index)\" "
                + "tests=\"\(outcomes.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" "
                + "time=\"\(formatDecimal(time, decimals: 3))\" timestamp=\"\(timestamp)\" hostname=\"\(host)\">\n"
            xml += "    <properties>\n"
            for (name, value) in properties(result) {
                xml +=
                    "      <property name=\"\(OutsideText.escape(name, for: .xmlToken))\" value=\""
                    + "\(OutsideText.escape(value, for: .xmlAttribute))\"/>\n"
            }
            xml += "    </properties>\n"
            var notes: [String] = []
            for outcome in outcomes {
                xml += testcase(outcome, category: category)
                switch outcome.disposition {
                case .warning: notes.append("warning: \(outcome.id) (recommended) — \(outcome.reason)")
                case .expectedFailure:
                    notes.append("expected failure: \(outcome.id) — \(outcome.expectedFailureReason ?? "")")
                default: break
                }
            }
            if index == 0, let diagnosis = result.diagnosis { notes += diagnosis.lines }
            xml += "    <system-out>\(OutsideText.escape(notes.joined(separator: "\n"), for: .xml))</system-out>\n"
            let warnings = index == 0 ? result.warnings.joined(separator: "\n") : ""
            xml += "    <system-err>\(OutsideText.escape(warnings, for: .xml))</system-err>\n"
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    static func isFailure(_ outcome: VectorOutcome) -> Bool {
        (outcome.disposition == .failed && outcome.status == .fail) || outcome.disposition == .unexpectedPass
    }

    static func isError(_ outcome: VectorOutcome) -> Bool {
        outcome.disposition == .failed && outcome.status == .error
    }

    static func properties(_ result: RunResult) -> [(String, String)] {
        [
            ("target", result.targetName),
            ("scheme", result.profile.scheme.rawValue),
            ("encoding", result.profile.encoding.rawValue),
            ("corpus.version", result.corpusVersion),
            ("tool.version", ToolInfo.version),
        ]
    }

    static func testcase(_ outcome: VectorOutcome, category: String) -> String {
        let open =
            "    <testcase name=\"\(OutsideText.escape(outcome.id, for: .xmlToken))\" classname=\""
            + "\(OutsideText.escape(outcome.kind.rawValue + "." + category, for: .xmlToken))\" "
            + "time=\"\(formatDecimal(outcome.duration, decimals: 3))\""
        let body = OutsideText.escape(failureText(outcome), for: .xml)
        if isFailure(outcome) {
            let message =
                outcome.disposition == .unexpectedPass
                ? "unexpected pass: listed in the expected-failures file, but passed" : outcome.reason.firstLine()
            let type = outcome.disposition == .unexpectedPass ? "unexpected-pass" : "nonconformance"
            return open
                + ">\n      <failure message=\"\(OutsideText.escape(message, for: .xmlAttribute))\" type=\"\(type)\">"
                + body + "</failure>\n    </testcase>\n"
        }
        if isError(outcome) {
            return open
                + ">\n      <error message=\"\(OutsideText.escape(outcome.reason.firstLine(), for: .xmlAttribute))\" "
                + "type=\"harness-error\">" + body + "</error>\n    </testcase>\n"
        }
        if outcome.disposition == .expectedFailure {
            // pytest's xfail convention: a known gap is neither a pass nor a failure, and CI viewers show it.
            let message = "expected failure: " + (outcome.expectedFailureReason ?? ExpectedFailures.defaultReason)
            return open
                + ">\n      <skipped message=\"\(OutsideText.escape(message.firstLine(), for: .xmlAttribute))\">"
                + body + "</skipped>\n    </testcase>\n"
        }
        if outcome.disposition == .skipped {
            return open
                + ">\n      <skipped message=\""
                + "\(OutsideText.escape(outcome.reason.firstLine(), for: .xmlAttribute))\"/>\n"
                + "    </testcase>\n"
        }
        return open + "/>\n"
    }

    /// The text of a failure: what GitLab and others show, so everything needed to act is in it.
    static func failureText(_ outcome: VectorOutcome) -> String {
        var lines = [
            "vector:   \(outcome.id) (\(outcome.level.rawValue))",
            "comment:  \(outcome.comment)",
            "expected: \(outcome.expected)",
            "actual:   \(outcome.actual)",
            "reason:   \(outcome.reason)",
        ]
        if !outcome.signed.isEmpty { lines += ["", "signed:", outcome.signed] }
        if !outcome.request.isEmpty { lines += ["", "request sent:", outcome.request] }
        if !outcome.reproduction.isEmpty { lines += ["", "reproduce:", outcome.reproduction] }
        return lines.joined(separator: "\n")
    }

    /// `YYYY-MM-DDTHH:MM:SS` in UTC, without a zone, as the Ant schema requires.
    static func isoTimestamp(_ seconds: Double) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second],
            from: Date(timeIntervalSince1970: seconds))
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(parts.year ?? 1970)-\(two(parts.month))-\(two(parts.day))T\(two(parts.hour)):\(two(parts.minute)):"
            + "\(two(parts.second))"
    }
}
