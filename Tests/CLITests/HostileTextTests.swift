import Foundation
import TestSupport
import Testing

@testable import PPGHTTP

/// Text a peer or a file controls, with every kind of terminal control in it: ESC starting a CSI and an OSC (a
/// window title, a clipboard write), BEL, a C1 control, a carriage return, and bytes that are not UTF-8.
let hostileText = "a\u{1B}[2J\u{1B}]0;owned\u{7}\u{1B}]52;c;ZXZpbA==\u{7}\u{9B}31m\rb"
let hostileBytes = Array(hostileText.utf8) + [0xFF, 0xC3]

/// Whether output could drive a terminal: any control character but a line break or tab.
func drivesTerminal(_ text: String) -> Bool {
    text.unicodeScalars.contains { scalar in
        scalar != "\n" && scalar != "\t" && (scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value))
    }
}

@Suite("Text from peers and files never drives the terminal")
struct HostileTextTests {
    let projectID = "5f2a8b3c9d1e4f6a7b8c9d0e"

    @Test("run prints a receiver's status line and body escaped, and so does load")
    func runAndLoad() throws {
        let body = String(decoding: hostileBytes, as: UTF8.self)
        for reply in [
            "HTTP/1.1 200 OK\r\nContent-Length: \(hostileBytes.count)\r\n\r\n\(body)",
            "HTTP/1.1 2\u{1B}]0;owned\u{7}00 OK\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\u{1B}[2J\r\n\r\n",
        ] {
            let peer = try HostilePeer(.reply(reply))
            defer { peer.stop() }
            let url = "http://127.0.0.1:\(peer.port)/ppg/webhook"
            let run = try TestSupport.tool([
                "run", "--target", url, "--project-id", projectID, "--only", "headers/*", "--timeout", "1",
            ])
            #expect(run.status != 0)
            #expect(!drivesTerminal(run.stdout + run.stderr), "\(run.stdout.suffix(400)) \(run.stderr)")
            let load = try TestSupport.tool([
                "load", "--target", url, "--project-id", projectID, "--requests", "3", "--connections", "1",
                "--timeout", "1",
            ])
            #expect(!drivesTerminal(load.stdout + load.stderr), "\(load.stdout.suffix(400)) \(load.stderr)")
        }
    }

    @Test("detect prints a request file's target, Host, body and signature escaped")
    func detect() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let request =
            Array("POST /ppg/webhook?x=\(hostileText) HTTP/1.1\r\nHost: h\u{1B}]0;x\u{7}\r\n".utf8)
            + Array("X-PPG-Signature: \u{1B}[31mdeadbeef\u{9B}\r\nContent-Length: \(hostileBytes.count)\r\n\r\n".utf8)
            + hostileBytes
        _ = FileManager.default.createFile(atPath: directory + "/r.http", contents: Data(request))
        for extra in [[], ["--json"]] {
            let detect = try TestSupport.tool(
                ["detect", "--request", directory + "/r.http", "--project-id", projectID] + extra)
            #expect(detect.status == 1 || detect.status == 2)
            #expect(!drivesTerminal(detect.stdout + detect.stderr), "\(detect.stdout.suffix(600))")
        }
    }

    @Test("compare prints ids and labels from report files escaped, in text and in Markdown")
    func compare() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let id = "x/\(hostileText) @octocat ![i](https://evil.example/i.png)"
        func json(_ text: String) -> String {
            "\""
                + text.unicodeScalars.map { scalar -> String in
                    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\"" || scalar == "\\"
                        ? String(format: "\\u%04x", scalar.value) : String(scalar)
                }.joined() + "\""
        }
        func report(_ status: String) -> String {
            """
            {"format": 1, "corpusVersion": \(json("1\u{1B}[2J")), "target": \(json("t\u{1B}]0;x\u{7}")),
             "scheme": "url-params", "encoding": "hex", "outcomes": [{"id": \(json(id)), "kind": "receiver",
             "status": "\(status)", "disposition": "\(status == "pass" ? "passed" : "failed")"}]}
            """
        }
        try TestSupport.write(report("pass"), to: directory + "/a.json")
        try TestSupport.write(report("fail"), to: directory + "/b.json")
        for extra in [[], ["--markdown"]] {
            let compare = try TestSupport.tool(["compare", directory + "/a.json", directory + "/b.json"] + extra)
            #expect(compare.status == 0 || compare.status == 1, "\(compare.stderr)")
            #expect(!drivesTerminal(compare.stdout + compare.stderr), "\(compare.stdout.suffix(600))")
            if extra == ["--markdown"] {
                #expect(!MarkdownScan.rendered(compare.stdout).contains("@octocat"), "\(compare.stdout)")
                #expect(!MarkdownScan.rendered(compare.stdout).contains("]("), "\(compare.stdout)")
            }
        }
    }

    /// Whether output has a line a CI runner would act on: `::command` after leading white space, `##[` anywhere.
    static func runnerCommand(in text: String) -> String? {
        text.split(separator: "\n", omittingEmptySubsequences: false).first { line in
            line.drop { $0 == " " || $0 == "\t" }.hasPrefix("::") || line.contains("##[") || line.contains("##vso[")
        }.map(String.init)
    }

    @Test("no id, label, version or comment from a report or corpus file prints a line a CI runner executes")
    func noWorkflowCommands() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A report whose id, label and version break the line and begin workflow commands.
        func report(_ status: String) -> String {
            #"{"format": 1, "corpusVersion": "1\n::add-mask::v", "target": "::error title=x::forged", "#
                + #""scheme": "url-params", "encoding": "hex", "outcomes": [{"id": "a\n::error file=x::forged", "#
                + #""kind": "receiver", "status": "\#(status)", "disposition": "\#(status == "pass" ? "passed" : "failed")"}, "#
                + #"{"id": "::warning::first ##[error]old", "kind": "receiver", "status": "\#(status)", "disposition": "#
                + #""\#(status == "pass" ? "passed" : "failed")"}]}"#
        }
        try TestSupport.write(report("pass"), to: directory + "/a.json")
        try TestSupport.write(report("fail"), to: directory + "/b.json")
        for extra in [[], ["--all"], ["--markdown"]] {
            let compare = try TestSupport.tool(["compare", directory + "/a.json", directory + "/b.json"] + extra)
            #expect(compare.status == 0, "\(compare.stderr)")
            #expect(Self.runnerCommand(in: compare.stdout) == nil, "\(compare.stdout)")
            #expect(compare.stdout.contains("forged"), "the hostile id is shown, escaped: \(compare.stdout)")
        }
        // A corpus whose failing vector's comment does the same on run's console.
        try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory, toPath: directory + "/v1")
        let path = directory + "/v1/receiver/content.json"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(
            of: #""comment": "Content-Type: application/json.","#,
            with: #""comment": "line one\n::error file=a::forged\n##[error]old","#)
        // The reference accepts it: expecting a rejection makes it fail, so its comment is printed.
        let vectorStart = try #require(text.range(of: #""id": "content/json","#))
        let expect = try #require(text.range(of: #""expect": "accept""#, range: vectorStart.upperBound..<text.endIndex))
        text.replaceSubrange(expect, with: #""expect": "reject""#)
        try TestSupport.write(text, to: path)
        let run = try TestSupport.tool(["run", "--vectors", directory + "/v1", "--only", "content/json"])
        #expect(run.status == 1, "\(run.stdout.suffix(600)) \(run.stderr)")
        #expect(run.stdout.contains("forged"), "\(run.stdout.suffix(600))")
        #expect(Self.runnerCommand(in: run.stdout + run.stderr) == nil, "\(run.stdout.suffix(600))")
    }

    @Test("capture and serve log a hostile request's target, Host and body escaped")
    func captureAndServe() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let capture = try ListeningProcess(
            executable: TestSupport.toolPath,
            arguments: ["capture", "--project-id", projectID, "--port", "0", "--host", "127.0.0.1", "--out", directory])
        let serve = try ListeningProcess(["--project-id", projectID])
        for port in [capture.port, serve.port] {
            for target in ["/ppg/webhook?q=\u{1B}]0;x\u{7}", "/\u{1B}[2J"] {
                let socket = try Socket.connect(host: "127.0.0.1", port: port, deadline: .after(2))
                defer { socket.close() }
                let bytes =
                    Array("POST \(target) HTTP/1.1\r\nHost: h\r\nX-PPG-Signature: \u{1B}[31mx\r\n".utf8)
                    + Array("Content-Length: \(hostileBytes.count)\r\nConnection: close\r\n\r\n".utf8) + hostileBytes
                try socket.send(bytes, deadline: .after(2))
                _ = try? socket.receive(maximum: 4096, deadline: .after(2))
            }
        }
        let (captureStatus, captureLog) = capture.stop(SIGINT)
        let (serveStatus, serveLog) = serve.stop(SIGINT)
        #expect(captureStatus == 0 && serveStatus == 0)
        #expect(captureLog.contains("capture 1:"), "\(captureLog)")
        #expect(!drivesTerminal(captureLog), "\(captureLog)")
        #expect(!drivesTerminal(serveLog), "\(serveLog)")
    }

    @Test("the Markdown report renders nothing a receiver sent: no mention, image, link or HTML")
    func markdownInjection() throws {
        let body = "@octocat ![x](https://evil.example/x.png) [click](https://evil.example) <img src=x> ``` `a` | **b**"
        let peer = try HostilePeer(
            .reply("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"))
        defer { peer.stop() }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try TestSupport.tool([
            "run", "--target", "http://127.0.0.1:\(peer.port)/ppg/webhook", "--project-id", projectID,
            "--only", "headers/*", "--markdown", directory + "/summary.md",
        ])
        #expect(run.status == 1)
        let markdown = try String(contentsOfFile: directory + "/summary.md", encoding: .utf8)
        #expect(markdown.contains("octocat"), "the body is shown")
        let rendered = MarkdownScan.rendered(markdown)
        for forbidden in ["@octocat", "](https://evil", "<img", "**b**"] {
            #expect(!rendered.contains(forbidden), "\(forbidden) renders in: \(markdown.prefix(1500))")
        }
    }
}

/// What of a Markdown text is rendered as Markdown: the text outside code spans and fenced code blocks (CommonMark's
/// rules for backtick runs), with `<code>…</code>` elements removed too.
enum MarkdownScan {
    static func rendered(_ markdown: String) -> String {
        var out: [String] = []
        var fence: String?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let open = fence {
                if trimmed.hasPrefix(open) && trimmed.allSatisfy({ $0 == "`" }) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") {
                fence = String(trimmed.prefix { $0 == "`" })
                continue
            }
            out.append(withoutCodeSpans(withoutCodeElements(line)))
        }
        return out.joined(separator: "\n")
    }

    static func withoutCodeElements(_ line: String) -> String {
        var text = line
        while let open = text.range(of: "<code>"),
            let close = text.range(of: "</code>", range: open.upperBound..<text.endIndex)
        {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        return text
    }

    static func withoutCodeSpans(_ line: String) -> String {
        let characters = Array(line)
        var out = ""
        var index = 0
        while index < characters.count {
            guard characters[index] == "`" else {
                out.append(characters[index])
                index += 1
                continue
            }
            var run = 0
            while index + run < characters.count && characters[index + run] == "`" { run += 1 }
            // The closing run has exactly the same length.
            var search = index + run
            var closed: Int?
            while search < characters.count {
                if characters[search] == "`" {
                    var length = 0
                    while search + length < characters.count && characters[search + length] == "`" { length += 1 }
                    if length == run {
                        closed = search + length
                        break
                    }
                    search += length
                } else {
                    search += 1
                }
            }
            if let closed {
                index = closed
            } else {
                out += String(repeating: "`", count: run)
                index += run
            }
        }
        return out
    }
}
