import Foundation
import PPGConformance
import PPGSignature
import PPGVectors
import PPGWire
import TestSupport
import Testing

@Suite("Reports")
struct ReportTests {
    @Test("each category's bar on the HTML page spans 100 %, a category of one vector and the whole corpus alike")
    func htmlBarsSpanTheWhole() throws {
        let corpus = try #require(Fixtures.corpus)
        let one = try #require(corpus.receiverVectors.first).vector.id
        for selection in [Selection(only: [one]), Selection()] {
            let result = Runner.run(
                corpus: corpus, target: FixedTarget(status: 200), options: Fixtures.options(selection: selection))
            let html = HTMLReport.render(result)
            let bars = html.matches(of: /<div class="bar"[^>]*>(.*?)<\/div>/)
            #expect(!bars.isEmpty)
            for bar in bars {
                let widths = bar.output.1.matches(of: /width:([0-9.]+)%/).compactMap { Double($0.output.1) }
                #expect(abs(widths.reduce(0, +) - 100) < 0.05, "\(bar.output.0)")
            }
        }
    }

    @Test("the HTML page's outcome filters count each outcome as the run holds it, zero for those it has none of")
    func htmlFilterCounts() throws {
        let corpus = try #require(Fixtures.corpus)
        // A receiver that accepts everything: passes, failures and warnings in one run.
        let result = Runner.run(corpus: corpus, target: FixedTarget(status: 200), options: Fixtures.options())
        let html = HTMLReport.render(result)
        let words: [(word: String, counts: (VectorOutcome) -> Bool)] = [
            ("pass", { $0.disposition == .passed }), ("fail", { $0.disposition == .failed && $0.status != .error }),
            ("warning", { $0.disposition == .warning }), ("xpass", { $0.disposition == .unexpectedPass }),
        ]
        for (word, counts) in words {
            let count = result.outcomes.count(where: counts)
            let pattern = "value=\"\(word)\" id=\"filter-\(word)\" checked> <span class=\"word word-\(word)\">"
            let label = try #require(html.range(of: pattern), "\(word)")
            let rest = html[label.upperBound...].prefix(80)
            #expect(rest.contains("</span> (\(count))</label>"), "\(word): \(rest)")
        }
        #expect(result.summary.passed > 0 && result.summary.failing > 0)
    }

    @Test("a Markdown table cell escapes '|' inside its code span; HTML text escapes both quotes")
    func cellAndAttributeEscaping() {
        let cell = OutsideText.escape("401 | forged", for: .markdownCode)
        #expect(cell.contains("401 \\| forged"), "\(cell)")
        #expect(!cell.replacingOccurrences(of: "\\|", with: "").contains("|"), "\(cell)")
        let html = OutsideText.escape("\"' onmouseover=alert(1) x=\"", for: .html)
        #expect(html.contains("&quot;") && html.contains("&apos;"), "\(html)")
        #expect(!html.contains("\"") && !html.contains("'"), "\(html)")
    }

    static func failingRun() throws -> RunResult {
        let corpus = try #require(Fixtures.corpus)
        let expected = ExpectedFailures(text: "headers/missing # known\n", file: "e")
        return Runner.run(
            corpus: corpus, target: FixedTarget(status: 200, body: "\u{0}\u{1B}]]><x>&\u{FFFE}"),
            options: Fixtures.options(expected: expected))
    }

    static func passingRun() throws -> RunResult {
        let corpus = try #require(Fixtures.corpus)
        return Runner.run(corpus: corpus, target: Fixtures.reference(), options: Fixtures.options())
    }

    func validate(_ xml: String) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/report.xml"
        try TestSupport.write(xml, to: path)
        let xmllint = try #require(TestSupport.which("xmllint"))
        for schema in ["junit-10.xsd", "ant-junit.xsd"] {
            let schemaPath = try #require(TestSupport.junitSchema(schema), "shared/junit/\(schema) is missing")
            let result = try TestSupport.run(xmllint, ["--noout", "--schema", schemaPath, path])
            #expect(result.status == 0, "\(schema): \(result.stderr.prefix(600))")
        }
    }

    @Test(
        "JUnit of a passing and of a failing run validates against both schemas",
        .enabled(if: TestSupport.hasXmllint, "xmllint is not installed (apt-get install libxml2-utils)"),
        .enabled(
            if: TestSupport.hasJUnitSchemas,
            "the JUnit schemas (../shared/junit) are not beside this checkout; .ci/run validates with them"))
    func junitValidates() throws {
        try validate(JUnitReport.render(try Self.passingRun(), hostname: "ci host"))
        try validate(JUnitReport.render(try Self.failingRun(), hostname: "ci\u{1B}host"))
    }

    @Test("JUnit maps categories to suites, failures, errors and skips to their elements")
    func junitShape() throws {
        let xml = JUnitReport.render(try Self.failingRun(), hostname: "h")
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>"))
        #expect(xml.contains("<testsuite name=\"headers\" package=\"ppg-conformance\""))
        #expect(xml.contains("classname=\"receiver.headers\""))
        #expect(xml.contains("<failure message=\""))
        #expect(xml.contains("type=\"nonconformance\""))
        #expect(xml.contains("<skipped message=\""))
        #expect(xml.contains("expected failure: headers/missing"))
        #expect(!xml.contains("]]>"))
        #expect(!xml.contains("\u{1B}"))
        #expect(!xml.contains("\u{0}"))
        let timestamp = try #require(xml.firstRange(of: /timestamp="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)"/))
        #expect(!xml[timestamp].contains("Z"))
        #expect(xml.firstRange(of: /time="\d+\.\d{3}"/) != nil)
        #expect(xml.firstRange(of: /time="\d+,\d/) == nil)
    }

    @Test(
        "XML escaping makes hostile text safe",
        arguments: [
            ("\u{1B}[31m", "\\u{1B}[31m"), ("a\u{0}b", "a\\u{0}b"), ("]]>", "]]&gt;"), ("<&>", "&lt;&amp;&gt;"),
            ("\u{FFFF}\u{FFFE}", "\\u{FFFF}\\u{FFFE}"), ("\u{7}", "\\u{7}"), ("é😀", "é😀"),
        ])
    func escaping(input: String, expected: String) {
        #expect(OutsideText.escape(input, for: .xml) == expected)
    }

    @Test("attributes escape quotes and line breaks; tokens collapse white space")
    func attributes() {
        #expect(OutsideText.escape("a\"b\nc", for: .xmlAttribute) == "a&quot;b&#10;c")
        #expect(OutsideText.escape("  a \n b ", for: .xmlToken) == "a b")
        #expect(OutsideText.escape("", for: .xmlToken) == "-")
    }

    @Test("a skip reason with quotes, markup and an ampersand is escaped in JUnit's skipped message")
    func junitSkipEscaping() throws {
        let result = try Fixtures.run(SkippingTarget(reason: #"needs "<x>" & 'y'"#), only: ["headers/missing"])
        #expect(result.outcomes.first?.status == .skip)
        let xml = JUnitReport.render(result, hostname: "h")
        #expect(
            xml.contains(#"<skipped message="target skipped: needs &quot;&lt;x&gt;&quot; &amp; &apos;y&apos;"/>"#),
            "\(xml)")
        #expect(!xml.contains(#""<x>""#))
    }

    @Test("Markdown shows the first N problems in full and lists every other by id, each problem exactly once")
    func markdownLimit() throws {
        let result = try Self.failingRun()
        let problems = result.outcomes.filter { $0.disposition.failsRun || $0.disposition == .warning }
        try #require(problems.count > 3)
        let prefixes = problems.map { "- \(OutsideText.escape($0.id, for: .markdownCode)) — " }
        for limit in [0, 1, 3, problems.count - 1, problems.count, problems.count + 1] {
            let lines = MarkdownReport.render(result, limit: limit).split(separator: "\n").map(String.init)
            let full = lines.filter { $0.hasPrefix("<details><summary>") }
            let listed = lines.filter { line in prefixes.contains { line.hasPrefix($0) } }
            #expect(full.count == min(limit, problems.count), "limit \(limit)")
            #expect(full.count + listed.count == problems.count, "limit \(limit)")
        }
    }

    // README's example: `"startedAt": 1796114400.123, "duration": 0.412`, an outcome's `"duration": 0.001`.
    @Test("the JSON report's times are seconds to the millisecond: the run's start and length, each outcome's length")
    func jsonTimesInMilliseconds() throws {
        var result = try Self.failingRun()
        result.startedAt = 1_796_114_400.123_456
        result.duration = 0.412_345
        for index in result.outcomes.indices { result.outcomes[index].duration = 0.001_234 * Double(index + 1) }
        let text = JSONReport.render(result)
        let output = try JSONParser.parse(Array(text.utf8)).output(source: Array(text.utf8))
        #expect(output["startedAt"] == .number("1796114400.123"))
        #expect(output["duration"] == .number("0.412"))
        guard case .array(let outcomes)? = output["outcomes"] else {
            Issue.record("no outcomes array")
            return
        }
        for (index, outcome) in outcomes.enumerated() {
            #expect(outcome["duration"] == .number(formatDecimal(0.001_234 * Double(index + 1), decimals: 3)))
            if case .number(let written)? = outcome["duration"] {
                #expect(written.split(separator: ".").last?.count == 3, "\(written)")
            }
        }
    }

    @Test("the JSON report parses and carries the summary and every outcome")
    func jsonReport() throws {
        let result = try Self.failingRun()
        let text = JSONReport.render(result)
        let value = try JSONParser.parse(Array(text.utf8))
        let output = value.output(source: Array(text.utf8))
        #expect(output["format"] == .number("1"))
        #expect(output["conforms"] == .bool(false))
        #expect(output["summary"]?["failed"] == .number(String(result.summary.failed)))
        guard case .array(let outcomes)? = output["outcomes"] else {
            Issue.record("no outcomes array")
            return
        }
        #expect(outcomes.count == result.outcomes.count)
        #expect(outcomes.contains { $0["disposition"] == .string("expected-failure") })
    }

    @Test("the console's last line is exactly 'N passed, N failed, N skipped'")
    func consoleClosingLine() throws {
        let result = try Self.failingRun()
        let lines = ConsoleReport(colour: false).summaryLines(result)
        let summary = result.summary
        #expect(lines.last == "\(summary.passed) passed, \(summary.failing) failed, \(summary.skipped) skipped")
        #expect(
            lines.contains {
                $0.hasPrefix("warnings (recommended vectors that failed): ") && $0.contains("expected failures: 1")
            })
        #expect(lines.contains { $0.hasPrefix("FAIL headers/") })
        #expect(!lines.joined().contains("\u{1B}["))
    }

    /// A run with every disposition: failures, an expected failure, unexpected passes, warnings, errors, skips.
    static func mixedRun() throws -> RunResult {
        let corpus = try #require(Fixtures.corpus)
        let expected = ExpectedFailures(
            text: "headers/missing # accepts unsigned\nevents/legacy-ibody\nevents/subscriber-*\n", file: "e")
        var options = Fixtures.options(expected: expected)
        options.scheme = .urlParameters
        options.encoding = .hex
        return Runner.run(corpus: corpus, target: FixedTarget(status: 200), options: options)
    }

    @Test("console, JSON, JUnit and Markdown give the same counts for the same run")
    func countsAgree() throws {
        let result = try Self.mixedRun()
        let summary = result.summary
        #expect(summary.unexpectedPasses >= 2)
        #expect(summary.expectedFailures == 1)
        #expect(summary.failed > 0 && summary.skipped > 0 && summary.passed > 0)

        let closing = try #require(ConsoleReport(colour: false).summaryLines(result).last)
        let console = try #require(closing.wholeMatch(of: /(\d+) passed, (\d+) failed, (\d+) skipped/))
        let consoleCounts = [Int(console.1), Int(console.2), Int(console.3)]

        let json = JSONReport.render(result)
        let output = try JSONParser.parse(Array(json.utf8)).output(source: Array(json.utf8))
        func number(_ key: String) -> Int? {
            if case .number(let text)? = output["summary"]?[key] { return Int(text) }
            return nil
        }
        let jsonCounts = [number("passed"), number("failed"), number("skipped")]

        let markdown = MarkdownReport.render(result).split(separator: "\n").map(String.init)
        let header = try #require(markdown.firstIndex { $0.hasPrefix("| passed | failed | skipped |") })
        let cells = markdown[header + 2].split(separator: "|").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        let markdownCounts = Array(cells.prefix(3))

        let junit = JUnitReport.render(result, hostname: "h")
        func total(_ attribute: String) -> Int {
            junit.matches(of: try! Regex("<testsuite [^>]*\(attribute)=\"(\\d+)\"")).reduce(0) {
                $0 + (Int($1.output[1].substring ?? "") ?? 0)
            }
        }
        let testcases = junit.components(separatedBy: "<testcase ").count - 1
        let junitFailing = total("failures") + total("errors")
        // JUnit has no "expected failure": it is a skip with the reason (pytest's xfail convention).
        let junitSkipped = total("skipped") - summary.expectedFailures

        let expected = [summary.passed, summary.failing, summary.skipped]
        #expect(consoleCounts == expected)
        #expect(jsonCounts == expected)
        #expect(markdownCounts == expected)
        #expect(junitFailing == summary.failing)
        #expect(junitSkipped == summary.skipped)
        #expect(testcases == result.outcomes.count)
        #expect(number("unexpectedPasses") == summary.unexpectedPasses)
        // An unexpected pass says why it fails the run in every report, never with an empty reason.
        for outcome in result.outcomes where outcome.disposition == .unexpectedPass {
            #expect(outcome.reason.contains("remove the line"))
        }
        #expect(
            ConsoleReport(colour: false).progressLine(
                category: "headers",
                outcomes: result.outcomes.filter {
                    $0.id == "headers/missing"
                }
            ).contains("1 expected failure"))
    }

    @Test("a category's progress line names each count that is not zero, and only those")
    func progressLineCounts() {
        func outcomes(passed: Int, failed: Int, warnings: Int, skipped: Int, expected: Int) -> [VectorOutcome] {
            let kinds: [(OutcomeStatus, Disposition, Int)] = [
                (.pass, .passed, passed), (.fail, .failed, failed), (.fail, .warning, warnings),
                (.skip, .skipped, skipped), (.fail, .expectedFailure, expected),
            ]
            return kinds.flatMap { status, disposition, count in
                (0..<count).map { index in
                    var outcome = VectorOutcome(
                        id: "c/\(disposition)-\(index)", category: "c", kind: .receiver, level: .required, flags: [],
                        comment: "", status: status, expected: "", actual: "", reason: "")
                    outcome.disposition = disposition
                    return outcome
                }
            }
        }
        for mask in 0..<32 {
            let counts = (0..<5).map { mask >> $0 & 1 == 1 ? 1 + $0 % 2 : 0 }
            let line = ConsoleReport(colour: false).progressLine(
                category: "c",
                outcomes: outcomes(
                    passed: counts[0], failed: counts[1], warnings: counts[2], skipped: counts[3], expected: counts[4]))
            #expect(line.contains("\(counts[0]) passed"), "\(line)")
            #expect(line.contains("failed") == (counts[1] > 0), "\(line)")
            #expect(line.contains("warning") == (counts[2] > 0), "\(line)")
            #expect(line.contains("skipped") == (counts[3] > 0), "\(line)")
            #expect(line.contains("expected failure") == (counts[4] > 0), "\(line)")
            #expect(line.hasPrefix(counts[1] > 0 ? "FAIL" : counts[2] > 0 ? "WARN" : "ok"), "\(line)")
        }
    }

    @Test("the console prints a problem's request only with --verbose, and then for each problem that has one")
    func verboseRequests() throws {
        let result = try Self.failingRun()
        let withRequest = result.outcomes.filter {
            ($0.disposition.failsRun || $0.disposition == .warning) && $0.disposition != .unexpectedPass
                && !$0.request.isEmpty
        }
        try #require(!withRequest.isEmpty)
        let quiet = ConsoleReport(colour: false).summaryLines(result)
        #expect(!quiet.contains("  request:"))
        let verbose = ConsoleReport(colour: false, verbose: true).summaryLines(result)
        #expect(verbose.filter { $0 == "  request:" }.count == withRequest.count)
    }

    @Test("colour only on a terminal and never with NO_COLOR")
    func colour() {
        #expect(ConsoleReport.wantsColour(isTerminal: true, environment: [:]))
        #expect(!ConsoleReport.wantsColour(isTerminal: false, environment: [:]))
        #expect(!ConsoleReport.wantsColour(isTerminal: true, environment: ["NO_COLOR": ""]))
        #expect(ConsoleReport(colour: true).progressLine(category: "c", outcomes: []).contains("\u{1B}["))
    }

    @Test("decimals use a dot and a fixed number of places")
    func decimals() {
        #expect(formatDecimal(0.0004, decimals: 3) == "0.000")
        #expect(formatDecimal(1.23456, decimals: 3) == "1.235")
        #expect(formatDecimal(12, decimals: 3) == "12.000")
        // Past 9e15 once scaled (near the 2^53 where doubles stop being exact integers) the number is written whole.
        #expect(formatDecimal(8_999_999_999_999.5, decimals: 3) == "8999999999999.500")
        #expect(formatDecimal(9_000_000_000_000, decimals: 3) == "9000000000000")
        #expect(formatDecimal(-9_000_000_000_000, decimals: 3) == "-9000000000000")
        #expect(formatDecimal(-1.5, decimals: 1) == "-1.5" && formatDecimal(-0.0004, decimals: 3) == "0.000")
    }

    @Test("a report written over an existing file keeps that file's permissions; a new one gets 0644")
    func replacedFileKeepsItsMode() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func mode(_ path: String) throws -> Int {
            try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        }
        let fresh = try OutputFile.check(directory + "/new.json", option: "--json")
        try fresh.write("{}")
        #expect(try mode(directory + "/new.json") == 0o644 & ~Int(Self.umask))
        for kept in [0o600, 0o640, 0o664] {
            let path = directory + "/kept-\(String(kept, radix: 8)).json"
            try TestSupport.write("old", to: path)
            try FileManager.default.setAttributes([.posixPermissions: kept], ofItemAtPath: path)
            try OutputFile.check(path, option: "--json").write("{}")
            #expect(try mode(path) == kept & ~Int(Self.umask), "\(String(kept, radix: 8))")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "{}")
        }
    }

    /// The process's file-creation mask: from /proc on Linux (setting it to read it would race with other tests
    /// creating files), else read by setting it back at once.
    static let umask: mode_t = {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
            let mask = mode_t(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8)
        {
            return mask
        }
        let mask = Foundation.umask(0o022)
        _ = Foundation.umask(mask)
        return mask
    }()

    @Test("reports are written atomically and a bad path is a one-line error")
    func atomicWrite() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try OutputFile.check(directory + "/r.xml", option: "--junit")
        try file.write("one")
        try file.write("two")
        #expect(try String(contentsOfFile: directory + "/r.xml", encoding: .utf8) == "two")
        #expect(throws: OutputFile.Failure.self) { try OutputFile.check(directory + "/missing/dir/r.xml") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["r.xml"])
    }

    @Test("output paths: devices, FIFOs and directories are refused, symlinks followed, one file for two refused")
    func outputPaths() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func reason(_ path: String) -> String? {
            do {
                _ = try OutputFile.check(path, option: "--json")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(reason("/dev/null")?.contains("is a device") == true)
        #expect(reason(directory)?.contains("is a directory") == true)
        #expect(mkfifo(directory + "/fifo", 0o600) == 0)
        #expect(reason(directory + "/fifo")?.contains("is a FIFO") == true)
        #expect(reason(directory + "/none/r.json")?.contains("does not exist") == true)
        #expect(reason("")?.contains("empty") == true)
        try TestSupport.write("old", to: directory + "/real.json")
        try FileManager.default.createSymbolicLink(atPath: directory + "/link.json", withDestinationPath: "real.json")
        let linked = try OutputFile.check(directory + "/link.json", option: "--json")
        try linked.write("new")
        #expect(try String(contentsOfFile: directory + "/real.json", encoding: .utf8) == "new")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/link.json")
        #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
        try FileManager.default.createSymbolicLink(atPath: directory + "/dangling", withDestinationPath: "nowhere/x")
        #expect(reason(directory + "/dangling")?.contains("symlink") == true)
        let junit = try OutputFile.check(directory + "/real.json", option: "--junit")
        #expect(throws: OutputFile.Failure.self) { try OutputFile.checkDistinct([junit, linked]) }
    }
}

@Suite("Markdown summary and comparison")
struct MarkdownAndCompareTests {
    @Test("the brief a Swift test prints lists the first ten failures by default and counts the rest")
    func briefListsTen() throws {
        let result = try Fixtures.run(FixedTarget(status: 200), only: ["headers/*", "tampering/*"])
        let failing = result.outcomes.filter(\.disposition.failsRun).count
        try #require(failing > 10)
        for (lines, limit) in [
            (ConsoleReport(colour: false).briefLines(result), 10),
            (ConsoleReport(colour: false).briefLines(result, limit: 3), 3),
        ] {
            #expect(lines.filter { $0.hasPrefix("  FAIL ") || $0.hasPrefix("  ERROR ") }.count == limit)
            #expect(lines.contains("  … and \(failing - limit) more"), "\(lines)")
        }
    }

    @Test("the Markdown summary has totals and each failure with expected, actual and reproduction")
    func markdown() throws {
        let corpus = try #require(Fixtures.corpus)
        let result = try Fixtures.run(FixedTarget(status: 200), only: ["headers/*"])
        let text = MarkdownReport.render(result)
        #expect(text.hasPrefix("## PushPushGo webhook conformance: ❌ not conformant"))
        #expect(
            text.contains("| passed | failed | skipped | warnings | expected failures | unexpected passes | errors |"))
        #expect(text.contains("### headers"))
        #expect(text.contains("- expected: `reject (4xx)`"))
        #expect(text.contains("```sh\ncurl --data-binary"))
        #expect(!text.contains("\u{1B}"))
        let whole = try Fixtures.run(Fixtures.reference(), only: ["hmac/*"])
        try #require(whole.summary.skipped == 0 && whole.summary.passed > 0)
        let passing = MarkdownReport.render(whole)
        #expect(passing.contains("✅ conformant") && passing.contains("Every vector passed."))
        // A run that skipped vectors does not say every vector passed.
        let skipping = Runner.run(corpus: corpus, target: Fixtures.reference(), options: Fixtures.options())
        let skipped = skipping.summary.skipped
        try #require(skipped > 1 && skipping.summary.failed == 0)
        let rendered = MarkdownReport.render(skipping)
        #expect(
            rendered.contains("Every vector that ran passed (\(skipped) vectors skipped)."), "\(rendered.suffix(300))")
        #expect(!rendered.contains("Every vector passed"))
    }

    @Test("comparison lists exactly the vectors whose outcomes differ among the reports that ran them")
    func comparison() throws {
        let corpus = try #require(Fixtures.corpus)
        let selection = Selection(only: ["headers/*"])
        func report(_ target: any ConformanceTarget) -> [UInt8] {
            Array(
                JSONReport.render(
                    Runner.run(
                        corpus: corpus, target: target,
                        options: Fixtures.options(selection: selection))
                ).utf8)
        }
        let good = report(Fixtures.reference())
        let bad = report(FixedTarget(status: 200))
        let comparison = try ReportComparison(reports: [("good.json", good), ("bad.json", bad)])
        let mustReject = corpus.receiverVectors.filter {
            $0.vector.id.hasPrefix("headers/") && $0.vector.expect == .reject
                && $0.vector.skipReason(for: .default) == nil
        }.map(\.vector.id)
        #expect(Set(comparison.differing) == Set(mustReject))
        let text = comparison.render(markdown: false)
        #expect(text.contains("headers/missing"))
        #expect(!text.contains("headers/name-lowercase "))
        let table = comparison.render(markdown: true)
        #expect(
            table.contains("| vector | `good.json` | `bad.json` |")
                || table.contains("| vector | `reference` | `fixed-200` |"), "\(table)")
        #expect(throws: ReportComparison.Failure.self) {
            try ReportComparison(reports: [("x.json", Array("{}".utf8)), ("y.json", good)])
        }
        // The page's details hold each vector's expectation, the last of each receiver's too.
        let html = comparison.renderHTML()
        let details = html.components(separatedBy: "<details id=").count - 1
        #expect(details == 2 * comparison.ids.count, "\(details)")
        // The totals count each column's outcomes: the reference passes every vector it ran, the fixed 200 fails
        // every must-reject one.
        let ran = corpus.receiverVectors.filter {
            $0.vector.id.hasPrefix("headers/") && $0.vector.skipReason(for: .default) == nil
        }.count
        #expect(html.contains("<td data-passed=\"\(ran)\" data-failed=\"0\">"), "\(ran)")
        #expect(
            html.contains("<td data-passed=\"\(ran - mustReject.count)\" data-failed=\"\(mustReject.count)\">"),
            "\(ran), \(mustReject.count)")
        // A skipped vector says why; any other what it expected.
        for block in html.components(separatedBy: "<details id=").dropFirst() {
            let skipped = block.contains("<span class=\"skip\">")
            let empty = skipped ? "<dt>reason</dt><dd></dd>" : "<dt>expected</dt><dd></dd>"
            #expect(!block.contains(empty), "\(block.prefix(200))")
        }
    }
}

@Suite("compare across report kinds")
struct ComparisonAcrossKindsTests {
    /// The shipped corpus run by the reference as each kind of target reports it: in-process (every kind of
    /// vector), over HTTP (receiver vectors only, signature and digest vectors not sent), and as a verifier
    /// library over a pipe (receiver vectors judged as for a verifier).
    static func runs() throws -> [(name: String, result: RunResult)] { try #require(shared) }

    static let shared: [(name: String, result: RunResult)]? = {
        guard let corpus = Fixtures.corpus else { return nil }
        let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
        let receiver = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: .default)
        let options = RunOptions(configuration: configuration)
        return [
            ("in-process", ReferenceTarget(configuration: configuration)),
            ("http", ReferenceTarget(configuration: configuration, receiver: receiver, takesSignatureVectors: false)),
            (
                "pipe",
                ReferenceTarget(
                    configuration: configuration, receiver: receiver, takesSignatureVectors: true,
                    judgesAsVerifier: true)
            ),
        ].map { ($0.0, Runner.run(corpus: corpus, target: $0.1, options: options)) }
    }()

    static func bytes(_ result: RunResult) -> [UInt8] { Array(JSONReport.render(result).utf8) }

    @Test("reports of one behaviour never differ, whatever kinds their targets took, in either order")
    func sameBehaviourNoDifference() throws {
        let runs = try Self.runs()
        #expect(runs.contains { !$0.result.notSent.isEmpty }, "no run left a kind unsent: the property is idle")
        for first in runs {
            for second in runs where second.name != first.name {
                let comparison = try ReportComparison(reports: [
                    (first.name + ".json", Self.bytes(first.result)),
                    (second.name + ".json", Self.bytes(second.result)),
                ])
                #expect(comparison.differing.isEmpty, "\(first.name) vs \(second.name): \(comparison.differing)")
            }
        }
    }

    @Test("each changed outcome is a difference and nothing else is, for seeded changes to any kind of report")
    func changedOutcomesAreTheDifference() throws {
        let runs = try Self.runs()
        var random = SplitMix64(seed: 38)
        let pairs = runs.indices.flatMap { first in runs.indices.filter { $0 != first }.map { (first, $0) } }
        for round in 0..<12 {
            let (base, other) = (runs[pairs[round % pairs.count].0], runs[pairs[round % pairs.count].1])
            var changed = other.result
            // Only outcomes both reports hold can differ by status: a vector the base never ran is its kind unsent.
            let held = Set(base.result.outcomes.map(\.id))
            let candidates = changed.outcomes.indices.filter {
                held.contains(changed.outcomes[$0].id) && changed.outcomes[$0].status == .pass
            }
            var flipped: Set<String> = []
            for _ in 0..<(1 + Int(random.next() % 5)) {
                let index = candidates[Int(random.next() % UInt64(candidates.count))]
                changed.outcomes[index].status = .fail
                changed.outcomes[index].disposition = .failed
                flipped.insert(changed.outcomes[index].id)
            }
            for order in [[base.result, changed], [changed, base.result]] {
                let comparison = try ReportComparison(reports: [
                    ("a.json", Self.bytes(order[0])), ("b.json", Self.bytes(order[1])),
                ])
                #expect(Set(comparison.differing) == flipped, "\(base.name) vs changed \(other.name), round \(round)")
                // Each column's summary counts its own report's cells.
                let text = comparison.render(markdown: false)
                for result in order {
                    let passed = result.outcomes.filter { $0.disposition == .passed }.count
                    let failed = result.outcomes.filter { $0.disposition == .failed }.count
                    #expect(text.contains(": \(passed) passed, \(failed) failed"), "\(text.prefix(300))")
                }
            }
        }
    }

    @Test("a report that left out vectors of a kind its target takes differs on exactly those")
    func omittedVectorsDiffer() throws {
        let runs = try Self.runs()
        var random = SplitMix64(seed: 7)
        for (name, result) in runs {
            var narrower = result
            var dropped: Set<String> = []
            narrower.outcomes.removeAll { outcome in
                guard random.next() % 10 == 0 else { return false }
                dropped.insert(outcome.id)
                return true
            }
            try #require(!dropped.isEmpty)
            let comparison = try ReportComparison(reports: [
                ("full.json", Self.bytes(result)), ("narrower.json", Self.bytes(narrower)),
            ])
            #expect(Set(comparison.differing) == dropped, "\(name)")
        }
    }
}

/// Answers 200 to every delivery but those of some categories, which get no answer: a run with failures and
/// errors in the same suites, so that counts that swap them cannot agree by accident.
struct PartlyBrokenTarget: ConformanceTarget {
    var name: String { "partly-broken" }
    var takesSignatureVectors: Bool { true }

    func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer {
        if vector.id.count % 3 == 0 { throw TargetError(kind: .timeout, message: "no answer") }
        return .accept
    }

    func digest(_ message: [UInt8]) -> String? { nil }

    func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer] {
        if deliveries.first.map({ $0.vectorID.count % 3 == 0 }) == true {
            throw TargetError(kind: .connectionReset, message: "reset")
        }
        return deliveries.map { _ in .response(HTTPResponse(status: 200, reason: "OK")) }
    }

    func reproduction(of deliveries: [Delivery]) -> String { "" }
}

@Suite("JUnit counts")
struct JUnitCountTests {
    @Test("each suite's failures, errors, skipped and tests attributes count their own outcomes and elements")
    func eachAttributeCountsItsOwn() throws {
        let corpus = try #require(Fixtures.corpus)
        let result = Runner.run(corpus: corpus, target: PartlyBrokenTarget(), options: Fixtures.options())
        let xml = JUnitReport.render(result, hostname: "h")
        let suites = xml.components(separatedBy: "<testsuite ").dropFirst()
        let byCategory = Dictionary(grouping: result.outcomes, by: \.category)
        var totals = (failures: 0, errors: 0)
        #expect(suites.count == byCategory.count)
        for suite in suites {
            func attribute(_ name: String) -> Int? {
                suite.firstMatch(of: try! Regex("^[^>]* \(name)=\"(\\d+)\""))
                    .flatMap { Int($0.output[1].substring ?? "") }
            }
            let category = try #require(suite.firstMatch(of: /^name="([^"]+)"/).map { String($0.1) })
            let outcomes = try #require(byCategory[category])
            let failures = outcomes.filter {
                ($0.disposition == .failed && $0.status == .fail) || $0.disposition == .unexpectedPass
            }.count
            let errors = outcomes.filter { $0.disposition == .failed && $0.status == .error }.count
            let skipped = outcomes.filter { [.skipped, .expectedFailure].contains($0.disposition) }.count
            #expect(attribute("tests") == outcomes.count, "\(category)")
            #expect(attribute("failures") == failures, "\(category)")
            #expect(attribute("errors") == errors, "\(category)")
            #expect(attribute("skipped") == skipped, "\(category)")
            #expect(suite.components(separatedBy: "<failure ").count - 1 == failures, "\(category)")
            #expect(suite.components(separatedBy: "<error ").count - 1 == errors, "\(category)")
            totals.failures += failures
            totals.errors += errors
        }
        // Both kinds occur, in different numbers: a report that swapped them could not pass.
        #expect(totals.failures > 0 && totals.errors > 0 && totals.failures != totals.errors)
    }
}
