import PPGSignature
import PPGVectors
import PPGWire

/// The JSON report: the run's facts, its summary, then every outcome. Documented in the README.
public enum JSONReport {
    /// The format version of the report.
    public static let format = 1

    /// Renders a run.
    /// - Parameter result: The run.
    /// - Returns: The JSON text.
    public static func render(_ result: RunResult) -> String {
        let summary = result.summary
        let document = JSONOutput.object([
            ("format", .integer(format)),
            ("tool", .object([("name", .string("ppg-conformance")), ("version", .string(ToolInfo.version))])),
            ("corpusVersion", .string(result.corpusVersion)),
            ("target", .string(result.targetName)),
            ("scheme", .string(result.profile.scheme.rawValue)),
            ("encoding", .string(result.profile.encoding.rawValue)),
            ("startedAt", .decimal(result.startedAt, decimals: 3)),
            ("duration", .decimal(result.duration, decimals: 3)),
            ("conforms", .bool(summary.conforms)),
            (
                "summary",
                .object([
                    ("passed", .integer(summary.passed)), ("failed", .integer(summary.failing)),
                    ("skipped", .integer(summary.skipped)), ("warnings", .integer(summary.warnings)),
                    ("expectedFailures", .integer(summary.expectedFailures)),
                    ("unexpectedPasses", .integer(summary.unexpectedPasses)), ("errors", .integer(summary.errors)),
                ])
            ),
            (
                "notSent",
                .object(
                    result.notSent.sorted { $0.key.rawValue < $1.key.rawValue }
                        .map { ($0.key.rawValue, .integer($0.value)) })
            ),
            ("warnings", .array(result.warnings.map { .string($0) })),
            ("diagnosis", .array(diagnosisEntries(result))),
            ("unexplainedFailures", .array((result.diagnosis?.unexplained ?? []).map { .string($0) })),
            ("outcomes", .array(result.outcomes.map(render))),
        ])
        return document.rendered(pretty: true) + "\n"
    }

    static func render(_ outcome: VectorOutcome) -> JSONOutput {
        var members: [(String, JSONOutput)] = [
            ("id", .string(outcome.id)),
            ("category", .string(outcome.category)),
            ("kind", .string(outcome.kind.rawValue)),
            ("level", .string(outcome.level.rawValue)),
            ("status", .string(outcome.status.rawValue)),
            ("disposition", .string(outcome.disposition.rawValue)),
            ("expected", .string(outcome.expected)),
            ("actual", .string(outcome.actual)),
            ("reason", .string(outcome.reason)),
            ("duration", .decimal(outcome.duration, decimals: 3)),
            ("flags", .array(outcome.flags.map { .string($0) })),
        ]
        if !outcome.expectedStatuses.isEmpty {
            members.append(("expectedStatuses", .array(outcome.expectedStatuses.map { .string($0) })))
            members.append(("actualStatus", outcome.actualStatus.map { .integer($0) } ?? .null))
        }
        if outcome.acceptedUnverified { members.append(("acceptedUnverified", .bool(true))) }
        if let reason = outcome.expectedFailureReason { members.append(("expectedFailureReason", .string(reason))) }
        if !outcome.signed.isEmpty { members.append(("signed", .string(outcome.signed))) }
        if !outcome.request.isEmpty { members.append(("request", .string(outcome.request))) }
        if !outcome.reproduction.isEmpty { members.append(("reproduction", .string(outcome.reproduction))) }
        return .object(members)
    }

    /// The diagnosis's causes and settings in the order the console gives them: code causes first (where they
    /// remain beside a setting, some failure no setting explains), except bugs found behind a setting, which follow
    /// it.
    static func diagnosisEntries(_ result: RunResult) -> [JSONOutput] {
        guard let diagnosis = result.diagnosis else { return [] }
        let causes = diagnosis.causes.map { render($0, in: diagnosis) }
        let settings = diagnosis.settings.map(render)
        return diagnosis.causes.first?.behind != nil ? settings + causes : causes + settings
    }

    static func render(_ setting: SettingCause) -> JSONOutput {
        .object([
            ("kind", .string("setting")), ("setting", .string(setting.setting.rawValue)),
            ("works", setting.works.map { .string($0) } ?? .null), ("message", .string(setting.message)),
        ])
    }

    static func render(_ cause: Diagnosis.Cause) -> JSONOutput {
        .object([
            ("kind", .string("bug")), ("mutant", .string(cause.mutant.rawValue)), ("exact", .bool(cause.exact)),
            ("bug", .string(cause.mutant.summary)), ("typicalCode", .string(cause.mutant.idioms)),
            ("fix", .string(cause.mutant.fix)), ("explains", .array(cause.explained.map { .string($0) })),
            ("alsoFailsWithThisBug", .array(cause.notFailed.map { .string($0) })),
            ("indistinguishableFrom", .array(cause.indistinguishable.map { .string($0.rawValue) })),
            ("unexplained", .array(cause.unexplained.map { .string($0) })),
            (
                "contradictedBy",
                .array(cause.contradictedBy.map { .object([("id", .string($0.id)), ("step", .string($0.step))]) })
            ),
            ("confirmed", .bool(cause.confirmed)),
            ("behind", cause.behind.map { .string($0) } ?? .null),
        ])
    }

    static func render(_ cause: Diagnosis.Cause, in diagnosis: Diagnosis) -> JSONOutput {
        guard cause.confirmed, let member = diagnosis.confirmedMember, case .object(var members) = render(cause)
        else { return render(cause) }
        members.append(("member", .string(member)))
        return .object(members)
    }
}
