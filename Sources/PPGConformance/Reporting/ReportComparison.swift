import Foundation
import PPGSignature
import PPGVectors
import PPGWire

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
        /// Vector id → what the report says of it: expected, actual and reason, for the HTML matrix's cells.
        public var details: [String: (expected: String, actual: String, reason: String)] = [:]
        /// The report's file name.
        public var file: String = ""
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
            var details: [String: (expected: String, actual: String, reason: String)] = [:]
            for outcome in outcomes {
                let id = text(outcome["id"])
                guard !id.isEmpty else { throw Failure(message: "\(name) has an outcome without an id") }
                cells[id] = Self.cell(status: text(outcome["status"]), disposition: text(outcome["disposition"]))
                details[id] = (text(outcome["expected"]), text(outcome["actual"]), text(outcome["reason"]))
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
                    order: order, kindsNotSent: kindsNotSent, details: details, file: name))
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
            // Labels, versions and ids come from report files: escaped for where they land, a line of their own
            // included (no line break, no control, no runner command).
            let context: OutsideText.Context = markdown ? .markdownCode : .line
            let label = OutsideText.escape(column.label, for: context)
            let corpus = OutsideText.escape(column.corpusVersion, for: context)
            let profile = OutsideText.escape(column.profile, for: context)
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
                "| "
                    + (["vector"] + columns.map { OutsideText.escape($0.label, for: .markdownCode) }).joined(
                        separator: " | ") + " |")
            lines.append("| " + headers.map { _ in "---" }.joined(separator: " | ") + " |")
            for row in body {
                lines.append(
                    "| " + row.map { OutsideText.escape($0, for: .markdownCode) }.joined(separator: " | ") + " |")
            }
        } else {
            let headers = headers.map { OutsideText.escape($0, for: .line) }
            let body = body.map { row in row.map { OutsideText.escape($0, for: .line) } }
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

    /// The matrix as one self-contained HTML page: receivers × vectors (Autobahn-style), each cell linking to that
    /// receiver's outcome below the matrix, rows filterable to where the receivers differ, totals per receiver.
    /// - Returns: The HTML document.
    public func renderHTML() -> String {
        let differ = Set(differing)
        var html = """
            <h1>PushPushGo webhook conformance: \(columns.count) receivers compared</h1>
            <p>\(differ.count) of \(counted(ids.count, "vector")) differ. Cells: pass, FAIL, error, skip, warn \
            (recommended failed), xfail (expected failure), XPASS (unexpected pass), — (not in that report).</p>
            <label><input type="checkbox" id="only-differing"> only where they differ</label> \
            <output id="shown"></output>
            <table id="matrix">
            <thead><tr><th scope="col">vector</th>
            """
        for (index, column) in columns.enumerated() {
            html +=
                "<th scope=\"col\"><a href=\"#receiver-\(index)\">"
                + "\(OutsideText.escape(column.label, for: .html))</a></th>"
        }
        html += "</tr>\n<tr class=\"totals\"><th scope=\"row\">totals</th>"
        for column in columns {
            let failed = column.cells.values.filter { $0 == "FAIL" || $0 == "error" || $0 == "XPASS" }.count
            let passed = column.cells.values.filter { $0 == "pass" }.count
            html += "<td data-passed=\"\(passed)\" data-failed=\"\(failed)\">\(passed) passed, \(failed) failed</td>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for id in ids {
            html +=
                "<tr data-differs=\"\(differ.contains(id))\"><th scope=\"row\"><code>"
                + "\(OutsideText.escape(id, for: .html))</code></th>"
            for (index, column) in columns.enumerated() {
                let cell = column.cells[id] ?? "—"
                let kind = Self.cellClass(cell)
                if column.cells[id] != nil {
                    html +=
                        "<td class=\"\(kind)\"><a href=\""
                        + "\(OutsideText.escape("r\(index)-" + id, for: .htmlFragment))\">"
                        + "\(OutsideText.escape(cell, for: .html))</a></td>"
                } else {
                    html += "<td class=\"\(kind)\">—</td>"
                }
            }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>\n"
        for (index, column) in columns.enumerated() {
            html += "<section id=\"receiver-\(index)\">\n<h2>\(OutsideText.escape(column.label, for: .html))</h2>\n"
            html +=
                "<p>\(OutsideText.escape(column.file, for: .html)) · corpus <code>"
                + "\(OutsideText.escape(column.corpusVersion, for: .html))</code>"
            html += " · profile <code>\(OutsideText.escape(column.profile, for: .html))</code></p>\n"
            for id in column.order {
                let detail = column.details[id] ?? ("", "", "")
                html += "<details id=\"\(OutsideText.escape("r\(index)-" + id, for: .htmlIdentifier))\"><summary>"
                html +=
                    "<span class=\"\(Self.cellClass(column.cells[id] ?? ""))\">"
                    + "\(OutsideText.escape(column.cells[id] ?? "", for: .html))"
                html += "</span> <code>\(OutsideText.escape(id, for: .html))</code></summary><dl>"
                html += "<dt>expected</dt><dd>\(OutsideText.escape(detail.expected, for: .html))</dd>"
                html += "<dt>actual</dt><dd>\(OutsideText.escape(detail.actual, for: .html))</dd>"
                html += "<dt>reason</dt><dd>\(OutsideText.escape(detail.reason, for: .html))</dd></dl></details>\n"
            }
            html += "</section>\n"
        }
        return HTMLDocument.make(
            title: "PushPushGo webhook conformance: \(columns.count) receivers compared", style: Self.style, body: html,
            script: Self.script)
    }

    static func cellClass(_ cell: String) -> String {
        switch cell {
        case "pass": "pass"
        case "FAIL", "error", "XPASS": "fail"
        case "warn", "xfail": "warn"
        default: "skip"
        }
    }

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1rem}code{font-family:ui-monospace,monospace;font-size:12px}
        table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.15rem .4rem;text-align:left}
        thead th{position:sticky;top:0;background:#fff}td.pass{background:#dafbe1}td.fail{background:#ffd7d5}
        td.warn{background:#fff1c2}td.skip{color:#57606a}td a{color:inherit}tr.totals td{font-weight:600}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem}dd{margin:0}
        :focus-visible{outline:2px solid #0969da}
        """

    static let script = """
        (function(){var box=document.getElementById('only-differing'),shown=document.getElementById('shown');
        var rows=Array.prototype.slice.call(document.querySelectorAll('#matrix tbody tr'));
        function apply(){var n=0;rows.forEach(function(r){var ok=!box.checked||r.dataset.differs==='true';
        r.hidden=!ok;if(ok)n++;});shown.textContent=n+' of '+rows.length+' vectors shown';
        document.body.setAttribute('data-shown',n);}
        box.addEventListener('change',apply);
        if(new URLSearchParams(location.search).get('differing')==='1'&&!box.checked)box.click();apply();
        function openHash(){var id='';try{id=decodeURIComponent(location.hash.slice(1));}catch(e){}
        var t=id&&document.getElementById(id);if(t&&t.tagName==='DETAILS'){t.open=true;t.scrollIntoView();}}
        window.addEventListener('hashchange',openHash);openHash();})();
        """
}
