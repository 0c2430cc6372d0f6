import Foundation
import PPGSignature
import PPGVectors

/// Several JSON reports side by side, vector by vector: a conformance matrix of where receivers (or one receiver
/// before and after a change) differ.
public struct ReportComparison: Sendable {
    /// One report, as read back.
    public struct Column: Sendable {
        /// The column's heading: the target, or the file name.
        public var label: String
        /// The corpus version the run used.
        public var corpusVersion: String
        /// Scheme and encoding.
        public var profile: String
        /// Vector id → status shown in the matrix (`pass`, `FAIL`, `error`, `skip`, `warn`, `xfail`, `XPASS`).
        public var cells: [String: String]
        /// Vector ids in the report's order.
        public var order: [String]
        /// Vector kinds the report's target did not take (`notSent`), such as signature vectors over HTTP.
        public var kindsNotSent: Set<String> = []
    }

    /// Vector id → kind, from whichever report ran it.
    var kinds: [String: String] = [:]

    /// Why a report cannot be read.
    public struct Failure: Error, Sendable {
        /// One line for a person.
        public var message: String
    }

    /// One column per report.
    public var columns: [Column]

    /// Reads JSON reports (format 1).
    /// - Parameters:
    ///   - reports: Each report's file name and bytes.
    /// - Throws: `Failure` naming the file that is not a report.
    public init(reports: [(name: String, bytes: [UInt8])]) throws(Failure) {
        var columns: [Column] = []
        for (name, bytes) in reports {
            guard let value = try? JSONParser.parse(bytes) else {
                throw Failure(message: "\(name) is not JSON")
            }
            let report = value.output(source: bytes)
            guard report["format"] == .number("1"), case .array(let outcomes)? = report["outcomes"] else {
                throw Failure(message: "\(name) is not a ppg-conformance JSON report (format 1 with 'outcomes')")
            }
            func text(_ value: JSONOutput?) -> String {
                if case .string(let string)? = value { return string }
                return ""
            }
            var cells: [String: String] = [:]
            var order: [String] = []
            for outcome in outcomes {
                let id = text(outcome["id"])
                guard !id.isEmpty else { throw Failure(message: "\(name) has an outcome without an id") }
                cells[id] = Self.cell(status: text(outcome["status"]), disposition: text(outcome["disposition"]))
                kinds[id] = text(outcome["kind"])
                order.append(id)
            }
            var kindsNotSent: Set<String> = []
            if case .object(let members)? = report["notSent"] { kindsNotSent = Set(members.map(\.0)) }
            columns.append(
                Column(
                    label: text(report["target"]).isEmpty ? name : text(report["target"]),
                    corpusVersion: text(report["corpusVersion"]),
                    profile: text(report["scheme"]) + "/" + text(report["encoding"]), cells: cells,
                    order: order, kindsNotSent: kindsNotSent))
        }
        // Labels must tell columns apart: fall back to file names where targets repeat.
        let labels = columns.map(\.label)
        for index in columns.indices where labels.filter({ $0 == labels[index] }).count > 1 {
            columns[index].label = reports[index].name
        }
        self.columns = columns
    }

    static func cell(status: String, disposition: String) -> String {
        switch disposition {
        case "passed": "pass"
        case "warning": "warn"
        case "expected-failure": "xfail"
        case "unexpected-pass": "XPASS"
        case "skipped": "skip"
        default: status == "error" ? "error" : "FAIL"
        }
    }

    /// Every vector id, in the first report's order, then any others.
    public var ids: [String] {
        var seen: Set<String> = []
        return columns.flatMap(\.order).filter { seen.insert($0).inserted }
    }

    /// The ids whose cells differ among the reports, or that a report left out although its target takes their
    /// kind (a narrower selection, an empty run). A vector of a kind a target does not take at all — a signature
    /// vector beside an HTTP run — is not a difference.
    public var differing: [String] {
        ids.filter { id in
            let missing = columns.contains { column in
                column.cells[id] == nil && !column.kindsNotSent.contains(kinds[id] ?? "")
            }
            return missing || Set(columns.compactMap { $0.cells[id] }).count > 1
        }
    }

    /// The matrix as text.
    /// - Parameters:
    ///   - markdown: A Markdown table instead of aligned plain text.
    ///   - all: Every vector, not only those that differ.
    /// - Returns: The table with a summary line.
    public func render(markdown: Bool, all: Bool = false) -> String {
        let rows = all ? ids : differing
        let headers = ["vector"] + columns.map(\.label)
        let body = rows.map { id in [id] + columns.map { $0.cells[id] ?? "—" } }
        var lines: [String] = []
        for column in columns {
            let failed = column.cells.values.filter { $0 == "FAIL" || $0 == "error" || $0 == "XPASS" }.count
            let passed = column.cells.values.filter { $0 == "pass" }.count
            let label = markdown ? MarkdownText.code(column.label) : column.label
            let corpus = markdown ? MarkdownText.code(column.corpusVersion) : column.corpusVersion
            let profile = markdown ? MarkdownText.code(column.profile) : column.profile
            lines.append(
                (markdown ? "- " : "") + "\(label): \(passed) passed, \(failed) failed "
                    + "(corpus \(corpus), \(profile))")
        }
        lines.append("")
        if rows.isEmpty {
            lines.append("No vector differs between the \(columns.count) reports.")
            return lines.joined(separator: "\n") + "\n"
        }
        if markdown {
            // Ids and labels come from report files: code spans, so nothing in them renders.
            lines.append(
                "| " + (["vector"] + columns.map { MarkdownText.code($0.label) }).joined(separator: " | ") + " |")
            lines.append("| " + headers.map { _ in "---" }.joined(separator: " | ") + " |")
            for row in body {
                lines.append("| " + row.map(MarkdownText.code).joined(separator: " | ") + " |")
            }
        } else {
            let widths = headers.indices.map { column in
                ([headers[column]] + body.map { $0[column] }).map(\.count).max() ?? 0
            }
            func line(_ cells: [String]) -> String {
                zip(cells, widths).map { $0.padding(toLength: $1) }.joined(separator: "  ")
                    .trimmingCharacters(in: CharacterSet(charactersIn: " "))
            }
            lines.append(line(headers))
            lines.append(line(widths.map { String(repeating: "-", count: $0) }))
            for row in body { lines.append(line(row)) }
        }
        lines.append("")
        lines.append(
            "\(differing.count) of \(counted(ids.count, "vector")) differ between the \(columns.count) reports "
                + "(— : not in that report).")
        return lines.joined(separator: "\n") + "\n"
    }
}
