import PPGVectors

/// The whole conformance run as one value and one call: plan, preflight, deliveries, diagnosis, setting probes,
/// result — the sequence `ppg-conformance run` follows, so a Swift program (a receiver's own tests) gets the verdict,
/// the diagnosis and the stops the CLI gives, from the same code.
///
/// ```swift
/// let run = ConformanceRun(corpus: corpus, target: HandlerTarget(configuration: configuration) { request in
///     receiver.respond(to: request)
/// })
/// let result = try run.run()
/// #expect(result.summary.conforms, "\(run.report(result))")
/// ```
public struct ConformanceRun: Sendable {
    /// Why a run could not be made: nothing sent, or nothing judged.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// The kinds of refusal.
        public enum Kind: Sendable, Equatable {
            /// The selection tests nothing on this target: no vector, or only vectors it skips.
            case nothingToTest
            /// The target cannot be reached: nothing accepted the connection, or no answer came.
            case unreachable
            /// The target could not go on (a verifier program that exited or answered garbage).
            case targetFailed
        }

        /// Which refusal.
        public var kind: Kind
        /// One line for a person, without a command name in front.
        public var message: String

        public var description: String { message }
    }

    /// Where the run is, for a caller that shows progress.
    public enum Stage: Sendable {
        /// The preflight passed and deliveries are being sent: this many vectors planned.
        case delivering(vectors: Int)
        /// A category's vectors are judged: the category and their outcomes.
        case categoryDone(String, [VectorOutcome])
        /// The failures are run through every known bug, in-process.
        case diagnosing
        /// A few extra deliveries test the run's settings and the likely cause on the wire.
        case probing
    }

    /// The vectors.
    public var corpus: Corpus
    /// What the vectors are run against.
    public var target: any ConformanceTarget
    /// Selection, profile, strictness, expected failures, the receiver's configuration, concurrency, stops.
    public var options: RunOptions
    /// Whether failures are diagnosed (each known bug run in-process on the run's deliveries).
    public var diagnoses: Bool
    /// Whether, once the diagnosis has run, a few extra deliveries test the run's settings (key, URL, profile) and
    /// confirm a family member on the wire. Only for targets that answer deliveries as a receiver.
    public var probes: Bool

    /// Creates a run.
    /// - Parameters:
    ///   - corpus: The vectors.
    ///   - target: What they are run against.
    ///   - options: How; by default SPEC's profile and the target's configuration.
    ///   - diagnoses: Whether failures are diagnosed.
    ///   - probes: Whether settings are probed with extra deliveries.
    public init(
        corpus: Corpus, target: any ConformanceTarget, options: RunOptions, diagnoses: Bool = true, probes: Bool = true
    ) {
        self.corpus = corpus
        self.target = target
        self.options = options
        self.diagnoses = diagnoses
        self.probes = probes
    }

    /// The vectors the run would send and those its target does not take, by kind.
    /// - Returns: The plan.
    public func plan() -> (vectors: [PlannedVector], notSent: [VectorKind: Int]) {
        Runner.plan(corpus: corpus, target: target, options: options)
    }

    /// What is checked before anything is sent: a selection that would test nothing is refused (a run that tests
    /// nothing is not a conformant one), and the target must answer.
    /// - Throws: `Refusal` of kind `nothingToTest` or `unreachable`.
    public func preflight() throws(Refusal) {
        try preflight(plan())
    }

    private func preflight(_ plan: (vectors: [PlannedVector], notSent: [VectorKind: Int])) throws(Refusal) {
        let (planned, notSent) = plan
        if !planned.contains(where: { $0.skipReason == nil }) {
            let selection = options.selection
            let named =
                (selection.only.map { "--only '\($0)'" } + selection.skip.map { "--skip '\($0)'" }
                + selection.flags.map { "--flag \($0)" }).joined(separator: " ")
            let kinds = notSent.keys.map(\.rawValue).sorted().joined(separator: ", ")
            let why =
                planned.isEmpty
                ? (notSent.isEmpty ? "selects no vector" : "selects only vectors this target does not take (\(kinds))")
                : "selects only vectors that are skipped here (\(planned.compactMap(\.skipReason).first ?? ""))"
            throw Refusal(
                kind: .nothingToTest, message: "\(named.isEmpty ? "the run" : named) \(why): nothing would be tested")
        }
        do {
            try target.checkReachable()
        } catch {
            throw Refusal(kind: .unreachable, message: error.message)
        }
    }

    /// Runs it: preflight, every selected vector, then — unless the receiver stopped answering, when no answer
    /// matches any bug — the diagnosis and the setting probes.
    /// - Parameter stage: Called as the run moves on (on the calling thread).
    /// - Returns: The result, reports' input. A run stopped after unanswered deliveries returns what was judged,
    ///   with `stoppedAfterUnanswered` set.
    /// - Throws: `Refusal` when nothing could be sent or the target could not go on.
    public func run(stage: (Stage) -> Void = { _ in }) throws(Refusal) -> RunResult {
        // Planning materialises every delivery: done once, for the preflight and the run.
        let plan = plan()
        try preflight(plan)
        stage(.delivering(vectors: plan.vectors.count))
        var result = Runner.run(plan, corpus: corpus, target: target, options: options) { category, outcomes in
            if target.fatalError == nil { stage(.categoryDone(category, outcomes)) }
        }
        target.finish()
        if let fatal = target.fatalError { throw Refusal(kind: .targetFailed, message: fatal.message) }
        guard diagnoses, result.stoppedAfterUnanswered == nil else { return result }
        if result.summary.failing + result.summary.warnings > 0 { stage(.diagnosing) }
        result.diagnosis = Diagnosis.diagnose(result, corpus: corpus, options: options, target: target)
        guard probes, !target.judgesAsVerifier, !target.takesSignatureVectors, result.diagnosis != nil else {
            return result
        }
        stage(.probing)
        // Settings before bugs: a few extra deliveries test what the run may have set wrong.
        let finding = SettingProbe.probe(result, corpus: corpus, options: options, target: target)
        result.diagnosis?.probes = finding.probes
        result.diagnosis?.settings = finding.causes
        // The bug first, then its member: a member's reading replaces what the catalogue's member contradicted.
        result.diagnosis?.confirmed = finding.confirmedBug
        result.diagnosis?.confirmedMember = finding.member
        // Padding the receiver does not take hides every other bug: look past it once.
        if finding.confirmedBug == nil, finding.causes.contains(where: { $0.works == SettingProbe.unpaddedCause.works })
        {
            let behind = SettingProbe.behindUnpadded(corpus: corpus, options: options, target: target)
            result.diagnosis?.probes += behind.deliveries
            if !behind.causes.isEmpty {
                result.diagnosis?.causes = behind.causes
                result.diagnosis?.unexplained = behind.unexplained
            }
        }
        // A family named first is confirmed on the wire: one refused delivery per member.
        if finding.confirmedBug == nil, finding.causes.isEmpty,
            let family = SettingProbe.confirmFamily(result, corpus: corpus, options: options, target: target)
        {
            result.diagnosis?.probes += family.probes
            result.diagnosis?.confirmed = family.confirmedBug
            result.diagnosis?.confirmedMember = family.member
        }
        return result
    }

    /// Why a stopped run stopped, as one line, or `nil` when it ran to the end.
    /// - Parameter result: This run's result.
    /// - Returns: The line.
    public func stopMessage(_ result: RunResult) -> String? {
        guard let unanswered = result.stoppedAfterUnanswered else { return nil }
        let left = result.outcomes.filter { $0.reason == Runner.stoppedReason }.count
        return "stopped: \(counted(unanswered, "delivery", "deliveries")) went unanswered (timeouts or resets, "
            + "\(options.stopAfterUnanswered ?? 0) in a row), so \(counted(left, "vector")) "
            + "\(left == 1 ? "was" : "were") not sent; the reports cover what was"
    }
}
