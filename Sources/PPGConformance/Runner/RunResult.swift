import PPGSignature
import PPGVectors

/// The result of a run.
public struct RunResult: Sendable {
    /// Every outcome, in corpus order.
    public var outcomes: [VectorOutcome]
    /// The run's counts.
    public var summary: RunSummary
    /// Vectors left out because the target does not take their kind.
    public var notSent: [VectorKind: Int]
    /// Lines for the console and the reports: unused expected-failure entries and the like.
    public var warnings: [String]
    /// The target, as reports name it.
    public var targetName: String
    /// Scheme and encoding.
    public var profile: SignatureProfile
    /// The corpus version the run used.
    public var corpusVersion: String
    /// Seconds since the Unix epoch when the run started.
    public var startedAt: Double
    /// Seconds the run took.
    public var duration: Double
    /// The likely causes of the run's failures, once `Diagnosis.diagnose` has run.
    public var diagnosis: Diagnosis?
    /// Set when the run stopped early because deliveries went unanswered: how many went unanswered in all.
    public var stoppedAfterUnanswered: Int?
}
