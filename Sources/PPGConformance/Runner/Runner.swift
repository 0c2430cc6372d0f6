import Dispatch
import PPGSignature
import PPGVectors
import PPGWire
import Synchronization

/// Runs vectors against a target: vectors → deliveries → target → outcomes.
public enum Runner {
    /// The vectors a run takes, in corpus order, with skip reasons.
    /// - Parameters:
    ///   - corpus: The corpus.
    ///   - target: The target.
    ///   - options: The options.
    /// - Returns: The plan and the count of vectors not sent, by kind.
    public static func plan(
        corpus: Corpus, target: any ConformanceTarget, options: RunOptions
    )
        -> (vectors: [PlannedVector], notSent: [VectorKind: Int])
    {
        var planned: [PlannedVector] = []
        var notSent: [VectorKind: Int] = [:]
        let selection = options.selection
        for located in corpus.digestVectors where selection.includes(id: located.vector.id, flags: located.vector.flags)
        {
            guard target.takesSignatureVectors, target.digest([]) != nil else {
                notSent[.digest, default: 0] += 1
                continue
            }
            planned.append(
                PlannedVector(
                    id: located.vector.id, category: located.category, kind: .digest,
                    work: .digest(located.vector)))
        }
        for located in corpus.signatureVectors
        where selection.includes(id: located.vector.id, flags: located.vector.flags) {
            guard target.takesSignatureVectors else {
                notSent[.signature, default: 0] += 1
                continue
            }
            let vector = located.vector
            var reason: String?
            if let scheme = options.scheme, vector.scheme != scheme {
                reason = "vector for scheme \(vector.scheme.rawValue), run is --scheme \(scheme.rawValue)"
            } else if let encoding = options.encoding, vector.encoding != encoding {
                reason = "vector for encoding \(vector.encoding.rawValue), run is --encoding \(encoding.rawValue)"
            }
            planned.append(
                PlannedVector(
                    id: vector.id, category: located.category, kind: .signature,
                    work: .signature(vector), skipReason: reason))
        }
        for located in corpus.receiverVectors
        where selection.includes(id: located.vector.id, flags: located.vector.flags) {
            let vector = located.vector
            // A vector whose deliveries cannot be built is not skipped: the run reports it as an error.
            let deliveries = try? vector.deliveries(for: options.configuration)
            planned.append(
                PlannedVector(
                    id: vector.id, category: located.category, kind: .receiver,
                    work: .receiver(vector),
                    skipReason: receiverSkipReason(vector, deliveries: deliveries, target: target, options: options),
                    deliveries: deliveries))
        }
        return (planned, notSent)
    }

    /// Why a receiver vector is skipped on this target and configuration, or `nil`: decided once, here, so that
    /// `run --list` shows what the run then does.
    static func receiverSkipReason(
        _ vector: ReceiverVector, deliveries: [Delivery]?, target: any ConformanceTarget, options: RunOptions
    ) -> String? {
        if let reason = vector.skipReason(for: options.configuration.profile) { return reason }
        guard let deliveries else { return nil }
        if let reason = deliveries.compactMap(\.notApplicable).first {
            return "not applicable to this receiver: \(reason)"
        }
        return target.skipReason(for: deliveries)
    }

    /// Runs a corpus against a target.
    /// - Parameters:
    ///   - corpus: The corpus.
    ///   - target: The target.
    ///   - options: The options.
    ///   - progress: Called after each category with its outcomes, in corpus order.
    /// - Returns: The outcomes and their summary.
    public static func run(
        corpus: Corpus, target: any ConformanceTarget, options: RunOptions,
        progress: (String, [VectorOutcome]) -> Void = { _, _ in }
    ) -> RunResult {
        run(
            plan(corpus: corpus, target: target, options: options), corpus: corpus, target: target, options: options,
            progress: progress)
    }

    /// Runs a plan already made (`ConformanceRun` makes it once for its preflight and the run).
    static func run(
        _ plan: (vectors: [PlannedVector], notSent: [VectorKind: Int]), corpus: Corpus, target: any ConformanceTarget,
        options: RunOptions, progress: (String, [VectorOutcome]) -> Void
    ) -> RunResult {
        let started = wallClockSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        let (planned, notSent) = plan
        // Vectors grouped by category (a category may hold vectors of several kinds), so that progress can be
        // reported a category at a time while every vector of the run shares one pool of `jobs` exchanges.
        let categories = planned.groupedInOrder(by: \.category)
        let ordered = categories.flatMap(\.elements)
        var outcomes: [VectorOutcome] = []
        var pending = categories[...]
        execute(ordered, target: target, options: options) { completed in
            while let (category, vectors) = pending.first, case let end = outcomes.count + vectors.count,
                end <= completed.count
            {
                pending.removeFirst()
                var results = Array(completed[outcomes.count..<end])
                for index in results.indices {
                    if let entry = options.expectedFailures?.entry(
                        for: results[index].id, profile: options.configuration.profile)
                    {
                        results[index].expectedFailureReason = entry.reason
                    }
                    results[index].classify(strict: options.strict)
                }
                progress(category, results)
                outcomes += results
            }
        }
        var warnings: [String] = []
        if let hint = RunHints.wrongAddressHint(outcomes, target: target) { warnings.append(hint) }
        if let hint = RunHints.requestTargetHint(outcomes) { warnings.append(hint) }
        if let expected = options.expectedFailures {
            let ids =
                corpus.digestVectors.map(\.vector.id) + corpus.signatureVectors.map(\.vector.id)
                + corpus.receiverVectors.map(\.vector.id)
            warnings += expected.unusedEntryWarnings(ids: ids)
        }
        let stopped = outcomes.contains { $0.reason == Self.stoppedReason }
        return RunResult(
            outcomes: outcomes, summary: RunSummary(outcomes), notSent: notSent, warnings: warnings,
            targetName: target.name, profile: options.configuration.profile,
            corpusVersion: corpus.manifest.version, startedAt: started,
            duration: seconds(clock.now - start),
            stoppedAfterUnanswered: stopped ? outcomes.filter(\.unanswered).count : nil)
    }

    /// Runs every planned vector, `jobs` at a time on threads of their own, and calls `completedPrefix` on the
    /// caller's thread each time the run of finished outcomes from the start grows, with those outcomes in order.
    static func execute(
        _ work: [PlannedVector], target: any ConformanceTarget, options: RunOptions,
        completedPrefix: ([VectorOutcome]) -> Void
    ) {
        guard !work.isEmpty else { return }
        let slots = OutcomeSlots(count: work.count)
        let next = Atomic<Int>(0)
        let finished = DispatchSemaphore(value: 0)
        let unansweredInARow = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)
        WorkerThreads.start(count: max(1, min(options.jobs, work.count)), name: "ppg-run") { _ in
            while case let index = next.add(1, ordering: .relaxed).oldValue, index < work.count {
                var outcome: VectorOutcome
                if stopped.load(ordering: .relaxed) {
                    outcome = notSent(work[index], reason: stoppedReason)
                } else if options.shouldStop?() == true {
                    outcome = notSent(work[index], reason: interruptedReason)
                } else {
                    outcome = evaluate(work[index], target: target, options: options)
                    if outcome.unanswered {
                        let count = unansweredInARow.add(1, ordering: .relaxed).newValue
                        if let limit = options.stopAfterUnanswered, count >= limit {
                            stopped.store(true, ordering: .relaxed)
                        }
                    } else if outcome.status != .skip {
                        unansweredInARow.store(0, ordering: .relaxed)
                    }
                }
                slots.set(index, outcome)
                options.vectorDone?()
                finished.signal()
            }
        }
        var reported = 0
        while reported < work.count {
            finished.wait()
            let prefix = slots.prefix()
            if prefix.count > reported {
                reported = prefix.count
                completedPrefix(prefix)
            }
        }
    }

    /// The reason of vectors left unsent after a run stopped for unanswered deliveries.
    public static let stoppedReason = "not sent: the run stopped because the receiver stopped answering"

    /// The reason of vectors left unsent because `RunOptions.shouldStop` said stop.
    public static let interruptedReason = "not sent: the run was stopped before it"

    /// Whether an outcome is a vector the run left unsent because it stopped (unanswered deliveries, or
    /// `RunOptions.shouldStop`).
    static func wasNotSent(_ outcome: VectorOutcome) -> Bool {
        outcome.status == .skip && (outcome.reason == stoppedReason || outcome.reason == interruptedReason)
    }

    /// A vector left unsent because the run stopped.
    static func notSent(_ planned: PlannedVector, reason: String) -> VectorOutcome {
        VectorOutcome(
            id: planned.id, category: planned.category, kind: planned.kind, level: .required, flags: [],
            comment: "", status: .skip, expected: "", actual: "", reason: reason)
    }

    static func evaluate(_ planned: PlannedVector, target: any ConformanceTarget, options: RunOptions) -> VectorOutcome
    {
        let clock = ContinuousClock()
        let start = clock.now
        var outcome: VectorOutcome
        switch planned.work {
        case .digest(let vector):
            outcome = VectorOutcome(
                id: vector.id, category: planned.category, kind: .digest, level: .required,
                flags: vector.flags, comment: vector.comment, status: .pass,
                expected: vector.digest, actual: "", reason: "")
            if let reason = planned.skipReason {
                outcome.status = .skip
                outcome.reason = reason
            } else if let actual = target.digest(vector.messageBytes) {
                outcome.actual = actual
                if actual != vector.digest {
                    outcome.status = .fail
                    outcome.reason = "SHA-1 digest differs"
                }
            } else {
                outcome.status = .skip
                outcome.reason = "the target does not compute digests"
            }
        case .signature(let vector):
            outcome = evaluateSignature(vector, planned: planned, target: target)
        case .receiver(let vector):
            outcome = evaluateReceiver(vector, planned: planned, target: target, options: options)
        }
        outcome.duration = seconds(clock.now - start)
        return outcome
    }

    static func evaluateSignature(
        _ vector: SignatureVector, planned: PlannedVector, target: any ConformanceTarget
    )
        -> VectorOutcome
    {
        let expected =
            switch vector.result {
            case .valid: "accept"
            case .invalid: "reject"
            case .acceptable: "accept or reject"
            }
        var outcome = VectorOutcome(
            id: vector.id, category: planned.category, kind: .signature, level: .required, flags: vector.flags,
            comment: vector.comment, status: .pass, expected: expected, actual: "", reason: "",
            request: DeliveryText.describe(vector),
            reproduction: target.name == "reference" ? "ppg-conformance run --only '\(vector.id)'" : "")
        if let reason = planned.skipReason {
            outcome.status = .skip
            outcome.reason = reason
            return outcome
        }
        do {
            let answer = try target.verify(vector)
            switch (answer, vector.result) {
            case (.skip(let reason), _):
                outcome.status = .skip
                outcome.reason = "target skipped: \(reason)"
            case (.accept, .invalid):
                outcome.actual = "accept"
                outcome.acceptedUnverified = true
                outcome.status = .fail
                outcome.reason = "accepted a signature that must be rejected"
            case (.reject(let why), .valid):
                outcome.actual = "reject"
                outcome.status = .fail
                outcome.reason = "rejected a valid signature" + (why.isEmpty ? "" : " (\(why))")
            case (.accept, _):
                outcome.actual = "accept"
            case (.reject(let why), _):
                outcome.actual = "reject" + (why.isEmpty ? "" : " (\(why))")
            }
        } catch {
            outcome.status = .error
            outcome.actual = "no answer"
            outcome.reason = error.description
        }
        return outcome
    }

    static func evaluateReceiver(
        _ vector: ReceiverVector, planned: PlannedVector, target: any ConformanceTarget,
        options: RunOptions
    ) -> VectorOutcome {
        var (outcome, built) = receiverOutcome(vector, planned: planned, target: target, options: options)
        guard let deliveries = built else { return outcome }
        do {
            record(try target.deliver(deliveries), to: deliveries, in: &outcome, strict: options.strict)
        } catch {
            record(error, in: &outcome)
        }
        if options.describesPasses || outcome.status != .pass {
            describe(deliveries, in: &outcome, target: target, profile: options.configuration.profile)
        }
        return outcome
    }

    /// A receiver vector's outcome before anything is sent — its expectation, or its skip — and its deliveries as
    /// this target is judged on them; no deliveries when the outcome is final already (skipped, or the deliveries
    /// cannot be built).
    static func receiverOutcome(
        _ vector: ReceiverVector, planned: PlannedVector, target: any ConformanceTarget, options: RunOptions
    ) -> (outcome: VectorOutcome, deliveries: [Delivery]?) {
        var outcome = VectorOutcome(
            id: vector.id, category: planned.category, kind: .receiver, level: vector.level, flags: vector.flags,
            comment: vector.comment, status: .pass, expected: "", actual: "", reason: "")
        if let reason = planned.skipReason {
            outcome.status = .skip
            outcome.reason = reason
            return (outcome, nil)
        }
        var deliveries: [Delivery]
        do {
            if let built = planned.deliveries {
                deliveries = built
            } else {
                deliveries = try vector.deliveries(for: options.configuration)
            }
            if target.judgesAsVerifier {
                deliveries = deliveries.map { delivery in
                    var judged = delivery
                    judged.expect = ResponseJudging.verifierExpectation(
                        delivery, profile: options.configuration.profile)
                    return judged
                }
            }
        } catch {
            outcome.status = .error
            outcome.reason = "cannot build the delivery: \(error.message)"
            return (outcome, nil)
        }
        outcome.expected = deliveries.map { ResponseJudging.expectation($0.expect, strict: options.strict, signed: $0) }
            .joined(separator: ", then ")
        if let first = deliveries.first {
            outcome.expectedStatuses = ResponseJudging.expectedStatuses(first, strict: options.strict)
        }
        return (outcome, deliveries)
    }

    /// Judges a target's answers to a vector's deliveries into its outcome (R11's rules, per delivery in order).
    static func record(
        _ answers: [DeliveryAnswer], to deliveries: [Delivery], in outcome: inout VectorOutcome, strict: Bool
    ) {
        var responses: [HTTPResponse] = []
        for answer in answers {
            switch answer {
            case .response(let response): responses.append(response)
            case .declined(let reason):
                outcome.status = .skip
                outcome.reason = "target skipped: \(reason)"
                return
            }
        }
        outcome.actual = responses.map { "\($0.status)" }.joined(separator: ", then ")
        outcome.exchanges = zip(deliveries, responses).map { ($0.expect, $1.status) }
        if let last = zip(deliveries, responses).map({ $0 }).last {
            outcome.expectedStatuses = ResponseJudging.expectedStatuses(last.0, strict: strict)
            outcome.actualStatus = last.1.status
        }
        outcome.acceptedUnverified = zip(deliveries, responses).contains { delivery, response in
            ResponseJudging.isSignatureRejection(delivery) && (200...299).contains(response.status)
                && !AllowedAnswers(delivery).allows(response.status)
        }
        for (delivery, response) in zip(deliveries, responses) {
            if let problem = ResponseJudging.judge(response, delivery: delivery, strict: strict) {
                outcome.status = .fail
                outcome.expectedStatuses = ResponseJudging.expectedStatuses(delivery, strict: strict)
                outcome.actualStatus = response.status
                let step = deliveries.count > 1 ? "delivery \(delivery.step + 1): " : ""
                outcome.reason = step + problem
                if !response.body.isEmpty {
                    let start = String(decoding: response.body.prefix(480), as: UTF8.self).prefix(120)
                    outcome.actual += " — body: \(OutsideText.escape(String(start), for: .line))"
                }
                return
            }
        }
    }

    /// A delivery that got no answer: an error, and unanswered where the receiver (not the harness) is why.
    static func record(_ error: TargetError, in outcome: inout VectorOutcome) {
        outcome.status = .error
        outcome.actual = "no answer"
        outcome.reason = error.description
        outcome.unanswered = [.timeout, .connectionReset, .unreachable].contains(error.kind)
    }

    /// What a report shows of the deliveries: the request as sent, what was signed, how to send it again.
    static func describe(
        _ deliveries: [Delivery], in outcome: inout VectorOutcome, target: any ConformanceTarget,
        profile: SignatureProfile
    ) {
        outcome.request = target.requestText(of: deliveries)
        outcome.signed = deliveries.map { DeliveryText.signedText($0, profile: profile) }.joined(separator: "\n")
        outcome.reproduction = target.reproduction(of: deliveries)
    }
}
