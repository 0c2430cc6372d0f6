/// What `mutants` found for one receiver.
package struct MutantResult: Sendable {
    /// `nil` for the correct reference receiver, run as the control.
    public var mutant: Mutant?
    /// Required vectors that failed (caught the bug).
    public var caughtBy: [String]
    /// Recommended vectors that failed.
    public var warnedBy: [String]
    /// How many exchanges got no answer.
    public var errors: Int
    /// The run's counts.
    public var summary: RunSummary
    /// The run itself, for diagnosis.
    public var run: RunResult

    /// Whether at least one required vector caught the mutant.
    public var caught: Bool { !caughtBy.isEmpty }
}
