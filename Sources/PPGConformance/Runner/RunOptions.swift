import PPGSignature
import PPGVectors

/// What one run takes besides the corpus and the target.
public struct RunOptions: Sendable {
    /// Which vectors run.
    public var selection: Selection
    /// Only signature vectors of this scheme run (others are skipped); receiver vectors use `configuration`.
    public var scheme: SignatureScheme?
    /// Only signature vectors of this encoding run.
    public var encoding: SignatureEncoding?
    /// Recommended vectors fail the run; rejections over the signature must be 401 or 403.
    public var strict: Bool
    /// Known gaps, if a file was given.
    public var expectedFailures: ExpectedFailures?
    /// The receiver's configuration, for receiver vectors.
    public var configuration: ReceiverConfiguration
    /// How many receiver vectors run at once.
    public var jobs: Int
    /// Stop sending once this many vectors in a row got no answer (timeouts, resets): a receiver that answers
    /// nothing is told in seconds, not after the whole corpus. `nil` never stops.
    public var stopAfterUnanswered: Int?
    /// Called from the workers after each vector, for a progress display.
    public var vectorDone: (@Sendable () -> Void)?
    /// Asked before each vector is sent: once it says stop (a deadline passed, a signal arrived), the vectors not
    /// yet sent are recorded as not sent, with `Runner.interruptedReason`. A delivery under way finishes or times out.
    public var shouldStop: (@Sendable () -> Bool)?
    /// Whether a passing receiver vector's outcome carries its request, signed text and reproduction. `fuzz`, which
    /// keeps only its disagreements, turns it off: writing them costs more than the delivery in-process.
    package var describesPasses = true

    /// Creates options.
    public init(
        selection: Selection = Selection(), scheme: SignatureScheme? = nil, encoding: SignatureEncoding? = nil,
        strict: Bool = false, expectedFailures: ExpectedFailures? = nil,
        configuration: ReceiverConfiguration, jobs: Int = 1, stopAfterUnanswered: Int? = nil,
        vectorDone: (@Sendable () -> Void)? = nil
    ) {
        self.stopAfterUnanswered = stopAfterUnanswered
        self.vectorDone = vectorDone
        self.selection = selection
        self.scheme = scheme
        self.encoding = encoding
        self.strict = strict
        self.expectedFailures = expectedFailures
        self.configuration = configuration
        self.jobs = jobs
    }
}
