import Foundation
import PPGWire

/// Several JSON reports side by side, vector by vector: a conformance matrix of where receivers (or one receiver
/// before and after a change) differ. Ids are held once for all reports, each report's cells as one byte per id, so
/// that reports of a million outcomes compare in about the memory of the largest.
package struct ReportComparison: Sendable {
    /// One report, as read back.
    public struct Column: Sendable {
        /// The column's heading: the target, or the file name.
        public var label: String
        /// The corpus version the run used.
        public var corpusVersion: String
        /// Scheme and encoding.
        public var profile: String
        /// Vector kinds the report's target did not take (`notSent`), such as signature vectors over HTTP.
        public var kindsNotSent: Set<String> = []
        /// The report's file name.
        public var file: String = ""
        /// The cell of each vector by its number in `ReportComparison.ids` (0: not in this report); shorter than
        /// `ids` where later reports brought ids this one lacks.
        var codes: [UInt8] = []
        /// Vector numbers in the report's order.
        var order: [Int32] = []
        /// What the report says of each vector in `order`, for the HTML matrix: expected, actual and reason as
        /// numbers in `ReportComparison.texts`, three per vector (empty when details are not kept).
        var details: [Int32] = []

        /// The status shown in the matrix for the vector numbered `number` (`pass`, `FAIL`, `error`, `skip`,
        /// `warn`, `xfail`, `XPASS`), or `nil` when the report does not have it.
        func cell(_ number: Int) -> String? {
            guard number < codes.count, codes[number] != 0 else { return nil }
            return ReportComparison.cellNames[Int(codes[number])]
        }

        /// How many of the report's vectors show each cell.
        func count(_ names: Set<String>) -> Int {
            codes.reduce(0) { $1 != 0 && names.contains(ReportComparison.cellNames[Int($1)]) ? $0 + 1 : $0 }
        }
    }

    /// The matrix's cells; a report's byte is the index here (0 stands for none).
    static let cellNames = ["", "pass", "FAIL", "error", "skip", "warn", "xfail", "XPASS"]

    /// Every vector id, in the first report's order, then any others.
    public private(set) var ids: [String] = []
    /// Id → its number in `ids`.
    private var numbers: [String: Int32] = [:]
    /// Vector number → kind, from whichever report ran it.
    private var kinds: [String] = []
    /// The texts of the outcomes' expected, actual and reason, each held once (they repeat across a report).
    private var texts: [String] = [""]
    private var textNumbers: [String: Int32] = ["": 0]

    /// Why a report cannot be read.
    public struct Failure: Error, Sendable {
        /// One line for a person.
        public var message: String
    }

    /// One column per report.
    public var columns: [Column]

    /// The targets as the reports name them, before labels are made distinct.
    private var targets: [String] = []

    /// Reads JSON reports (format 1).
    /// - Parameters:
    ///   - reports: Each report's file name and bytes.
    /// - Throws: `Failure` naming the file that is not a report.
    public init(reports: [(name: String, bytes: [UInt8])]) throws(Failure) {
        columns = []
        for (name, bytes) in reports { try add(name: name, bytes: bytes) }
    }

    /// An empty comparison, to `add` reports to one at a time (so that only one is in memory at once).
    public init() {
        columns = []
    }

    /// Reads one more JSON report (format 1) as a column. Its outcomes are read one by one as the JSON is parsed,
    /// never as a tree of the whole report.
    /// - Parameters:
    ///   - name: The report's file name.
    ///   - bytes: Its bytes.
    ///   - details: Keep each outcome's expected, actual and reason (the HTML matrix shows them).
    /// - Throws: `Failure` naming the file (with line and column where it is not JSON).
    public mutating func add(name: String, bytes: [UInt8], details keepDetails: Bool = true) throws(Failure) {
        var column = Column(label: "", corpusVersion: "", profile: "", file: name)
        var outcomes = 0
        var problem: String?
        var added = self
        let report: JSONValue
        do {
            report = try JSONParser.parse(bytes, streaming: "outcomes") { outcome in
                outcomes += 1
                guard problem == nil else { return }
                let id = Self.text(outcome, "id")
                guard !id.isEmpty else {
                    problem = "\(name) has an outcome without an id (outcome \(outcomes))"
                    return
                }
                let number = added.number(of: id, kind: Self.text(outcome, "kind"))
                if column.codes.count <= Int(number) {
                    column.codes += repeatElement(0, count: Int(number) + 1 - column.codes.count)
                }
                // An id a report lists twice (no report of this tool does) counts once, as first listed.
                guard column.codes[Int(number)] == 0 else { return }
                column.order.append(number)
                column.codes[Int(number)] = Self.cell(
                    status: Self.text(outcome, "status"), disposition: Self.text(outcome, "disposition"))
                if keepDetails {
                    for member in ["expected", "actual", "reason"] {
                        column.details.append(added.textNumber(Self.text(outcome, member)))
                    }
                }
            }
        } catch {
            let (line, column) = jsonLocation(of: error.offset, in: bytes)
            throw Failure(message: "\(name):\(line):\(column): not JSON: \(error.message)")
        }
        if let problem { throw Failure(message: problem) }
        guard let format = Self.member(report, "format"), case .number = format.kind,
            bytes[format.span].elementsEqual("1".utf8), case .array? = Self.member(report, "outcomes")?.kind
        else {
            throw Failure(message: "\(name) is not a ppg-conformance JSON report (format 1 with 'outcomes')")
        }
        if case .object(let notSent)? = Self.member(report, "notSent")?.kind {
            column.kindsNotSent = Set(notSent.map(\.nameString))
        }
        column.corpusVersion = Self.text(report, "corpusVersion")
        column.profile = Self.text(report, "scheme") + "/" + Self.text(report, "encoding")
        self = added
        targets.append(Self.text(report, "target"))
        columns.append(column)
        // Labels must tell columns apart: file names where targets repeat or are missing.
        for index in columns.indices {
            let target = targets[index]
            columns[index].label =
                target.isEmpty || targets.filter({ $0 == target }).count > 1 ? columns[index].file : target
        }
    }

    /// The number of an id, given one if it is new.
    private mutating func number(of id: String, kind: String) -> Int32 {
        if let known = numbers[id] {
            if kinds[Int(known)].isEmpty { kinds[Int(known)] = kind }
            return known
        }
        let number = Int32(ids.count)
        ids.append(id)
        kinds.append(kind)
        numbers[id] = number
        return number
    }

    /// The number of a detail text, given one if it is new.
    private mutating func textNumber(_ text: String) -> Int32 {
        if let known = textNumbers[text] { return known }
        let number = Int32(texts.count)
        texts.append(text)
        textNumbers[text] = number
        return number
    }

    /// A member of an object, by name.
    static func member(_ value: JSONValue, _ name: String) -> JSONValue? {
        guard case .object(let members) = value.kind else { return nil }
        let bytes = Array(name.utf8)
        return members.first { $0.name == bytes }?.value
    }

    /// A string member's text; `""` where it is absent or not a string.
    static func text(_ value: JSONValue, _ name: String) -> String {
        guard case .string(let bytes)? = member(value, name)?.kind else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The cell's byte for an outcome's status and disposition.
    static func cell(status: String, disposition: String) -> UInt8 {
        let name =
            switch disposition {
            case "passed": "pass"
            case "warning": "warn"
            case "expected-failure": "xfail"
            case "unexpected-pass": "XPASS"
            case "skipped": "skip"
            default: status == "error" ? "error" : "FAIL"
            }
        return UInt8(cellNames.firstIndex(of: name) ?? 2)
    }

    /// The ids whose cells differ among the reports, or that a report left out although its target takes their
    /// kind (a narrower selection, an empty run). A vector of a kind a target does not take at all — a signature
    /// vector beside an HTTP run — is not a difference.
    public var differing: [String] { differingNumbers.map { ids[$0] } }

    private var differingNumbers: [Int] {
        ids.indices.filter { number in
            var seen: String?
            for column in columns {
                guard let cell = column.cell(number) else {
                    if !column.kindsNotSent.contains(kinds[number]) { return true }
                    continue
                }
                if let seen, seen != cell { return true }
                seen = cell
            }
            return false
        }
    }

    /// The matrix as text.
    /// - Parameters:
    ///   - markdown: A Markdown table instead of aligned plain text.
    ///   - all: Every vector, not only those that differ.
    /// - Returns: The table with a summary line.
    public func render(markdown: Bool, all: Bool = false) -> String {
        let differing = differingNumbers
        let rows = all ? Array(ids.indices) : differing
        let headers = ["vector"] + columns.map(\.label)
        let body = rows.map { number in [ids[number]] + columns.map { $0.cell(number) ?? "—" } }
        var lines: [String] = []
        for column in columns {
            let failed = column.count(Self.failing)
            let passed = column.count(["pass"])
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
        var document = ""
        renderHTML { document += $0 }
        return document
    }

    /// The same page, handed to `emit` a row at a time (`OutputFile.write(pieces:)` writes it as it is made).
    /// - Parameter emit: Called with each piece of the document, in order.
    public func renderHTML(into emit: (String) -> Void) {
        let title = "PushPushGo webhook conformance: \(columns.count) receivers compared"
        emit(HTMLDocument.head(title: title, style: Self.style))
        let differ = Set(differingNumbers)
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
            let failed = column.count(Self.failing)
            let passed = column.count(["pass"])
            html += "<td data-passed=\"\(passed)\" data-failed=\"\(failed)\">\(passed) passed, \(failed) failed</td>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for (number, id) in ids.enumerated() {
            html +=
                "<tr data-differs=\"\(differ.contains(number))\"><th scope=\"row\"><code>"
                + "\(OutsideText.escape(id, for: .html))</code></th>"
            for (index, column) in columns.enumerated() {
                let cell = column.cell(number) ?? "—"
                let kind = Self.cellClass(cell)
                if column.cell(number) != nil {
                    html +=
                        "<td class=\"\(kind)\"><a href=\""
                        + "\(OutsideText.escape("r\(index)-" + id, for: .htmlFragment))\">"
                        + "\(OutsideText.escape(cell, for: .html))</a></td>"
                } else {
                    html += "<td class=\"\(kind)\">—</td>"
                }
            }
            html += "</tr>\n"
            emit(html)
            html = ""
        }
        html += "</tbody>\n</table>\n"
        for (index, column) in columns.enumerated() {
            html += "<section id=\"receiver-\(index)\">\n<h2>\(OutsideText.escape(column.label, for: .html))</h2>\n"
            html +=
                "<p>\(OutsideText.escape(column.file, for: .html)) · corpus <code>"
                + "\(OutsideText.escape(column.corpusVersion, for: .html))</code>"
            html += " · profile <code>\(OutsideText.escape(column.profile, for: .html))</code></p>\n"
            for (position, number) in column.order.enumerated() {
                let id = ids[Int(number)]
                let detail =
                    column.details.count >= 3 * (position + 1)
                    ? (
                        expected: texts[Int(column.details[3 * position])],
                        actual: texts[Int(column.details[3 * position + 1])],
                        reason: texts[Int(column.details[3 * position + 2])]
                    ) : (expected: "", actual: "", reason: "")
                let cell = column.cell(Int(number)) ?? ""
                html += "<details id=\"\(OutsideText.escape("r\(index)-" + id, for: .htmlIdentifier))\"><summary>"
                html +=
                    "<span class=\"\(Self.cellClass(cell))\">"
                    + "\(OutsideText.escape(cell, for: .html))"
                html += "</span> <code>\(OutsideText.escape(id, for: .html))</code></summary><dl>"
                html += "<dt>expected</dt><dd>\(OutsideText.escape(detail.expected, for: .html))</dd>"
                html += "<dt>actual</dt><dd>\(OutsideText.escape(detail.actual, for: .html))</dd>"
                html += "<dt>reason</dt><dd>\(OutsideText.escape(detail.reason, for: .html))</dd></dl></details>\n"
                emit(html)
                html = ""
            }
            html += "</section>\n"
        }
        emit(html)
        emit(HTMLDocument.tail(script: Self.script))
    }

    /// The cells that count as failed in a column's totals.
    static let failing: Set<String> = ["FAIL", "error", "XPASS"]

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
