import Foundation
import PPGSignature
import PPGVectors
import Synchronization

/// Why a run failed, as far as the known bugs tell: the same planned deliveries run in-process through every mutant
/// receiver (cheap: no network), each mutant's fingerprint (the vectors it fails) compared with the run's failures.
/// A cause is only ever "consistent with" the evidence, shown with its overlap: a receiver can fail the same
/// vectors for a reason no mutant has.
public struct Diagnosis: Sendable {
    /// One bug that explains some of the failures.
    public struct Cause: Sendable {
        /// The mutant whose failures match.
        public var mutant: Mutant
        /// The run's failures this bug explains, in run order.
        public var explained: [String]
        /// Vectors a receiver with this bug fails that this run passed: evidence against it.
        public var notFailed: [String]
        /// Whether the mutant fails exactly the run's failures, no more and no fewer.
        public var exact: Bool
        /// Other mutants that fail exactly the same vectors here: the run cannot tell them apart.
        public var indistinguishable: [Mutant] = []
        /// The run's failures this bug does not explain, in run order.
        public var unexplained: [String] = []
        /// The passing vectors that speak against this bug, each with the step of the receiver it exercised: only
        /// vectors that reached the step the bug replaces (a router's 404, 405 or 501 says nothing about a verifier).
        public var contradictedBy: [(id: String, step: String)] = []
        /// Whether a probe confirmed it on the wire: a delivery signed the way it reads was accepted.
        public var confirmed = false
        /// Set for a bug found behind a setting that refused every validly signed delivery: how the corpus was sent
        /// again to look past it ("with every signature unpadded"). Its counts are of that second run's failures.
        public var behind: String?
    }

    /// The heading of a diagnosis that found a setting: the run and the receiver disagree on it, and either side
    /// may be the one to change.
    public static let settingsHeading = "Likely cause: a setting — this run and the receiver disagree on it"

    /// How much of a run a cause explains, as every report says it.
    /// - Parameter cause: One of this diagnosis's causes.
    /// - Returns: "fails exactly this run's N failures" or "explains K of N failures".
    public func overlap(_ cause: Cause) -> String {
        if let behind = cause.behind {
            let left = cause.explained.count + cause.unexplained.count
            return "explains \(cause.explained.count) of the \(counted(left, "failure")) left once the corpus is sent "
                + behind
        }
        return cause.exact
            ? "fails exactly this run's \(counted(failures, "failure"))"
            : "explains \(cause.explained.count) of \(counted(failures, "failure"))"
    }

    /// One cause in one sentence, as every format states it: the bug, the ones these vectors cannot tell from it,
    /// how much it explains, whether a probe confirmed it.
    /// - Parameters:
    ///   - cause: One of this diagnosis's causes.
    ///   - code: How the format writes a bug's name (quoted on the console, as code in Markdown and HTML).
    /// - Returns: "consistent with 'name' (or, indistinguishable by these vectors, 'other'): explains …".
    public func sentence(_ cause: Cause, code: (String) -> String) -> String {
        let twins =
            cause.indistinguishable.isEmpty
            ? ""
            : " (or, indistinguishable by these vectors, "
                + cause.indistinguishable.map { code($0.rawValue) }.joined(separator: ", ") + ")"
        return "consistent with \(code(cause.mutant.rawValue))\(twins): \(overlap(cause))"
            + (cause.confirmed ? " — confirmed on the wire" : "")
    }

    /// What a diagnosis with no cause says, in every report.
    public var noMatch: String { "No known bug explains any of these \(counted(failures, "failure"))." }

    /// What each mutant fails on a run's planned deliveries.
    public struct Catalogue: Sendable {
        /// Each mutant that can be told from the reference under the run's profile, with the vectors it fails.
        public var fingerprints: [(mutant: Mutant, failing: Set<String>)]
        /// The status each mutant answered where it failed (`nil` where none came), so that a cause fits a failure
        /// only where the statuses agree: no redirect without a 3xx, no crash without a 5xx.
        public var statuses: [Mutant: [String: Int?]] = [:]
    }

    /// The likely causes, best first (at most three).
    public var causes: [Cause]
    /// Failures no cause explains, in run order.
    public var unexplained: [String]
    /// How many vectors failed or erred in the run.
    public var failures: Int
    /// Settings of the run that do not match the receiver's, found before the code bugs. Where they explain every
    /// failure (each one a valid delivery refused), the code bugs are not listed: a wrong setting makes correct code
    /// fail. Where some failure no setting can explain remains (an accepted forgery, a 5xx), the code causes stay,
    /// first.
    public var settings: [SettingCause] = [] {
        didSet {
            // Nothing a setting changes explains a 5xx, no answer, or a forgery accepted: the code causes of those
            // stay, each with only the failures besides the refused valid deliveries the setting explains.
            guard !settings.isEmpty else { return }
            guard brokenAnswers || acceptedMustReject else {
                causes = []
                return
            }
            let refused = Set(refusedValid)
            causes = causes.compactMap { cause in
                var rest = cause
                rest.explained = cause.explained.filter { !refused.contains($0) }
                rest.exact = false
                return rest.explained.isEmpty ? nil : rest
            }
        }
    }
    /// Whether some failure is an answer no setting can explain: a 5xx, a redirect, no answer.
    public var brokenAnswers = false
    /// The flags of each failure that accepted a delivery it had to refuse.
    var acceptedMustRejectFlags: [[String]] = []
    /// Whether some failure accepted a delivery it had to refuse that the settings found do not explain: a
    /// signature in the other encoding is what a receiver of that encoding accepts, a base64 value without its last
    /// character what an unpadded one accepts; a forged input or a tampered body no setting explains.
    public var acceptedMustReject: Bool {
        let unpadded = settings.contains { $0.works?.contains("padding") == true }
        return acceptedMustRejectFlags.contains { flags in
            !flags.contains("WrongEncoding") && !(unpadded && flags.contains("Truncated"))
        }
    }
    /// Extra deliveries the settings probe sent.
    public var probes = 0
    /// Whether the first two causes together explain every failure and neither alone does: two bugs.
    public var pairExplainsAll = false
    /// A bug a probe confirmed on the wire (a delivery signed the way it reads was accepted): ranked first.
    public var confirmed: Mutant? {
        didSet {
            guard let confirmed else { return }
            // Confirmed on the wire, a bug is the cause of the refused valid deliveries whatever the catalogue's
            // overlap: another member of its family fails other vectors than the mutant does.
            var cause: Cause
            if let index = causes.firstIndex(where: { $0.mutant == confirmed }) {
                cause = causes.remove(at: index)
                let explained = Set(cause.explained + refusedValid)
                cause.explained = failureIDs.filter(explained.contains)
                cause.unexplained = failureIDs.filter { !explained.contains($0) }
                cause.exact = cause.unexplained.isEmpty && cause.notFailed.isEmpty
            } else {
                cause = Cause(
                    mutant: confirmed, explained: refusedValid, notFailed: [], exact: false, indistinguishable: [])
                cause.unexplained = failureIDs.filter { !refusedValid.contains($0) }
            }
            cause.confirmed = true
            causes.insert(cause, at: 0)
            if causes.count > 3 { causes.removeLast() }
            let explained = Set(causes.flatMap(\.explained))
            unexplained = failureIDs.filter { !explained.contains($0) }
        }
    }
    /// The member of the confirmed bug's family the accepted probe was signed as. Once a member is known, the
    /// passing vectors that spoke against the bug spoke against the catalogue's member (its mutant re-serialises one
    /// way), not the receiver's: they no longer contradict it.
    public var confirmedMember: String? {
        didSet {
            guard confirmedMember != nil, let index = causes.firstIndex(where: \.confirmed) else { return }
            causes[index].notFailed = []
            causes[index].contradictedBy = []
            causes[index].exact = causes[index].unexplained.isEmpty
        }
    }
    /// The failures, in run order.
    var failureIDs: [String] = []
    /// The failures that are valid deliveries refused with a 4xx.
    var refusedValid: [String] = []

    /// Runs every mutant in-process on a run's planned deliveries.
    /// - Parameters:
    ///   - corpus: The corpus the run used.
    ///   - options: The run's options (selection, configuration, strictness).
    ///   - takesSignatureVectors: Whether the run's target took signature vectors (a verifier over a pipe).
    ///   - judgesAsVerifier: Whether the run's target was judged as a verifier library.
    /// - Returns: The fingerprints.
    public static func catalogue(
        corpus: Corpus, options: RunOptions, takesSignatureVectors: Bool, judgesAsVerifier: Bool
    ) -> Catalogue {
        let configuration = options.configuration
        let reference = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: configuration.profile)
        let mutants = Mutant.allCases.filter { $0.applies(to: configuration.profile.scheme) }
        var oneAtATime = options
        oneAtATime.jobs = 1
        oneAtATime.expectedFailures = nil
        let single = oneAtATime
        @Sendable func target(_ mutant: Mutant) -> ReferenceTarget {
            ReferenceTarget(
                configuration: configuration, receiver: MutantReceiver(mutant: mutant, reference: reference),
                name: mutant.rawValue, takesSignatureVectors: takesSignatureVectors, judgesAsVerifier: judgesAsVerifier)
        }
        // One plan for every mutant: the deliveries do not depend on the receiver answering them, and building
        // them (signing large bodies) cost more than running them.
        guard let first = mutants.first else { return Catalogue(fingerprints: [], statuses: [:]) }
        let plan = Runner.plan(corpus: corpus, target: target(first), options: single)
        let found = Mutex<[Mutant: Set<String>]>([:])
        let answered = Mutex<[Mutant: [String: Int?]]>([:])
        let next = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        let threads = max(1, min(mutants.count, ProcessInfo.processInfo.activeProcessorCount))
        WorkerThreads.start(count: threads, name: "ppg-diagnosis") { _ in
            while case let index = next.add(1, ordering: .relaxed).oldValue, index < mutants.count {
                let mutant = mutants[index]
                let result = Runner.run(plan, corpus: corpus, target: target(mutant), options: single) { _, _ in }
                let failures = result.outcomes.filter { $0.status == .fail || $0.status == .error }
                found.withLock { $0[mutant] = Set(failures.map(\.id)) }
                answered.withLock { answered in
                    answered[mutant] = Dictionary(failures.map { ($0.id, $0.actualStatus) }) { first, _ in first }
                }
            }
            done.signal()
        }
        for _ in 0..<threads { done.wait() }
        let fingerprints = found.withLock { found in mutants.compactMap { mutant in found[mutant].map { (mutant, $0) } }
        }
        return Catalogue(fingerprints: fingerprints, statuses: answered.withLock { $0 })
    }

    /// Ranks the causes that explain a run's failures: a mutant failing exactly those first, then the best
    /// overlap (Jaccard similarity with the failures not yet explained), one cause per independent bug.
    /// - Parameters:
    ///   - result: The run.
    ///   - catalogue: The mutants' fingerprints on the same planned deliveries.
    /// - Returns: The diagnosis, or `nil` when nothing failed.
    public init?(result: RunResult, catalogue: Catalogue) {
        let ran = Set(result.outcomes.filter { $0.status != .skip }.map(\.id))
        let order = result.outcomes.filter { $0.status == .fail || $0.status == .error }.map(\.id)
        guard !order.isEmpty else { return nil }
        let failed = Set(order)
        var remaining = failed
        let outcomes = Dictionary(result.outcomes.map { ($0.id, $0) }) { first, _ in first }
        /// What a mutant's failure of a vector says about this run: it fits a failure whose status is of the same
        /// class; it is neutral where the run failed otherwise (another bug answered), and where the run passed
        /// with a status a vector's `alsoAllowed` permits.
        func fits(_ id: String, _ mutant: Mutant) -> Bool {
            guard let outcome = outcomes[id] else { return false }
            if outcome.status == .pass {
                let code = outcome.actualStatus.map(String.init) ?? ""
                return !outcome.expectedStatuses.dropFirst().contains(code)
            }
            guard let ours = outcome.actualStatus, let theirs = catalogue.statuses[mutant]?[id] ?? nil else {
                return true
            }
            return ours / 100 == theirs / 100
        }
        /// Whether a passing vector speaks against a bug: only if it reached the step the bug replaces. A request a
        /// router refused (404, 405, 501, a redirect…) never reached a verifier.
        func contradicts(_ id: String, _ mutant: Mutant) -> Bool {
            guard let outcome = outcomes[id], outcome.status == .pass else { return false }
            return mutant.replacesRouting || !Self.refusedBeforeHandler(outcome.actualStatus)
        }
        var candidates = catalogue.fingerprints.map { fingerprint in
            (
                fingerprint.mutant,
                fingerprint.failing.intersection(ran).filter {
                    fits($0, fingerprint.mutant) && (failed.contains($0) || contradicts($0, fingerprint.mutant))
                }
            )
        }.filter { !$0.1.isEmpty }
        var causes: [Cause] = []
        func similarity(_ failing: Set<String>) -> Double {
            let union = failing.union(remaining).count
            return union == 0 ? 0 : Double(failing.intersection(remaining).count) / Double(union)
        }
        // What a cause's evidence weighs: the failures it explains that are not yet explained, less the passing
        // vectors that contradict it. A cause that explains 18 failures against one contradiction outranks one
        // that explains a single failure against none; between equals, precision, then overlap.
        func weight(_ failing: Set<String>) -> Int {
            failing.intersection(remaining).count - failing.subtracting(failed).count
        }
        func uncontradicted(_ failing: Set<String>) -> Int { failing.isSubset(of: failed) ? 1 : 0 }
        // Any cause that explains a failure not yet explained is named, the best first: "no known bug" only when
        // none explains any.
        while !remaining.isEmpty && causes.count < 3 {
            guard
                let best = candidates.max(by: { lhs, rhs in
                    (weight(lhs.1), uncontradicted(lhs.1), similarity(lhs.1), -lhs.1.count)
                        < (weight(rhs.1), uncontradicted(rhs.1), similarity(rhs.1), -rhs.1.count)
                }), !best.1.isDisjoint(with: remaining)
            else { break }
            let explained = order.filter { remaining.contains($0) && best.1.contains($0) }
            let twins = candidates.filter { $0.0 != best.0 && $0.1 == best.1 }.map(\.0)
            let notFailed = result.outcomes.map(\.id).filter { best.1.contains($0) && !failed.contains($0) }
            var cause = Cause(
                mutant: best.0, explained: explained, notFailed: notFailed, exact: best.1 == failed,
                indistinguishable: twins)
            cause.unexplained = order.filter { !best.1.contains($0) }
            cause.contradictedBy = notFailed.map { id in (id, Self.step(outcomes[id]?.actualStatus)) }
            causes.append(cause)
            remaining.subtract(best.1)
            candidates.removeAll { $0.1 == best.1 }
        }
        self.causes = causes
        self.unexplained = order.filter { remaining.contains($0) }
        self.failures = order.count
        let failing = order.compactMap { outcomes[$0] }
        self.failureIDs = order
        self.refusedValid = failing.filter { outcome in
            outcome.exchanges.contains { $0.expected == .accept && (400...499).contains($0.status ?? 0) }
        }.map(\.id)
        self.brokenAnswers = failing.contains { outcome in
            outcome.status == .error
                || outcome.exchanges.contains {
                    !(200...499).contains($0.status ?? 0) || (300...399).contains($0.status ?? 0)
                }
        }
        self.acceptedMustRejectFlags = failing.filter { outcome in
            outcome.exchanges.contains { $0.expected == .reject && (200...299).contains($0.status ?? 0) }
        }.map(\.flags)
        // Real receivers often have two bugs: say so where two causes together explain every failure.
        self.pairExplainsAll =
            causes.count >= 2 && !causes.contains(where: \.exact) && remaining.isEmpty
            && Set(causes[0].explained + causes[1].explained) == failed
    }

    /// Whether a status is one a server gives before any handler: a router's 404 or 405, 411, 413, 414, 421,
    /// 431, 501, or a redirect.
    static func refusedBeforeHandler(_ status: Int?) -> Bool {
        guard let status else { return false }
        return [404, 405, 411, 413, 414, 421, 431, 501].contains(status) || (300...399).contains(status)
    }

    /// The receiver's step a passing vector exercised, by its answer: `router` for a refusal before any handler,
    /// `verifier` otherwise.
    static func step(_ status: Int?) -> String {
        refusedBeforeHandler(status) ? "router (answered \(status.map(String.init) ?? "-"))" : "verifier"
    }

    /// Diagnoses a run against any target: the catalogue on the run's own options, then the ranking.
    /// - Parameters:
    ///   - result: The run.
    ///   - corpus: The corpus it used.
    ///   - options: Its options.
    ///   - target: Its target (how it was judged decides how the mutants are).
    /// - Returns: The diagnosis, or `nil` when nothing failed.
    public static func diagnose(
        _ result: RunResult, corpus: Corpus, options: RunOptions, target: any ConformanceTarget
    ) -> Diagnosis? {
        guard result.outcomes.contains(where: { $0.status == .fail || $0.status == .error }) else { return nil }
        let catalogue = catalogue(
            corpus: corpus, options: options, takesSignatureVectors: target.takesSignatureVectors,
            judgesAsVerifier: target.judgesAsVerifier)
        return Diagnosis(result: result, catalogue: catalogue)
    }

    /// The diagnosis as lines for a person: the console's "Likely causes", and the text in JUnit and Markdown.
    public var lines: [String] {
        var settingLines: [String] = []
        if !settings.isEmpty {
            var lines = [Self.settingsHeading + ":"]
            for (index, setting) in settings.enumerated() {
                lines.append(
                    "  \(index + 1). \(setting.setting.rawValue)"
                        + (setting.works.map { " (works: \($0))" } ?? " (check it)") + ": \(setting.message)")
            }
            if probes > 0 {
                lines.append(
                    "  (found with \(counted(probes, "extra delivery", "extra deliveries")); --no-probe turns this off)"
                )
            }
            if causes.isEmpty && (brokenAnswers || acceptedMustReject) {
                // What the setting leaves: a forgery accepted, a 5xx — code, whatever the setting.
                let refused = Set(refusedValid)
                lines.append(
                    "  not explained by this setting, nor by any known bug: "
                        + Self.list(failureIDs.filter { !refused.contains($0) }))
            }
            guard !causes.isEmpty else { return lines }
            // Some failure no setting explains: the code causes first, the setting after.
            settingLines = [""] + lines
        }
        var lines = [
            "Likely causes (known bugs whose failures match this run's — consistent with the evidence, not proof):"
        ]
        if let confirmed {
            lines.append(
                "  (confirmed on the wire: a delivery signed the way '\(confirmed.rawValue)' reads it was accepted, "
                    + "so the key and URL are right)")
            if let member = confirmedMember {
                lines.append("  (your receiver signs the body as \(member))")
            }
        } else if let behind = causes.first?.behind {
            lines.append("  (behind the setting above: the corpus sent again \(behind) still fails these)")
        } else if probes > 0 {
            lines.append(
                "  (no setting explains them: \(counted(probes, "probe delivery", "probe deliveries")) under other profiles and URLs were refused too)"
            )
        }
        if causes.isEmpty {
            lines.append("  \(noMatch) See each one's reason above.")
        }
        for (index, cause) in causes.enumerated() {
            let notFailed =
                cause.notFailed.isEmpty ? "" : "; but would also fail \(Self.list(cause.notFailed)), which passed here"
            lines.append("  \(index + 1). " + sentence(cause) { "'\($0)'" } + notFailed)
            lines.append("     the bug:      \(cause.mutant.summary)")
            lines.append("     typical code: \(cause.mutant.idioms)")
            lines.append("     fix:          \(cause.mutant.fix)")
            if !cause.exact { lines.append("     explains:     \(Self.list(cause.explained))") }
        }
        if pairExplainsAll {
            lines.append(
                "  together, 1 ('\(causes[0].mutant.rawValue)') and 2 ('\(causes[1].mutant.rawValue)') explain every "
                    + "failure and neither alone does: likely two bugs")
        }
        if !unexplained.isEmpty && !causes.isEmpty {
            lines.append("  not explained by any known bug: \(Self.list(unexplained))")
        }
        // Bugs found behind a setting come after it: the setting is what this run's failures show.
        if causes.first?.behind != nil { return Array(settingLines.dropFirst()) + [""] + lines }
        return lines + settingLines
    }

    static func list(_ ids: [String]) -> String {
        ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? " and \(ids.count - 5) more" : "")
    }
}
