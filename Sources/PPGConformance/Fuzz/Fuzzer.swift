import Foundation
import PPGSignature
import PPGVectors
import Synchronization

/// Where a fuzz case's expected answer comes from.
public enum FuzzOracle: Sendable {
    /// SPEC.md's reference receiver, in-process, with SPEC's alternatives (`acceptable`, `either`, RFC-allowed
    /// statuses) judged as such.
    case reference
    /// Another receiver (`fuzz --against`): the two must agree.
    case target(any ConformanceTarget)
}

/// What a fuzz run does.
public struct FuzzOptions: Sendable {
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
public struct FuzzDisagreement: Sendable {
    /// The shrunk case as a receiver vector, with the oracle's expectation.
    public var vector: ReceiverVector
    /// The case number (from 0) that first showed it.
    public var firstRun: Int
    /// What the target answered to the shrunk case: the outcome's `actual`.
    public var actual: String
    /// Why the target's answer is wrong.
    public var reason: String
    /// Known bugs (mutants) that answer the shrunk case as the target did: the likely causes.
    public var causes: [Mutant]
    /// Candidates tried while shrinking.
    public var shrinkSteps: Int
}

/// A fuzz run's result.
public struct FuzzResult: Sendable {
    /// The seed.
    public var seed: UInt64
    /// Cases generated and judged.
    public var runs: Int
    /// Of those, cases where SPEC allows either answer (never a disagreement) or the oracle gave none.
    public var notJudged: Int
    /// Seconds the run took.
    public var seconds: Double
    /// Distinct disagreements, in the order found.
    public var disagreements: [FuzzDisagreement]
    /// Whether `FuzzOptions.shouldStop` ended the run early.
    public var interrupted = false
    /// Set when the run stopped because deliveries went unanswered: how many in a row.
    public var stoppedAfterUnanswered: Int?
}

/// `ppg-conformance fuzz`: generated deliveries judged against an oracle, each disagreement shrunk to a minimal
/// delivery that still disagrees, re-checked, and kept as a receiver vector.
public enum Fuzzer {
    static let batchSize = 64

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
        var runs = 0
        var notJudged = 0
        var found: [FuzzDisagreement] = []
        var seen = Set<String>()
        var unansweredInARow = 0
        var stoppedAfterUnanswered: Int?
        func elapsed() -> Double { seconds(clock.now - start) }
        func stopping() -> Bool { options.shouldStop?() == true }
        batches: while options.runs.map({ runs < $0 }) ?? true, !stopping(),
            options.stopAfter.map({ found.count < $0 }) ?? true
        {
            let count = min(batchSize, (options.runs ?? Int.max) - runs)
            let cases = (runs..<(runs + count)).map { FuzzGenerator.fuzzCase(seed: options.seed, index: $0) }
            var batch: [(index: Int, fuzzCase: FuzzCase, expect: ExpectedVerdict)] = []
            for (offset, expect) in expectations(cases, oracle: oracle, options: options).enumerated() {
                guard let expect else {
                    notJudged += 1
                    continue
                }
                batch.append((runs + offset, cases[offset], expect))
            }
            let vectors = batch.map { item in
                item.fuzzCase.vector(id: "fuzz/\(item.index)", comment: "", flags: [], expect: item.expect)
            }
            let outcomes = judge(vectors, target: target, options: options, jobs: options.jobs)
            var sent = count - batch.count
            for (item, outcome) in zip(batch, outcomes) {
                // Not sent (the run was stopped): neither a run nor a finding.
                if Runner.wasNotSent(outcome) { continue }
                sent += 1
                unansweredInARow = outcome.unanswered ? unansweredInARow + 1 : 0
                if let limit = options.stopAfterUnanswered, unansweredInARow >= limit {
                    stoppedAfterUnanswered = unansweredInARow
                }
                guard outcome.status == .fail || outcome.status == .error, stoppedAfterUnanswered == nil else {
                    continue
                }
                let causes = likelyCauses(item.fuzzCase, expect: item.expect, actual: outcome.actualStatus, options)
                let key =
                    "\(item.expect.rawValue) \(statusClass(outcome.actualStatus)) "
                    + causes.map(\.rawValue).joined(separator: ",")
                guard !seen.contains(key) else { continue }
                seen.insert(key)
                // A delivery that got no answer is kept as it is: shrinking it would wait out a timeout per step.
                let disagreement =
                    outcome.unanswered
                    ? unshrunk(item.fuzzCase, firstRun: item.index, outcome: outcome, expect: item.expect, options)
                    : shrink(
                        item.fuzzCase, firstRun: item.index, initial: (outcome, item.expect), target: target,
                        oracle: oracle, options: options)
                guard let disagreement else { continue }
                // Shrunk, cases found apart often turn out the same bug: one vector each.
                let shrunkKey =
                    "shrunk \(disagreement.vector.expect.rawValue) \(disagreement.reason) "
                    + disagreement.causes.map(\.rawValue).joined(separator: ",")
                guard !seen.contains(shrunkKey) else { continue }
                seen.insert(shrunkKey)
                found.append(disagreement)
                if let stopAfter = options.stopAfter, found.count >= stopAfter { break }
            }
            runs += sent
            options.progress?(runs, found.count)
            if stoppedAfterUnanswered != nil || sent < count { break batches }
        }
        var result = FuzzResult(
            seed: options.seed, runs: runs, notJudged: notJudged, seconds: elapsed(), disagreements: found)
        result.interrupted = interrupted.isSet
        result.stoppedAfterUnanswered = stoppedAfterUnanswered
        return result
    }

    /// A disagreement kept as found, not shrunk: a delivery that got no answer.
    static func unshrunk(
        _ fuzzCase: FuzzCase, firstRun: Int, outcome: VectorOutcome, expect: ExpectedVerdict, _ options: FuzzOptions
    ) -> FuzzDisagreement {
        let vector = fuzzCase.vector(
            id: "fuzz/found", comment: "", flags: FuzzShrinker.flags(of: fuzzCase, in: options.manifest),
            expect: expect)
        return FuzzDisagreement(
            vector: vector, firstRun: firstRun, actual: outcome.actual, reason: outcome.reason, causes: [],
            shrinkSteps: 0)
    }

    /// The oracle's expectations for a batch: in-process one by one, or over HTTP `jobs` at a time.
    static func expectations(_ cases: [FuzzCase], oracle: FuzzOracle, options: FuzzOptions) -> [ExpectedVerdict?] {
        guard case .target(let other) = oracle else {
            return cases.map { expectation($0, oracle: oracle, options: options) }
        }
        let vectors = cases.enumerated().map { offset, fuzzCase in
            fuzzCase.vector(id: "fuzz/\(offset)", comment: "", flags: [], expect: .either)
        }
        let outcomes = judge(vectors, target: other, options: options, jobs: options.jobs)
        let statuses = Dictionary(outcomes.map { ($0.id, $0.actualStatus) }) { first, _ in first }
        return vectors.map { vector in verdict(statuses[vector.id] ?? nil, alsoAllowed: vector.alsoAllowed ?? []) }
    }

    /// What a status says: accepted, rejected (unless the status is one the vector also allows), or nothing.
    static func verdict(_ status: Int?, alsoAllowed: [Int]) -> ExpectedVerdict? {
        switch status {
        case (200...299)?: .accept
        case let status? where (400...499).contains(status) && !alsoAllowed.contains(status): .reject
        default: nil
        }
    }

    /// The oracle's expectation for a case, or `nil` where either answer conforms or the oracle gave no verdict.
    static func expectation(_ fuzzCase: FuzzCase, oracle: FuzzOracle, options: FuzzOptions) -> ExpectedVerdict? {
        let oracleTarget: any ConformanceTarget
        switch oracle {
        case .reference:
            if fuzzCase.eitherReason(under: options.configuration.profile.scheme) != nil { return nil }
            oracleTarget = ReferenceTarget(configuration: options.configuration)
        case .target(let other):
            oracleTarget = other
        }
        let vector = fuzzCase.vector(id: "fuzz/oracle", comment: "", flags: [], expect: .either)
        guard let deliveries = try? vector.deliveries(for: options.configuration),
            deliveries.allSatisfy({ $0.notApplicable == nil })
        else { return nil }
        return verdict((try? oracleTarget.deliver(deliveries))?.first?.status, alsoAllowed: vector.alsoAllowed ?? [])
    }

    /// Runs vectors on the target as the corpus runner does, in order.
    static func judge(
        _ vectors: [ReceiverVector], target: any ConformanceTarget, options: FuzzOptions, jobs: Int
    ) -> [VectorOutcome] {
        guard !vectors.isEmpty else { return [] }
        let corpus = Corpus(
            directory: "", manifest: options.manifest,
            receiverVectors: vectors.map { Located(vector: $0, file: "receiver/fuzz.json", category: "fuzz") })
        var runOptions = RunOptions(
            configuration: options.configuration, jobs: jobs, stopAfterUnanswered: options.stopAfterUnanswered)
        runOptions.shouldStop = options.shouldStop
        return Runner.run(corpus: corpus, target: target, options: runOptions).outcomes
    }

    /// The oracle's expectation for a case and the target's outcome on it, or `nil` where either answer conforms.
    static func judged(
        _ fuzzCase: FuzzCase, target: any ConformanceTarget, oracle: FuzzOracle, options: FuzzOptions
    ) -> (outcome: VectorOutcome, expect: ExpectedVerdict)? {
        guard let expect = expectation(fuzzCase, oracle: oracle, options: options) else { return nil }
        let vector = fuzzCase.vector(id: "fuzz/shrink", comment: "", flags: [], expect: expect)
        return judge([vector], target: target, options: options, jobs: 1).first.map { ($0, expect) }
    }

    static func disagrees(_ outcome: VectorOutcome) -> Bool { outcome.status == .fail || outcome.status == .error }

    /// The smallest case found that still disagrees, re-checked once more on the target; `nil` if it no longer
    /// disagrees at all (a flaky answer). One pass over the simpler variants, keeping each that still disagrees
    /// and going on from there, repeated while a pass changes anything.
    static func shrink(
        _ original: FuzzCase, firstRun: Int, initial: (outcome: VectorOutcome, expect: ExpectedVerdict)? = nil,
        target: any ConformanceTarget, oracle: FuzzOracle, options: FuzzOptions
    ) -> FuzzDisagreement? {
        var current = original
        var steps = 0
        var index = 0
        var changed = false
        var seen: [FuzzCase: (outcome: VectorOutcome, expect: ExpectedVerdict)?] = [:]
        if let initial { seen[original] = initial }
        func check(_ candidate: FuzzCase) -> (outcome: VectorOutcome, expect: ExpectedVerdict)? {
            if let known = seen[candidate] { return known }
            let result = judged(candidate, target: target, oracle: oracle, options: options)
            seen[candidate] = result
            return result
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
            if let result = check(candidates[index]), disagrees(result.outcome) {
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
        guard let (outcome, expect) = rechecked, disagrees(outcome) else { return nil }
        // A known bug explains the case only if it also answers each simpler case as the target does.
        let neighbours =
            stopping()
            ? []
            : FuzzShrinker.simpler(current).compactMap { candidate in
                check(candidate).map { (candidate, statusClass($0.outcome.actualStatus)) }
            }
        let neighbourAnswers = neighbours.map { candidate, targetClass in (answers(to: candidate, options), targetClass)
        }
        let causes = likelyCauses(current, expect: expect, actual: outcome.actualStatus, options).filter { mutant in
            neighbourAnswers.allSatisfy { answers, targetClass in statusClass(answers[mutant] ?? nil) == targetClass }
        }
        let vector = current.vector(
            id: "fuzz/found", comment: "", flags: FuzzShrinker.flags(of: current, in: options.manifest),
            expect: expect)
        return FuzzDisagreement(
            vector: vector, firstRun: firstRun, actual: outcome.actual, reason: outcome.reason, causes: causes,
            shrinkSteps: steps)
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
    static func answers(to fuzzCase: FuzzCase, _ options: FuzzOptions) -> [Mutant: Int?] {
        let vector = fuzzCase.vector(id: "fuzz/cause", comment: "", flags: [], expect: .either)
        guard let deliveries = try? vector.deliveries(for: options.configuration) else { return [:] }
        let reference = ReferenceReceiver(
            projectID: options.configuration.projectID, publicURL: options.configuration.publicURL,
            profile: options.configuration.profile)
        var answers: [Mutant: Int?] = [:]
        for mutant in Mutant.allCases where mutant.applies(to: options.configuration.profile.scheme) {
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
