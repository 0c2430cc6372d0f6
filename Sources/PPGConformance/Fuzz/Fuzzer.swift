import Foundation
import PPGSignature
import PPGVectors
import Synchronization

/// Where a fuzz case's expected answer comes from.
package enum FuzzOracle: Sendable {
    /// SPEC.md's reference receiver, in-process, with SPEC's alternatives (`acceptable`, `either`, RFC-allowed
    /// statuses) judged as such.
    case reference
    /// Another receiver (`fuzz --against`): the two must agree.
    case target(any ConformanceTarget)
}

/// What a fuzz run does.
package struct FuzzOptions: Sendable {
    /// The seed; the same seed generates the same cases.
    public var seed: UInt64
    /// Stop after this many cases.
    public var runs: Int?
    /// Stop after this many seconds: a deadline every part honours — batches, shrinking, re-checks — so a run
    /// ends within it plus one exchange's timeout.
    public var seconds: Double?
    /// Asked before every delivery: once it says stop (SIGINT, SIGTERM), the run ends with what it found so far.
    public var shouldStop: (@Sendable () -> Bool)?
    /// Stop once this many deliveries in a row got no answer (timeouts, resets), as `run` does; `nil` never stops.
    public var stopAfterUnanswered: Int?
    /// Deliveries at once (HTTP targets).
    public var jobs = 1
    /// The receiver's configuration: projectId, URLs, profile.
    public var configuration: ReceiverConfiguration
    /// The corpus manifest the cases are judged under (its flags name what a case exercises).
    public var manifest: Manifest
    /// Stop once this many distinct disagreements are found.
    public var stopAfter: Int?
    /// Candidates tried when shrinking one disagreement.
    public var maximumShrinkSteps = 2000
    /// As for `run`: a disagreement in a class the file lists (by the corpus vector the class reads like) is
    /// counted as expected, not reported or written.
    public var expectedFailures: ExpectedFailures?
    /// As for `run`: a disagreement on a `recommended` class fails the run, and a signature fault must get 401/403.
    public var strict = false
    /// Called after each batch with the cases run and the distinct disagreements so far.
    public var progress: (@Sendable (Int, Int) -> Void)?

    /// Creates options.
    public init(seed: UInt64, configuration: ReceiverConfiguration, manifest: Manifest) {
        self.seed = seed
        self.configuration = configuration
        self.manifest = manifest
    }
}

/// One distinct disagreement, shrunk.
package struct FuzzDisagreement: Sendable {
    /// The shrunk case as a receiver vector, with SPEC's expectation and level.
    public var vector: ReceiverVector
    /// The case number (from 0) that first showed it.
    public var firstRun: Int
    /// What the target answered to the shrunk case: the outcome's `actual`.
    public var actual: String
    /// The status received, if any.
    public var status: Int?
    /// The statuses that conform (`2xx`, `4xx`, codes), as the JSON report lists them.
    public var allowed: [String]
    /// The shrunk delivery as sent: request-line, header fields in order, body, signed URL.
    public var request: String
    /// Why the target's answer is wrong.
    public var reason: String
    /// The corpus vector whose reading the delivery falls under, where SPEC gives the class its own answer or
    /// level; `nil` where SPEC's rule alone decides.
    public var classVectorID: String?
    /// Known bugs (mutants) that answer the shrunk case as the target did: the likely causes.
    public var causes: [Mutant]
    /// Candidates tried while shrinking.
    public var shrinkSteps: Int

    /// A warning (a `recommended` class, without `--strict`) rather than a failure.
    public var isWarning: Bool { vector.level == .recommended }
}

/// A fuzz run's result.
package struct FuzzResult: Sendable {
    /// The seed.
    public var seed: UInt64
    /// Deliveries sent and judged.
    public var runs: Int
    /// Of those, deliveries where SPEC allows either answer: judged for what R11 never allows (5xx, 3xx, no answer).
    public var either = 0
    /// Cases generated but not sent: the oracle (`--against`) gave no verdict.
    public var notJudged: Int
    /// Disagreements in classes the expected-failures file lists, by the class's vector id.
    public var expected: [String: Int] = [:]
    /// Disagreements dropped unshrunk as another case of one already found.
    public var duplicates = 0
    /// How many sent deliveries exercised each feature (`FuzzCase.features`).
    public var features: [String: Int] = [:]
    /// Seconds the run took.
    public var seconds: Double
    /// Distinct disagreements, in the order found.
    public var disagreements: [FuzzDisagreement]
    /// Whether `FuzzOptions.shouldStop` ended the run early.
    public var interrupted = false
    /// Set when the run stopped because deliveries went unanswered: how many in a row.
    public var stoppedAfterUnanswered: Int?

    /// Whether a disagreement fails the run: one of a required class, or any under `strict`.
    public func fails(strict: Bool) -> Bool {
        disagreements.contains { strict || !$0.isWarning }
    }

    /// The features drawn in fewer than `share` of the runs (all features the generator knows), rarest first.
    public func rareFeatures(below share: Double = 0.01) -> [(feature: String, count: Int)] {
        guard runs > 0 else { return [] }
        return FuzzCase.knownFeatures.map { ($0, features[$0] ?? 0) }
            .filter { Double($0.1) < share * Double(runs) }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    }
}

/// SPEC's answer to one generated delivery: its expectation, level and class.
struct FuzzJudgement: Sendable {
    var expect: ExpectedVerdict
    var level: VectorLevel
    var fuzzClass: FuzzClass?
}

/// `ppg-conformance fuzz`: generated deliveries judged by SPEC.md's allowed answers, each disagreement shrunk to a
/// minimal delivery that still disagrees the same way, re-checked, and kept as a receiver vector.
package enum Fuzzer {
    static let batchSize = 256

    /// Runs cases until the options' budget is spent.
    /// - Parameters:
    ///   - target: The receiver under test.
    ///   - oracle: Where expectations come from.
    ///   - options: Seed, budget, configuration.
    /// - Returns: The distinct disagreements, shrunk.
    public static func run(target: any ConformanceTarget, oracle: FuzzOracle, options: FuzzOptions) -> FuzzResult {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = options.seconds.map { start + .nanoseconds(Int64($0 * 1e9)) }
        let interrupted = LatchedFlag()
        let userStop = options.shouldStop
        // One deadline for everything the run does: no part of it checks the clock its own way.
        var options = options
        options.shouldStop = { @Sendable in
            if userStop?() == true { interrupted.set() }
            return interrupted.isSet || deadline.map { ContinuousClock.now >= $0 } ?? false
        }
        let profile = options.configuration.profile
        let run = FuzzRun(target: target, oracle: oracle, options: options)
        var result = FuzzResult(seed: options.seed, runs: 0, notJudged: 0, seconds: 0, disagreements: [])
        // What each disagreement found so far is: a later case that holds all its features and disagrees the same
        // way is another case of it, dropped before it costs a shrink.
        var known: [DisagreementShape] = []
        var unansweredInARow = 0
        var featureCounts = FeatureTally()
        func stopping() -> Bool { options.shouldStop?() == true }
        batches: while options.runs.map({ result.runs < $0 }) ?? true, !stopping(),
            options.stopAfter.map({ result.disagreements.count < $0 }) ?? true
        {
            let first = result.runs + result.notJudged
            let count = min(batchSize, (options.runs ?? Int.max) - result.runs)
            var batch: [(index: Int, fuzzCase: FuzzCase, features: FuzzFeatures, judgement: FuzzJudgement)] = []
            var outcomes: [VectorOutcome] = []
            for prepared in prepare(first..<(first + count), target: target, run: run) {
                guard let judgement = prepared.judgement, let outcome = prepared.outcome else {
                    result.notJudged += 1
                    continue
                }
                batch.append((prepared.index, prepared.fuzzCase, prepared.features, judgement))
                outcomes.append(outcome)
            }
            for (item, outcome) in zip(batch, outcomes) {
                // Not sent (the run was stopped): neither a run nor a finding.
                if Runner.wasNotSent(outcome) {
                    if outcome.reason == Runner.stoppedReason {
                        result.stoppedAfterUnanswered = max(unansweredInARow, options.stopAfterUnanswered ?? 0)
                    }
                    break batches
                }
                result.runs += 1
                let features = item.features
                featureCounts.add(features)
                if item.judgement.expect == .either { result.either += 1 }
                unansweredInARow = outcome.unanswered ? unansweredInARow + 1 : 0
                if let limit = options.stopAfterUnanswered, unansweredInARow >= limit {
                    result.stoppedAfterUnanswered = unansweredInARow
                    break batches
                }
                guard disagrees(outcome) else { continue }
                let shape = DisagreementShape(
                    expect: item.judgement.expect, answer: statusClass(outcome.actualStatus),
                    features: DisagreementShape.features(features.names))
                if let classID = item.judgement.fuzzClass?.vectorID,
                    options.expectedFailures?.entry(for: classID, profile: profile) != nil
                {
                    result.expected[classID, default: 0] += 1
                    continue
                }
                if known.contains(where: { $0.covers(shape) }) {
                    result.duplicates += 1
                    continue
                }
                // A delivery that got no answer is kept as it is: shrinking it would wait out a timeout per step.
                let found =
                    outcome.unanswered
                    ? unshrunk(item.fuzzCase, firstRun: item.index, outcome: outcome, item.judgement, options)
                    : shrink(item.fuzzCase, firstRun: item.index, initial: (outcome, item.judgement), run: run)
                guard let (disagreement, shrunk) = found else { continue }
                let shrunkShape = DisagreementShape(
                    expect: disagreement.vector.expect, answer: statusClass(disagreement.status),
                    features: DisagreementShape.features(shrunk.features.names))
                // Shrunk, cases found apart often turn out the same disagreement: one vector each.
                if known.contains(where: { $0.covers(shrunkShape) }) {
                    result.duplicates += 1
                    continue
                }
                known.append(shrunkShape)
                result.disagreements.append(disagreement)
                if let stopAfter = options.stopAfter, result.disagreements.count >= stopAfter { break batches }
            }
            options.progress?(result.runs, result.disagreements.count)
        }
        result.features = featureCounts.named
        result.seconds = seconds(clock.now - start)
        result.interrupted = interrupted.isSet
        return result
    }

    /// What a disagreement is, for telling a new one from another case of one found: what SPEC expected, the
    /// class of the answer, and the features the delivery exercised.
    struct DisagreementShape {
        var expect: ExpectedVerdict
        var answer: String
        var features: Set<String>

        /// A delivery's features as a shape holds them: without the defaults (no query, the default
        /// Content-Type, POST, a body of the projectId alone, a valid signature), which a shrunk case holds for being
        /// shrunk, not for being the disagreement.
        /// A query piece counts by its form (plain, percent-escape, `+`, …), not its text: `?a=1` and `?token=abc`
        /// reach the same bug.
        static func features(_ all: Set<String>) -> Set<String> {
            Set(
                all.subtracting([
                    "query:none", "content-type:default", "method:POST", "body:projectId-only", "signature:valid",
                ]).map {
                    feature in
                    guard feature.hasPrefix("query:"), feature != "query:bare" else { return feature }
                    let piece = feature.dropFirst("query:".count)
                    if piece.contains("%") { return "query-form:percent-escape" }
                    if piece.contains("+") { return "query-form:plus" }
                    if piece.contains(";") { return "query-form:semicolon" }
                    if piece.contains("&") { return "query-form:repeated-name" }
                    if !piece.contains("=") { return "query-form:no-value" }
                    if piece.hasSuffix("=") { return "query-form:empty-value" }
                    if piece.contains(where: \.isUppercase) { return "query-form:capitals" }
                    return "query-form:plain"
                })
        }

        /// Whether `other` is a case of this disagreement: the same expectation (any, for an answer wrong whatever
        /// was expected) and answer, and every feature of this (shrunk) one present in it.
        func covers(_ other: DisagreementShape) -> Bool {
            (expect == other.expect || Self.wrongWhateverExpected(answer)) && answer == other.answer
                && features.isSubset(of: other.features)
        }

        /// Whether an answer class fails every delivery: a 5xx, a redirect, no answer (R11).
        static func wrongWhateverExpected(_ answer: String) -> Bool { !["2xx", "4xx"].contains(answer) }
    }

    /// A disagreement kept as found, not shrunk: a delivery that got no answer.
    static func unshrunk(
        _ fuzzCase: FuzzCase, firstRun: Int, outcome: VectorOutcome, _ judgement: FuzzJudgement,
        _ options: FuzzOptions
    ) -> (FuzzDisagreement, FuzzCase) {
        let vector = fuzzCase.vector(
            id: "fuzz/found", comment: "", flags: FuzzShrinker.flags(of: fuzzCase, in: options.manifest),
            expect: judgement.expect, level: judgement.level)
        return (
            FuzzDisagreement(
                vector: vector, firstRun: firstRun, actual: outcome.actual, status: outcome.actualStatus,
                allowed: outcome.expectedStatuses, request: outcome.request, reason: outcome.reason,
                classVectorID: judgement.fuzzClass?.vectorID, causes: [], shrinkSteps: 0),
            fuzzCase
        )
    }

    /// Cases `indices` of the run's seed, each generated, judged by the oracle and sent to the target once: in-process
    /// on a thread per core, each case start to end on one thread; over HTTP or a pipe, `jobs` at a time, the
    /// oracle's work done across the cores first.
    static func prepare(_ indices: Range<Int>, target: any ConformanceTarget, run: FuzzRun) -> [PreparedCase] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let oracleThreads = run.oracleTarget.runsInProcess ? cores : max(1, run.options.jobs)
        guard !target.runsInProcess else {
            return WorkerThreads.map(Array(indices), threads: oracleThreads, name: "ppg-fuzz") { index in
                var prepared = run.prepare(FuzzGenerator.fuzzCase(seed: run.options.seed, index: index), index: index)
                prepared.features = prepared.fuzzCase.features
                run.send(&prepared)
                return prepared
            }
        }
        var prepared = WorkerThreads.map(Array(indices), threads: oracleThreads, name: "ppg-fuzz-oracle") { index in
            var prepared = run.prepare(FuzzGenerator.fuzzCase(seed: run.options.seed, index: index), index: index)
            prepared.features = prepared.fuzzCase.features
            return prepared
        }
        let planned = prepared.compactMap(\.planned)
        var outcomes = run.execute(planned)[...]
        for index in prepared.indices where prepared[index].planned != nil {
            prepared[index].outcome = outcomes.popFirst()
        }
        return prepared
    }

    /// What an oracle's status says: accepted, rejected, or nothing (a 5xx, a redirect, no answer). A status an
    /// RFC allows before any handler (the vector's `alsoAllowed`) is a refusal only of a delivery whose signature is
    /// wrong anyway; of a valid one it says nothing about SPEC's verdict.
    static func verdict(_ status: Int?, alsoAllowed: [Int], signed: Bool) -> ExpectedVerdict? {
        switch status {
        case (200...299)?: .accept
        case let status? where (400...499).contains(status) && (!signed || !alsoAllowed.contains(status)): .reject
        default: nil
        }
    }

    /// SPEC's answer to a case and the target's outcome on it, or `nil` where the oracle gave none.
    static func judged(_ fuzzCase: FuzzCase, run: FuzzRun) -> (outcome: VectorOutcome, judgement: FuzzJudgement)? {
        var prepared = run.prepare(fuzzCase, index: nil)
        guard let judgement = prepared.judgement, let planned = prepared.planned else { return nil }
        if run.target.runsInProcess {
            run.send(&prepared)
        } else {
            prepared.outcome = run.execute([planned], bodies: true).first
        }
        return prepared.outcome.map { ($0, judgement) }
    }

    static func disagrees(_ outcome: VectorOutcome) -> Bool { outcome.status == .fail || outcome.status == .error }

    /// The smallest case found that still disagrees the same way (the same expectation and level, an answer of the
    /// same class), re-checked once more on the target; `nil` if it no longer disagrees at all (a flaky answer). One
    /// pass over the simpler variants, keeping each that still disagrees and going on from there, repeated while a
    /// pass changes anything.
    static func shrink(
        _ original: FuzzCase, firstRun: Int, initial: (outcome: VectorOutcome, judgement: FuzzJudgement), run: FuzzRun
    ) -> (FuzzDisagreement, FuzzCase)? {
        let options = run.options
        var current = original
        var steps = 0
        var index = 0
        var changed = false
        var seen: [FuzzCase: (outcome: VectorOutcome, judgement: FuzzJudgement)?] = [original: initial]
        let way = (initial.judgement.expect, statusClass(initial.outcome.actualStatus), initial.judgement.level)
        func check(_ candidate: FuzzCase) -> (outcome: VectorOutcome, judgement: FuzzJudgement)? {
            if let known = seen[candidate] { return known }
            let result = judged(candidate, run: run)
            seen[candidate] = result
            return result
        }
        func sameWay(_ result: (outcome: VectorOutcome, judgement: FuzzJudgement)?) -> Bool {
            guard let result, disagrees(result.outcome) else { return false }
            // A required disagreement never shrinks into a recommended one (a bare '?' from '?token=abc'), the
            // other way it may; a 5xx, a redirect or no answer is wrong whatever was expected, so it may shrink to a
            // valid delivery.
            let anyExpectation = DisagreementShape.wrongWhateverExpected(way.1)
            return (anyExpectation || result.judgement.expect == way.0)
                && statusClass(result.outcome.actualStatus) == way.1
                && (result.judgement.level == way.2 || result.judgement.level == .required)
        }
        func stopping() -> Bool { options.shouldStop?() == true }
        while steps < options.maximumShrinkSteps && !stopping() {
            let candidates = FuzzShrinker.simpler(current)
            if index >= candidates.count {
                guard changed else { break }
                (index, changed) = (0, false)
                continue
            }
            steps += 1
            if sameWay(check(candidates[index])) {
                current = candidates[index]
                changed = true
            } else {
                index += 1
            }
        }
        // Once the budget is spent, what was found stands as shrunk so far: no re-check, no neighbours sent.
        let known = seen[current] ?? nil
        if !stopping() { seen[current] = nil }
        var rechecked = check(current)
        if let result = rechecked, Runner.wasNotSent(result.outcome) {
            rechecked = known
        }
        guard let (outcome, judgement) = rechecked, disagrees(outcome) else { return nil }
        // A known bug explains the case only if it also answers each simpler case as the target does.
        let neighbours =
            stopping()
            ? []
            : FuzzShrinker.simpler(current).compactMap { candidate in
                check(candidate).map { (candidate, statusClass($0.outcome.actualStatus)) }
            }
        // The neighbours are asked of the mutants that answer the case itself so, not of every mutant.
        let candidates = likelyCauses(current, expect: judgement.expect, actual: outcome.actualStatus, options)
        let neighbourAnswers = neighbours.map { candidate, targetClass in
            (answers(to: candidate, options, mutants: candidates), targetClass)
        }
        let causes = candidates.filter { mutant in
            neighbourAnswers.allSatisfy { answers, targetClass in statusClass(answers[mutant] ?? nil) == targetClass }
        }
        let vector = current.vector(
            id: "fuzz/found", comment: "", flags: FuzzShrinker.flags(of: current, in: options.manifest),
            expect: judgement.expect, level: judgement.level)
        let disagreement = FuzzDisagreement(
            vector: vector, firstRun: firstRun, actual: outcome.actual, status: outcome.actualStatus,
            allowed: outcome.expectedStatuses, request: outcome.request, reason: outcome.reason,
            classVectorID: judgement.fuzzClass?.vectorID, causes: causes, shrinkSteps: steps)
        return (disagreement, current)
    }

    /// The mutants that answer a case in the target's status class while the expectation says otherwise.
    static func likelyCauses(
        _ fuzzCase: FuzzCase, expect: ExpectedVerdict, actual: Int?, _ options: FuzzOptions
    ) -> [Mutant] {
        // Bugs that get every delivery wrong explain anything: named after the bugs that get only some wrong.
        let broad: [Mutant] = [.acceptAll, .okWithErrorBody, .redirects]
        let answers = answers(to: fuzzCase, options)
        return Mutant.allCases.filter { mutant in
            guard let status = answers[mutant] else { return false }
            return statusClass(status) == statusClass(actual) && statusClass(status) != expected(expect)
        }.sorted { !broad.contains($0) && broad.contains($1) }
    }

    /// Each mutant's status for a case, in-process: the case materialised once for all of them.
    static func answers(
        to fuzzCase: FuzzCase, _ options: FuzzOptions, mutants: [Mutant] = Mutant.allCases
    ) -> [Mutant: Int?] {
        let vector = fuzzCase.vector(id: "fuzz/cause", comment: "", flags: [], expect: .either)
        guard let deliveries = try? vector.deliveries(for: options.configuration) else { return [:] }
        let reference = ReferenceReceiver(
            projectID: options.configuration.projectID, publicURL: options.configuration.publicURL,
            profile: options.configuration.profile)
        var answers: [Mutant: Int?] = [:]
        for mutant in mutants where mutant.applies(to: options.configuration.profile.scheme) {
            let target = ReferenceTarget(
                configuration: options.configuration, receiver: MutantReceiver(mutant: mutant, reference: reference))
            answers[mutant] = (try? target.deliver(deliveries))?.first?.status
        }
        return answers
    }

    static func statusClass(_ status: Int?) -> String {
        guard let status else { return "none" }
        return "\(status / 100)xx"
    }

    static func expected(_ verdict: ExpectedVerdict) -> String {
        switch verdict {
        case .accept: "2xx"
        case .reject: "4xx"
        case .either: "either"
        }
    }
}

/// A flag that, once set, stays set; shared by the closures of one run.
final class LatchedFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .relaxed) }

    var isSet: Bool { value.load(ordering: .relaxed) }
}
