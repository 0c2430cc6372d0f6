import Foundation
import PPGSignature

/// A `--expected-failures` file: one id or glob a line, `#` starts the reason (or a comment line). A line may
/// start with a profile in brackets — `[url-params]`, `[base64]`, `[json-body/hex]` — to hold only for runs of
/// that scheme, encoding or profile: a stack's gap that exists under one reading is no gap under another.
public struct ExpectedFailures: Sendable {
    /// One entry and where it was written.
    public struct Entry: Sendable, Equatable {
        /// The id or glob.
        public var pattern: String
        /// The reason phrase or explanation.
        public var reason: String
        /// The line it was written on, from 1.
        public var line: Int
        /// The scheme, encoding or `scheme/encoding` the line is limited to, or `nil` for every profile.
        public var profile: String? = nil

        /// Whether the line holds for runs of this profile.
        /// - Parameter runProfile: The run's profile.
        /// - Returns: Whether it applies.
        public func applies(to runProfile: SignatureProfile) -> Bool {
            guard let profile else { return true }
            return profile == runProfile.scheme.rawValue || profile == runProfile.encoding.rawValue
                || profile == "\(runProfile.scheme.rawValue)/\(runProfile.encoding.rawValue)"
        }
    }

    /// The reason shown for a line that gives none.
    public static let defaultReason = "listed as expected failure"

    /// The file concerned.
    public var file: String
    /// The entries, in file order.
    public var entries: [Entry]

    /// Parses the text of a file.
    /// - Parameters:
    ///   - text: The file's text.
    ///   - file: Its path, for messages.
    public init(text: String, file: String) {
        self.file = file
        var entries: [Entry] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var pattern = Substring(rawLine)
            var reason = ""
            if let hash = rawLine.firstIndex(of: "#") {
                pattern = rawLine[..<hash]
                reason = rawLine[rawLine.index(after: hash)...].trimmingCharacters(
                    in: CharacterSet(charactersIn: " \t\r"))
            }
            var trimmed = pattern.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r"))
            var profile: String?
            if trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
                profile = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
                    .trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
                trimmed = trimmed[trimmed.index(after: close)...].trimmingCharacters(
                    in: CharacterSet(charactersIn: " \t"))
            }
            if trimmed.isEmpty && profile == nil { continue }
            entries.append(
                Entry(
                    pattern: trimmed, reason: reason.isEmpty ? Self.defaultReason : reason,
                    line: offset + 1, profile: profile))
        }
        self.entries = entries
    }

    /// The entry that lists an id for runs of a profile, if any.
    /// - Parameters:
    ///   - id: The vector id.
    ///   - profile: The run's profile.
    /// - Returns: The first matching entry.
    public func entry(for id: String, profile: SignatureProfile) -> Entry? {
        entries.first { $0.applies(to: profile) && Glob.matches($0.pattern, id) }
    }

    /// Warnings for entries that match none of the ids, and for profiles that name no scheme or encoding.
    /// - Parameter ids: Every id in the corpus.
    /// - Returns: One line per unused entry.
    public func unusedEntryWarnings(ids: [String]) -> [String] {
        let known =
            SignatureScheme.allCases.map(\.rawValue) + SignatureEncoding.allCases.map(\.rawValue)
            + SignatureScheme.allCases.flatMap { scheme in
                SignatureEncoding.allCases.map { "\(scheme.rawValue)/\($0.rawValue)" }
            }
        var warnings: [String] = []
        for entry in entries {
            if let profile = entry.profile, !known.contains(profile) {
                warnings.append(
                    "\(file):\(entry.line): '[\(profile)]' is not a scheme, encoding or profile "
                        + "(url-params, json-body, hex, base64, or scheme/encoding)")
            } else if entry.pattern.isEmpty {
                warnings.append("\(file):\(entry.line): no vector id after '[\(entry.profile ?? "")]'")
            } else if !ids.contains(where: { Glob.matches(entry.pattern, $0) }) {
                warnings.append("\(file):\(entry.line): '\(entry.pattern)' matches no vector in the corpus")
            }
        }
        return warnings
    }

    /// The text of a file listing the failures of a run, to bootstrap a receiver.
    /// - Parameter outcomes: The run's outcomes.
    /// - Returns: The file's text.
    public static func render(failuresOf outcomes: [VectorOutcome], header: String) -> String {
        var lines = ["# Expected failures for ppg-conformance run --expected-failures", "# \(header)"]
        for outcome in outcomes where outcome.status == .fail || outcome.status == .error {
            let reason = outcome.reason.split(separator: "\n").first.map(String.init) ?? outcome.status.rawValue
            lines.append("\(outcome.id)  # \(outcome.status.rawValue): \(reason)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
