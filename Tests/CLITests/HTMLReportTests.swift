import Foundation
import TestSupport
import Testing

/// Headless Chromium, where it is installed (Debian's `chromium`; `.ci/run` installs it).
let chromium: String? = TestSupport.which("chromium") ?? TestSupport.which("chromium-browser")

/// Whether python3 can import html5lib, the HTML checker these tests validate with (`pip install html5lib`).
let hasHTML5Lib: Bool =
    TestSupport.hasPython
    && (try? TestSupport.run(TestSupport.which("python3") ?? "/", ["-c", "import html5lib"]))?.status == 0

@Suite("HTML reports, in a real browser, and GitHub annotations")
struct HTMLReportTests {
    let projectID = "5f2a8b3c9d1e4f6a7b8c9d0e"

    /// A failing run's HTML and JSON reports: a receiver that accepts everything, with an answer that tries to
    /// inject markup and script.
    func failingReports(_ directory: String) throws -> (html: String, json: [String: Any]) {
        let body = "<script>document.title='owned'</script><img src=x onerror=alert(1)> @octocat"
        let peer = try HostilePeer(.reply("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"))
        defer { peer.stop() }
        let run = try TestSupport.tool([
            "run", "--target", "http://127.0.0.1:\(peer.port)/ppg/webhook", "--project-id", projectID,
            "--only", "headers/*", "--only", "events/*", "--html", directory + "/report.html", "--json",
            directory + "/report.json",
        ])
        #expect(run.status == 1)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (try String(contentsOfFile: directory + "/report.html", encoding: .utf8), json)
    }

    /// The DOM Chromium renders for a page, its script run.
    func renderedDOM(_ url: String) throws -> String {
        let browser = try #require(chromium)
        let result = try TestSupport.run(
            browser, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url])
        try #require(result.status == 0, "\(result.stderr.suffix(400))")
        return result.stdout
    }

    func attribute(_ name: String, in dom: String) -> Int? {
        dom.firstMatch(of: try! Regex("\(name)=\"(\\d+)\""))
            .flatMap { Int($0.output[1].substring ?? "") }
    }

    @Test("the HTML report is self-contained: no external script, style, font, image or request")
    func selfContained() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (html, json) = try failingReports(directory)
        #expect(html.contains("default-src 'none'"))
        for forbidden in ["<link", "src=\"http", "src='http", "@import", "url(http", "<script src"] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        // The receiver's markup is text, never elements.
        #expect(!html.contains("<script>document.title"))
        #expect(!html.contains("<img src=x"))
        #expect(html.contains("&lt;script&gt;document.title"))
        let outcomes = try #require(json["outcomes"] as? [[String: Any]])
        #expect(html.components(separatedBy: "<details class=\"vector\"").count - 1 == outcomes.count)
    }

    @Test(
        "in Chromium: the rendered totals equal the JSON report's, a filter hides what it should, a deep link opens",
        .enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium)"))
    func inChromium() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (_, json) = try failingReports(directory)
        let summary = try #require(json["summary"] as? [String: Int])
        let outcomes = try #require(json["outcomes"] as? [[String: Any]])
        let page = "file://" + directory + "/report.html"
        let dom = try renderedDOM(page)
        #expect(dom.contains("data-verdict=\"fail\""))
        for key in ["passed", "failed", "skipped", "warnings", "expectedFailures", "unexpectedPasses", "errors"] {
            let shown = dom.firstMatch(of: try Regex("data-total=\"\(key)\">(\\d+)<")).flatMap {
                Int($0.output[1].substring ?? "")
            }
            #expect(
                shown == summary[key],
                "\(key): page \(String(describing: shown)), JSON \(String(describing: summary[key]))")
        }
        #expect(attribute("data-shown", in: dom) == outcomes.count)
        #expect(dom.contains("owned") && !dom.contains("<title>owned"), "the receiver's script did not run")
        // Unticking "passed" and "skipped" (the page's own click handler) leaves exactly the other outcomes.
        let passedOrSkipped = outcomes.filter {
            ["passed", "skipped"].contains($0["disposition"] as? String ?? "")
        }.count
        let filtered = try renderedDOM(page + "?hide=pass,skip")
        #expect(attribute("data-shown", in: filtered) == outcomes.count - passedOrSkipped)
        #expect(outcomes.count - passedOrSkipped > 0)
        let hiddenVectors = filtered.components(separatedBy: "class=\"vector\" id=").dropFirst().filter {
            $0.prefix(400).contains(" hidden=\"\"")
        }.count
        #expect(hiddenVectors == passedOrSkipped)
        // A deep link opens the vector it names.
        let failed = try #require(outcomes.first { $0["disposition"] as? String == "failed" }?["id"] as? String)
        let linked = try renderedDOM(page + "#" + failed)
        let element = try #require(linked.range(of: "id=\"\(failed)\""))
        let tag = linked[linked[..<element.lowerBound].range(of: "<details", options: .backwards)!.lowerBound...]
            .prefix { $0 != ">" }
        #expect(tag.contains("open"), "\(tag)")
    }

    @Test(
        "in Chromium: a screenshot of the report is not blank",
        .enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium)"),
        .enabled(if: TestSupport.hasPython, "python3 is needed to read the PNG"))
    func screenshot() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try failingReports(directory)
        let browser = try #require(chromium)
        let shot = try TestSupport.run(
            browser,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600",
                "--screenshot=\(directory)/report.png", "file://\(directory)/report.html",
            ])
        #expect(shot.status == 0, "\(shot.stderr.suffix(300))")
        // Distinct byte values in the decoded pixels: a blank page has a handful, a rendered report hundreds.
        let script = """
            import struct, sys, zlib
            data = open(sys.argv[1], "rb").read()
            assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
            pos, idat, width, height = 8, b"", 0, 0
            while pos < len(data):
                length, kind = struct.unpack(">I4s", data[pos:pos + 8])
                chunk = data[pos + 8:pos + 8 + length]
                if kind == b"IHDR": width, height = struct.unpack(">II", chunk[:8])
                if kind == b"IDAT": idat += chunk
                pos += 12 + length
            pixels = zlib.decompress(idat)
            print(width, height, len(set(pixels)))
            """
        try TestSupport.write(script, to: directory + "/png.py")
        let read = try TestSupport.run(
            try #require(TestSupport.which("python3")), [directory + "/png.py", directory + "/report.png"])
        let numbers = read.stdout.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(numbers.count == 3, "\(read.stdout) \(read.stderr)")
        #expect(numbers.first == 1280)
        #expect((numbers.last ?? 0) > 50, "the screenshot looks blank: \(read.stdout)")
    }

    @Test(
        "the run's and compare's HTML parse without an error in html5lib's strict parser",
        .enabled(if: hasHTML5Lib, "python3 with html5lib is needed (pip install html5lib)"))
    func validates() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try failingReports(directory)
        let passing = try TestSupport.tool([
            "run", "--html", directory + "/pass.html", "--json", directory + "/pass.json",
        ])
        #expect(passing.status == 0)
        let compare = try TestSupport.tool([
            "compare", directory + "/report.json", directory + "/pass.json", "--html", directory + "/compare.html",
        ])
        #expect(compare.status == 0, "\(compare.stderr)")
        let script = """
            import sys, html5lib
            for path in sys.argv[1:]:
                parser = html5lib.HTMLParser(strict=True)
                parser.parse(open(path, encoding="utf-8").read())
                print(path, len(parser.errors))
            """
        try TestSupport.write(script, to: directory + "/check.py")
        let checked = try TestSupport.run(
            try #require(TestSupport.which("python3")),
            [directory + "/check.py"] + ["report.html", "pass.html", "compare.html"].map { directory + "/" + $0 })
        #expect(checked.status == 0, "\(checked.stderr.suffix(600))")
        #expect(checked.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix(" 0") }, "\(checked.stdout)")
    }

    @Test(
        "compare --html: rows filter to where receivers differ, totals per receiver, cells link to outcomes",
        .enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium)"))
    func compareMatrix() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try failingReports(directory)
        _ = try TestSupport.tool(["run", "--json", directory + "/pass.json"])
        let compare = try TestSupport.tool([
            "compare", directory + "/report.json", directory + "/pass.json", "--html", directory + "/compare.html",
        ])
        let differing = try #require(compare.stdout.firstMatch(of: /(\d+) of (\d+) vectors? differ/))
        let html = try String(contentsOfFile: directory + "/compare.html", encoding: .utf8)
        #expect(html.contains("href=\"#r0-headers/missing\""))
        #expect(html.contains("id=\"r0-headers/missing\""))
        let all = try renderedDOM("file://" + directory + "/compare.html")
        #expect(attribute("data-shown", in: all) == Int(differing.2))
        let only = try renderedDOM("file://" + directory + "/compare.html?differing=1")
        #expect(attribute("data-shown", in: only) == Int(differing.1))
        #expect(html.contains("data-failed="))
    }

    @Test(
        "compare --html: every link lands on the outcome of its own row and receiver, whatever the ids hold",
        .enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium)"))
    func compareLinksLand() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Ids that one encoding told apart badly: white space against '_', separators browsers treat apart.
        let ids = [
            "a b", "a_b", "a%20b", "x/\\u2028y", "x/\\u0085y", "x/\\u00a0y", "q/<b>&\\\"", "hash/#frag", "é/ü",
        ]
        func report(_ status: String) -> String {
            let outcomes = ids.map { id in
                #"{"id": "\#(id)", "kind": "receiver", "status": "\#(status)", "#
                    + #""disposition": "\#(status == "pass" ? "passed" : "failed")", "reason": "r"}"#
            }
            return #"{"format": 1, "target": "t-\#(status)", "outcomes": ["# + outcomes.joined(separator: ",") + "]}"
        }
        try TestSupport.write(report("pass"), to: directory + "/a.json")
        try TestSupport.write(report("fail"), to: directory + "/b.json")
        let compare = try TestSupport.tool([
            "compare", directory + "/a.json", directory + "/b.json", "--html", directory + "/compare.html",
        ])
        #expect(compare.status == 0, "\(compare.stderr)")
        // The page with a script of the test's own after it: it follows each cell's link as the page's own script
        // does (decoded, then by id) and checks that it lands on that row's vector in that column's receiver.
        let checker = """
            <script>(function(){var links=0,wrong=[];
            document.querySelectorAll('#matrix tbody tr').forEach(function(row){
            var id=row.querySelector('th code').textContent;
            row.querySelectorAll('td a').forEach(function(a,column){links++;
            var target=document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
            var ok=target&&target.tagName==='DETAILS'&&target.querySelector('summary code').textContent===id
            &&target.closest('section').id==='receiver-'+column;if(!ok)wrong.push(id+'@'+column);});});
            document.body.setAttribute('data-links',links);document.body.setAttribute('data-wrong',wrong.length);
            document.body.setAttribute('data-wrong-ids',wrong.join('|'));})();</script>
            """
        let page = try String(contentsOfFile: directory + "/compare.html", encoding: .utf8)
        try TestSupport.write(
            page.replacingOccurrences(of: "</body>", with: checker + "</body>"), to: directory + "/c.html")
        let dom = try renderedDOM("file://" + directory + "/c.html")
        #expect(attribute("data-links", in: dom) == 2 * ids.count, "\(dom.suffix(300))")
        let wrong = dom.firstMatch(of: /data-wrong-ids="([^"]*)"/).map { String($0.1) } ?? ""
        #expect(attribute("data-wrong", in: dom) == 0, "links that land elsewhere: \(wrong)")
        // And the browser's own navigation: a link opened as the page's URL opens that outcome.
        let link = try #require(page.firstMatch(of: /href="(#r1-a_5Fb)"/)?.1)
        let opened = try renderedDOM("file://" + directory + "/compare.html" + link)
        #expect(opened.contains(#"<details id="r1-a_5Fb" open="#), "\(opened.suffix(400))")
        #expect(!opened.contains(#"<details id="r1-a_20b" open="#))
    }

    /// `GitHubAnnotations.perVectorLimit`.
    static let annotationLimit = 8

    @Test(
        "GitHub annotations: the cause first, then failures titled by the vector, capped, encoded so nothing injects")
    func annotations() throws {
        let body = "x\n::warning title=injected::y %0A::error::z"
        let peer = try HostilePeer(.reply("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"))
        defer { peer.stop() }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try TestSupport.run(
            TestSupport.toolPath,
            [
                "run", "--target", "http://127.0.0.1:\(peer.port)/ppg/webhook", "--project-id", projectID, "--only",
                "headers/*", "--json", directory + "/report.json",
            ], environment: ["GITHUB_ACTIONS": "true"])
        #expect(run.status == 1)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let failing = (json["outcomes"] as? [[String: Any]] ?? []).filter {
            $0["disposition"] as? String == "failed"
        }.compactMap { $0["id"] as? String }
        let commands = run.stdout.split(separator: "\n").filter { $0.hasPrefix("::") }
        let errors = commands.filter { $0.hasPrefix("::error ") }
        // The likely cause first, then the first failures of each category (capped), then one line for the rest.
        #expect(commands.first?.hasPrefix("::error title=Likely cause") == true, "\(commands.prefix(2))")
        let titles = errors.compactMap { $0.firstMatch(of: /^::error title=([^:]+)::/).map { String($0.1) } }
        let perVector = titles.filter { failing.contains($0) }
        try #require(failing.count > Self.annotationLimit)
        #expect(perVector.count == Self.annotationLimit)
        #expect(Set(perVector).isSubset(of: Set(failing)))
        #expect(titles.last == "\(failing.count - Self.annotationLimit) more", "\(titles)")
        #expect(errors.count == Self.annotationLimit + 2)
        #expect(!commands.contains { $0.contains("injected") && !$0.hasPrefix("::error title=") })
        // A % in a receiver's text is encoded as %25, so it cannot decode into a line break.
        #expect(!errors.contains { $0.contains(" %0A::error::z") })
        #expect(errors.contains { $0.contains(" %250A::error::z") })
        let quiet = try TestSupport.run(
            TestSupport.toolPath,
            [
                "run", "--target", "http://127.0.0.1:\(peer.port)/ppg/webhook", "--project-id", projectID, "--only",
                "headers/*", "--annotations", "none",
            ], environment: ["GITHUB_ACTIONS": "true"])
        #expect(!quiet.stdout.split(separator: "\n").contains { $0.hasPrefix("::") })
    }
}
