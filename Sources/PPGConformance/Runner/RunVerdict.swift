/// A run's verdict in one word or phrase, as each report's headline states it; written here once and rendered
/// per format.
public enum RunVerdict: Sendable, Equatable, CustomStringConvertible {
    /// No vector was tested.
    case nothingTested
    /// A vector failed the run.
    case notConformant
    /// Every vector tested passed.
    case conformant
    /// Every vector tested passed or is a listed expected failure: this many known gaps.
    case conformantWithGaps(Int)

    /// The verdict of a run.
    /// - Parameter result: The run.
    public init(_ result: RunResult) {
        let gaps = result.outcomes.count { $0.disposition == .expectedFailure }
        self =
            result.summary.tested == 0
            ? .nothingTested
            : !result.summary.conforms ? .notConformant : gaps == 0 ? .conformant : .conformantWithGaps(gaps)
    }

    public var description: String {
        switch self {
        case .nothingTested: "nothing tested"
        case .notConformant: "not conformant"
        case .conformant: "conformant"
        case .conformantWithGaps(let gaps): "conformant with \(counted(gaps, "known gap"))"
        }
    }
}
