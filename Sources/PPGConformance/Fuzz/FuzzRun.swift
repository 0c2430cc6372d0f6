import PPGVectors
import PPGWire

/// A generated case made ready once: what it exercises, SPEC's judgement of it, the vector so judged with its
/// deliveries (built once, for the oracle, the target and the report alike), and the target's outcome.
struct PreparedCase: Sendable {
    /// The case number in the seed's sequence.
    var index: Int
    var fuzzCase: FuzzCase
    /// `fuzzCase.features`, computed on the thread that prepared it.
    var features = FuzzFeatures()
    /// `nil` where the oracle gave no verdict: the case is not sent.
    var judgement: FuzzJudgement?
    var planned: PlannedVector?
    var outcome: VectorOutcome?
}

/// One fuzz run's fixed parts, shared by its threads: the target, the oracle's receiver, and the options every
/// delivery is built and judged under.
struct FuzzRun: Sendable {
    let target: any ConformanceTarget
    /// SPEC.md's reference in-process, or `--against`'s receiver.
    let oracleTarget: any ConformanceTarget
    let options: FuzzOptions
    /// The corpus runner's options for the same run: the judging rules are `run`'s.
    let runOptions: RunOptions

    init(target: any ConformanceTarget, oracle: FuzzOracle, options: FuzzOptions) {
        self.target = target
        self.options = options
        oracleTarget =
            switch oracle {
            case .reference: ReferenceTarget(configuration: options.configuration)
            case .target(let other): other
            }
        var runOptions = RunOptions(
            strict: options.strict, configuration: options.configuration, jobs: options.jobs,
            stopAfterUnanswered: options.stopAfterUnanswered)
        runOptions.shouldStop = options.shouldStop
        // Only disagreements are kept, and each is sent again while it shrinks: a pass needs no words.
        runOptions.describesPasses = false
        self.runOptions = runOptions
    }

    /// The case made ready: SPEC's judgement (the class's own where SPEC gives it one, otherwise the oracle's verdict
    /// on the same deliveries) and the vector judged so, planned as the corpus runner plans a vector.
    /// - Parameters:
    ///   - fuzzCase: The case.
    ///   - index: Its number in the seed's sequence; `nil` for a candidate while shrinking.
    func prepare(_ fuzzCase: FuzzCase, index: Int?) -> PreparedCase {
        var prepared = PreparedCase(index: index ?? 0, fuzzCase: fuzzCase)
        let fuzzClass = fuzzCase.fuzzClass(under: options.configuration.profile)
        var vector = fuzzCase.vector(
            id: index.map { "fuzz/\($0)" } ?? "fuzz/shrink", comment: "", flags: [], expect: .either)
        guard var deliveries = try? vector.deliveries(for: options.configuration),
            deliveries.allSatisfy({ $0.notApplicable == nil })
        else { return prepared }
        let judgement: FuzzJudgement
        if let fuzzClass, let expect = fuzzClass.expect {
            judgement = FuzzJudgement(expect: expect, level: fuzzClass.level, fuzzClass: fuzzClass)
        } else {
            let status = (try? oracleTarget.deliver(deliveries))?.first?.status
            guard
                let verdict = Fuzzer.verdict(
                    status, alsoAllowed: vector.alsoAllowed ?? [], signed: fuzzCase.signature == .valid)
            else { return prepared }
            judgement = FuzzJudgement(expect: verdict, level: fuzzClass?.level ?? .required, fuzzClass: fuzzClass)
        }
        vector.expect = judgement.expect
        vector.level = judgement.level
        for step in deliveries.indices { deliveries[step].expect = judgement.expect }
        prepared.judgement = judgement
        prepared.planned = PlannedVector(
            id: vector.id, category: "fuzz", kind: .receiver, work: .receiver(vector),
            skipReason: Runner.receiverSkipReason(vector, deliveries: deliveries, target: target, options: runOptions),
            deliveries: deliveries)
        return prepared
    }

    /// Sends a prepared case to an in-process target on this thread and judges the answer.
    func send(_ prepared: inout PreparedCase) {
        guard let planned = prepared.planned else { return }
        var outcome =
            options.shouldStop?() == true
            ? Runner.notSent(planned, reason: Runner.interruptedReason)
            : Runner.evaluate(planned, target: target, options: runOptions)
        outcome.classify(strict: options.strict)
        prepared.outcome = outcome
    }

    /// Sends prepared cases to a target outside the process and judges the answers, in order: over HTTP on `jobs`
    /// connections of the event-loop client (one per delivery, statuses only), otherwise — or with `bodies`, for a
    /// disagreement being shrunk and re-checked, whose report quotes the answer — `jobs` exchanges at a time.
    func execute(_ planned: [PlannedVector], bodies: Bool = false) -> [VectorOutcome] {
        var outcomes: [VectorOutcome] = []
        if !bodies, let http = target as? HTTPTarget, planned.allSatisfy({ $0.deliveries?.count == 1 }) {
            outcomes = sendAtOnce(planned, to: http)
        } else {
            Runner.execute(planned, target: target, options: runOptions) { outcomes = $0 }
        }
        for index in outcomes.indices { outcomes[index].classify(strict: options.strict) }
        return outcomes
    }

    /// Each planned case's one delivery on the event-loop client, judged by its status as `run` judges it.
    private func sendAtOnce(_ planned: [PlannedVector], to http: HTTPTarget) -> [VectorOutcome] {
        let shouldStop = options.shouldStop ?? { false }
        var prepared: [(outcome: VectorOutcome, deliveries: [Delivery]?)] = planned.map { item in
            guard case .receiver(let vector) = item.work else {
                return (Runner.notSent(item, reason: Runner.interruptedReason), nil)
            }
            return Runner.receiverOutcome(vector, planned: item, target: target, options: runOptions)
        }
        let sending = prepared.indices.filter { prepared[$0].deliveries != nil }
        let answers = http.statuses(
            of: sending.compactMap { prepared[$0].deliveries?.first }, connections: options.jobs,
            stopAfterUnanswered: options.stopAfterUnanswered, shouldStop: shouldStop)
        for (index, answer) in zip(sending, answers) {
            guard let deliveries = prepared[index].deliveries else { continue }
            switch answer {
            case .success(let status)?:
                let response = HTTPResponse(status: status, reason: "")
                Runner.record(
                    [.response(response)], to: deliveries, in: &prepared[index].outcome, strict: options.strict)
            case .failure(let error)?:
                Runner.record(error, in: &prepared[index].outcome)
            case nil:
                let reason = shouldStop() ? Runner.interruptedReason : Runner.stoppedReason
                prepared[index].outcome = Runner.notSent(planned[index], reason: reason)
                continue
            }
            if prepared[index].outcome.status != .pass {
                Runner.describe(
                    deliveries, in: &prepared[index].outcome, target: target, profile: options.configuration.profile)
            }
        }
        return prepared.map(\.outcome)
    }
}
