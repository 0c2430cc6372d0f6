import PPGVectors

/// What happened to one vector.
public enum OutcomeStatus: String, Sendable, Codable {
    /// The target did what the vector requires.
    case pass
    /// The target did something else: a nonconformance.
    case fail
    /// The harness got no answer: timeout, reset, crash.
    case error
    /// Not run, with a reason.
    case skip
}

/// How an outcome counts towards the run's verdict, once level, `--strict` and expected failures are applied.
public enum Disposition: String, Sendable, Codable, CaseIterable {
    case passed, failed, warning
    case expectedFailure = "expected-failure"
    case unexpectedPass = "unexpected-pass"
    case skipped

    /// Whether this disposition fails the run.
    public var failsRun: Bool { self == .failed || self == .unexpectedPass }
}

/// The outcome of one vector against one target.
public struct VectorOutcome: Sendable {
    /// The stable id, `category/name`.
    public var id: String
    /// The category, the first part of the id.
    public var category: String
    /// What kind it is.
    public var kind: VectorKind
    /// How binding the vector is.
    public var level: VectorLevel
    /// Flags from the manifest's notes: the bugs this catches.
    public var flags: [String]
    /// What the vector checks.
    public var comment: String
    /// The status code.
    public var status: OutcomeStatus
    /// What the vector requires, e.g. `reject (4xx)`.
    public var expected: String
    /// What the target did, e.g. `200 OK`.
    public var actual: String
    /// Why it failed, erred or was skipped; empty on a pass.
    public var reason: String
    /// What was sent, for failure reports.
    public var request: String
    /// A command that reproduces it.
    public var reproduction: String
    /// Seconds spent.
    public var duration: Double
    /// Set when the vector is listed in the expected-failures file, with the line's reason.
    public var expectedFailureReason: String?
    /// How the outcome counts towards the run's verdict.
    public var disposition: Disposition = .passed
    /// A receiver vector's deliveries: what each had to get, and the status it got (`nil` where none came).
    public var exchanges: [(expected: ExpectedVerdict, status: Int?)] = []
    /// The statuses that conform for the decisive delivery (the first that failed, else the last): `2xx`, `4xx`
    /// or codes; empty where no HTTP status is involved.
    public var expectedStatuses: [String] = []
    /// The status the decisive delivery got, or `nil` where none came (or no HTTP status is involved).
    public var actualStatus: Int?
    /// Whether the target gave no answer at all (a timeout, a reset, a refused connection).
    public var unanswered = false
    /// Whether a delivery with a forged, missing or wrong signature (or an invalid signature vector) was
    /// accepted: the gap that lets anyone post events.
    public var acceptedUnverified = false
    /// What was signed: the signing input under SPEC.md's reading, and for a must-reject delivery how its header
    /// departs from that signature. Empty for vectors that carry their own bytes.
    public var signed: String = ""

    /// Creates an outcome.
    public init(
        id: String, category: String, kind: VectorKind, level: VectorLevel, flags: [String], comment: String,
        status: OutcomeStatus, expected: String, actual: String, reason: String, request: String = "",
        reproduction: String = "", duration: Double = 0
    ) {
        self.id = id
        self.category = category
        self.kind = kind
        self.level = level
        self.flags = flags
        self.comment = comment
        self.status = status
        self.expected = expected
        self.actual = actual
        self.reason = reason
        self.request = request
        self.reproduction = reproduction
        self.duration = duration
    }

    /// Applies level, strictness and the expected-failures listing.
    mutating func classify(strict: Bool) {
        let listed = expectedFailureReason != nil
        switch status {
        case .skip: disposition = .skipped
        case .pass:
            disposition = listed ? .unexpectedPass : .passed
            if listed && reason.isEmpty {
                let why =
                    expectedFailureReason.map { $0.isEmpty || $0 == ExpectedFailures.defaultReason ? "" : " (\($0))" }
                    ?? ""
                reason = "listed in the expected-failures file\(why) but passed: remove the line"
            }
        case .fail, .error:
            if listed {
                disposition = .expectedFailure
            } else if level == .recommended && !strict {
                disposition = .warning
            } else {
                disposition = .failed
            }
        }
    }
}

/// Counts of a run, by disposition and status.
public struct RunSummary: Sendable, Equatable {
    public var passed = 0, failed = 0, skipped = 0, warnings = 0, expectedFailures = 0, unexpectedPasses = 0
    /// Outcomes with status error (counted in `failed` or `warnings` too).
    public var errors = 0

    /// Counts outcomes.
    /// - Parameter outcomes: The classified outcomes.
    public init(_ outcomes: [VectorOutcome]) {
        for outcome in outcomes {
            switch outcome.disposition {
            case .passed: passed += 1
            case .failed: failed += 1
            case .skipped: skipped += 1
            case .warning: warnings += 1
            case .expectedFailure: expectedFailures += 1
            case .unexpectedPass: unexpectedPasses += 1
            }
            if outcome.status == .error { errors += 1 }
        }
    }

    /// How many vectors ran (not skipped).
    public var tested: Int { passed + failed + warnings + expectedFailures + unexpectedPasses }

    /// Whether the run conforms: something was tested, nothing failed and no listed vector passed. A run that
    /// tested nothing (a selection that matches nothing, every vector skipped) never conforms.
    public var conforms: Bool { tested > 0 && failed == 0 && unexpectedPasses == 0 }

    /// Every outcome that fails the run: failures and errors of binding vectors, and unexpected passes. This is
    /// the `failed` of the console's closing line, the JSON summary and the Markdown table alike.
    public var failing: Int { failed + unexpectedPasses }

    /// The console's last line: `N passed, N failed, N skipped`, where failed counts what fails the run.
    public var closingLine: String { "\(passed) passed, \(failing) failed, \(skipped) skipped" }
}
