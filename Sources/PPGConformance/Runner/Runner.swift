import Dispatch
import Foundation
import PPGHTTP
import PPGSignature
import PPGVectors
import PPGWire
import Synchronization

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

/// One vector the run will take, before it runs.
public struct PlannedVector: Sendable {
    /// The vector to run, by kind.
    public enum Work: Sendable {
        case digest(DigestVector)
        case signature(SignatureVector)
        case receiver(ReceiverVector)
    }

    /// The stable id, `category/name`.
    public var id: String
    /// The category, the first part of the id.
    public var category: String
    /// What kind it is.
    public var kind: VectorKind
    /// What to run.
    public var work: Work
    /// Set when the vector will be recorded as skipped.
    public var skipReason: String?
    /// A receiver vector's deliveries, built once when planning (its skip reason needs them) and sent as built.
    var deliveries: [Delivery]? = nil
}

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
        let started = wallClockSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        let (planned, notSent) = plan(corpus: corpus, target: target, options: options)
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
        if let hint = wrongAddressHint(outcomes, target: target) { warnings.append(hint) }
        if let hint = requestTargetHint(outcomes) { warnings.append(hint) }
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
            request: describe(vector),
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
        var outcome = VectorOutcome(
            id: vector.id, category: planned.category, kind: .receiver, level: vector.level, flags: vector.flags,
            comment: vector.comment, status: .pass, expected: "", actual: "", reason: "")
        if let reason = planned.skipReason {
            outcome.status = .skip
            outcome.reason = reason
            return outcome
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
                    judged.expect = verifierExpectation(delivery, profile: options.configuration.profile)
                    return judged
                }
            }
        } catch {
            outcome.status = .error
            outcome.reason = "cannot build the delivery: \(error.message)"
            return outcome
        }
        outcome.expected = deliveries.map { expectation($0.expect, strict: options.strict, signed: $0) }
            .joined(separator: ", then ")
        if let first = deliveries.first { outcome.expectedStatuses = expectedStatuses(first, strict: options.strict) }
        outcome.request = target.requestText(of: deliveries)
        outcome.signed = deliveries.map { signedText($0, profile: options.configuration.profile) }
            .joined(separator: "\n")
        outcome.reproduction = target.reproduction(of: deliveries)
        do {
            var responses: [HTTPResponse] = []
            for answer in try target.deliver(deliveries) {
                switch answer {
                case .response(let response): responses.append(response)
                case .declined(let reason):
                    outcome.status = .skip
                    outcome.reason = "target skipped: \(reason)"
                    return outcome
                }
            }
            outcome.actual = responses.map { "\($0.status)" }.joined(separator: ", then ")
            outcome.exchanges = zip(deliveries, responses).map { ($0.expect, $1.status) }
            if let last = zip(deliveries, responses).map({ $0 }).last {
                outcome.expectedStatuses = expectedStatuses(last.0, strict: options.strict)
                outcome.actualStatus = last.1.status
            }
            outcome.acceptedUnverified = zip(deliveries, responses).contains { delivery, response in
                isSignatureRejection(delivery) && (200...299).contains(response.status)
                    && !AllowedAnswers(delivery).allows(response.status)
            }
            for (delivery, response) in zip(deliveries, responses) {
                if let problem = judge(response, delivery: delivery, strict: options.strict) {
                    outcome.status = .fail
                    outcome.expectedStatuses = expectedStatuses(delivery, strict: options.strict)
                    outcome.actualStatus = response.status
                    let step = deliveries.count > 1 ? "delivery \(delivery.step + 1): " : ""
                    outcome.reason = step + problem
                    if !response.body.isEmpty {
                        let start = String(decoding: response.body.prefix(480), as: UTF8.self).prefix(120)
                        outcome.actual += " — body: \(OutsideText.escape(String(start), for: .line))"
                    }
                    break
                }
            }
        } catch {
            outcome.status = .error
            outcome.actual = "no answer"
            outcome.reason = error.description
            outcome.unanswered = [.timeout, .connectionReset, .unreachable].contains(error.kind)
        }
        return outcome
    }

    /// A hint when every delivery that had to be accepted got 404 or 405: the URL's path or the method is wrong,
    /// not the signature check, and a report of failures would hide that.
    static func wrongAddressHint(_ outcomes: [VectorOutcome], target: any ConformanceTarget) -> String? {
        let mustAccept = outcomes.flatMap { $0.exchanges.filter { $0.expected == .accept } }.compactMap(\.status)
        guard mustAccept.count >= 3, mustAccept.allSatisfy({ $0 == 404 || $0 == 405 }) else { return nil }
        let statuses = Set(mustAccept).sorted().map(String.init).joined(separator: " or ")
        return "every delivery that must be accepted was answered \(statuses): is the path in \(target.name) the "
            + "receiver's webhook route, and does that route take POST?"
    }

    /// What refusals of requests PushPushGo never sends say about the receiver's reading (SPEC.md R10.2): a valid
    /// delivery to a path variant, in absolute-form or with a foreign `Host`, refused by the handler (401/403), conforms,
    /// but shows that the receiver signs what it received or refuses every path but its own.
    static func requestTargetHint(_ outcomes: [VectorOutcome]) -> String? {
        let refused = outcomes.filter { outcome in
            outcome.status == .pass && outcome.exchanges.count == 1 && outcome.exchanges[0].expected == .either
                && [401, 403].contains(outcome.exchanges[0].status ?? 0)
                && !Set(outcome.flags).isDisjoint(with: ["RequestTarget", "AbsoluteForm", "HostHeader"])
        }
        // Only where valid deliveries to the webhook's own path were accepted: otherwise every one was refused
        // anyway, and the refusals say nothing about other paths.
        let acceptedOwn = outcomes.contains { outcome in
            outcome.exchanges.contains { $0.expected == .accept && (200...299).contains($0.status ?? 0) }
        }
        guard !refused.isEmpty, acceptedOwn else { return nil }
        return "hint, not a failure: \(Diagnosis.list(refused.map(\.id))) — valid deliveries PushPushGo never sends "
            + "(another path, authority or Host) — were refused with 401/403: the receiver either refuses every path "
            + "but its own (fine) or signs the path or Host it received, which breaks every delivery once a proxy "
            + "rewrites them; sign the configured URL (SPEC.md R10.2)"
    }

    /// Why a response is wrong for a delivery, or `nil` when it is right (SPEC.md R11).
    static func judge(_ response: HTTPResponse, delivery: Delivery, strict: Bool) -> String? {
        let status = response.status
        // A status the vector names as also conforming, or an RFC allows for this request, is never wrong.
        if AllowedAnswers(delivery).allows(status) { return nil }
        switch status {
        case 501 where delivery.request.method != "POST":
            // The one 5xx with a common innocent cause: a server with no handler for the method.
            return
                "answered 501 to "
                + "\(delivery.request.method): a server with no handler for a method answers that (Python's "
                + "http.server without do_"
                + "\(delivery.request.method), for one); RFC 9110 §9.1 has every general-purpose server "
                + "support GET and HEAD, so handle \(delivery.request.method) on the webhook's path and answer 405"
        case 500...599: return "the receiver broke: \(status) (a 5xx is never a conforming answer)"
        case 300...399: return "answered a redirect (\(status)); PushPushGo does not follow redirects"
        case 200...299, 400...499: break
        default: return "answered \(status), which is neither 2xx nor 4xx"
        }
        let accepted = (200...299).contains(status)
        switch delivery.expect {
        case .accept:
            return accepted ? nil : "rejected (\(status)) a delivery that must be accepted"
        case .reject:
            if accepted { return "accepted (\(status)) a delivery that must be rejected" }
            if strict && isSignatureRejection(delivery) && status != 401 && status != 403 {
                return "rejected with \(status); --strict expects 401 or 403 for a bad signature"
            }
            return nil
        case .either:
            return nil
        }
    }

    /// What a verifier library must answer to a delivery: a receiver vector's rejection that is not about the
    /// signature (a valid signature over a readable body, rejected for its method or content) is not a verifier's
    /// business, so either answer conforms there.
    static func verifierExpectation(_ delivery: Delivery, profile: SignatureProfile) -> ExpectedVerdict {
        guard delivery.expect == .reject, delivery.signatureKind == .valid else { return delivery.expect }
        let contentType = delivery.request.headers.contentType
        let readable =
            (try? SigningInput.make(
                scheme: profile.scheme, url: delivery.signedURL.utf8, body: delivery.request.body,
                contentType: contentType)) != nil
        return readable ? .either : .reject
    }

    /// Whether a rejection is about the signature (then `--strict` wants 401 or 403) rather than the body: the
    /// signature is tampered with, or sent under another name so that no `X-PPG-Signature` field arrives.
    static func isSignatureRejection(_ delivery: Delivery) -> Bool {
        delivery.signatureKind != .valid
            || !delivery.request.headers.contains(signatureHeaderName)
    }

    /// The statuses that conform for a delivery, as JSON reports them: classes (`2xx`, `4xx`) and codes.
    static func expectedStatuses(_ delivery: Delivery, strict: Bool) -> [String] {
        var statuses: [String] =
            switch delivery.expect {
            case .accept: ["2xx"]
            case .reject: strict && isSignatureRejection(delivery) ? ["401", "403"] : ["4xx"]
            case .either: ["2xx", "4xx"]
            }
        statuses += AllowedAnswers(delivery).alsoAllowed.map(String.init)
        return statuses
    }

    static func expectation(_ verdict: ExpectedVerdict, strict: Bool, signed delivery: Delivery) -> String {
        let text =
            switch verdict {
            case .accept: "accept (2xx)"
            case .reject: strict && isSignatureRejection(delivery) ? "reject (401 or 403)" : "reject (4xx)"
            case .either: "accept or reject (2xx or 4xx, never 5xx)"
            }
        let also = AllowedAnswers(delivery).alsoAllowed
        guard !also.isEmpty else { return text }
        return text + ", or " + also.map(String.init).joined(separator: " or ")
    }

    /// What a delivery's header was signed over, as `sign --json` shows it, with how a must-reject header departs
    /// from SPEC.md's signature.
    static func signedText(_ delivery: Delivery, profile: SignatureProfile) -> String {
        func bytes(_ input: [UInt8]) -> String {
            if let text = String(validating: input.prefix(300), as: UTF8.self) {
                return "\"" + OutsideText.escape(text, for: .line) + "\""
                    + (input.count > 300 ? "… (\(input.count) bytes)" : "")
            }
            return "base64 " + Base64.encode(Array(input.prefix(225)))
                + (input.count > 225 ? "… (\(input.count) bytes)" : "")
        }
        var text =
            (delivery.step > 0 ? "delivery \(delivery.step + 1): " : "")
            + "SPEC.md's signing input (\(profile)): \(bytes(delivery.signing.specInput))"
        if let departure = delivery.signing.departure { text += "; the header sent: \(departure)" }
        if let other = delivery.signing.signedInput { text += ", signing input \(bytes(other))" }
        return text
    }

    /// A readable rendering of a delivery for failure reports.
    public static func describe(_ delivery: Delivery) -> String {
        let request = delivery.request
        var lines = ["\(request.method) \(request.target) \(request.version)"]
        for header in request.headers { lines.append("\(header.name): \(header.value)") }
        lines.append("")
        lines.append(bodyPreview(request.body))
        lines.append("(signed URL: \(delivery.signedURL))")
        return lines.joined(separator: "\n")
    }

    static func describe(_ vector: SignatureVector) -> String {
        var lines = ["\(vector.method) \(vector.url)"]
        for header in vector.headers { lines.append("\(header.name): \(header.value)") }
        lines.append("")
        lines.append(bodyPreview(vector.bodyBytes))
        lines.append("(key: \(vector.key ?? "hex " + (vector.keyHex ?? "")); \(vector.profile))")
        return lines.joined(separator: "\n")
    }

    static func bodyPreview(_ body: [UInt8]) -> String {
        let limit = 600
        let shown = String(decoding: body.prefix(limit), as: UTF8.self)
        return body.count > limit ? shown + "… (\(body.count) bytes in all)" : shown
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func wallClockSeconds() -> Double {
    Date().timeIntervalSince1970
}

/// Results written by several threads into their own slots.
final class OutcomeSlots: Sendable {
    private let slots: Mutex<[VectorOutcome?]>

    init(count: Int) {
        slots = Mutex(Array(repeating: nil, count: count))
    }

    func set(_ index: Int, _ outcome: VectorOutcome) {
        slots.withLock { $0[index] = outcome }
    }

    /// The finished outcomes from the first on, up to the first slot still empty.
    func prefix() -> [VectorOutcome] {
        slots.withLock { slots in
            let end = slots.firstIndex(where: { $0 == nil }) ?? slots.count
            return slots[..<end].compactMap { $0 }
        }
    }
}
