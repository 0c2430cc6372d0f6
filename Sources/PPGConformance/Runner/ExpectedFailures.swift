import Foundation

/// A `--expected-failures` file: one id or glob a line, `#` starts the reason (or a comment line).
public struct ExpectedFailures: Sendable {
    /// One entry and where it was written.
    public struct Entry: Sendable, Equatable {
        /// The id or glob.
        public var pattern: String
        /// The reason phrase or explanation.
        public var reason: String
        /// The line it was written on, from 1.
        public var line: Int
    }

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
            let trimmed = pattern.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r"))
            if trimmed.isEmpty { continue }
            entries.append(
                Entry(
                    pattern: trimmed, reason: reason.isEmpty ? "listed as expected failure" : reason,
                    line: offset + 1))
        }
        self.entries = entries
    }

    /// The entry that lists an id, if any.
    /// - Parameter id: The vector id.
    /// - Returns: The first matching entry.
    public func entry(for id: String) -> Entry? {
        entries.first { Glob.matches($0.pattern, id) }
    }

    /// Warnings for entries that match none of the ids.
    /// - Parameter ids: Every id in the corpus.
    /// - Returns: One line per unused entry.
    public func unusedEntryWarnings(ids: [String]) -> [String] {
        entries.filter { entry in !ids.contains { Glob.matches(entry.pattern, $0) } }.map {
            "\(file):\($0.line): '\($0.pattern)' matches no vector in the corpus"
        }
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
