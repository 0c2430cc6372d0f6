import Foundation
import PPGHTTP
import PPGVectors
import PPGWire
import Synchronization
import TestSupport
import Testing

/// A server as a child process on a free port (`serve`, or an example receiver), whose first line names the port,
/// stopped with a signal.
final class ListeningProcess {
    let process = Process()
    let output = Pipe()
    private(set) var port = 0

    /// `ppg-conformance serve --port 0` with more arguments.
    convenience init(_ arguments: [String]) throws {
        try self.init(executable: TestSupport.toolPath, arguments: ["serve", "--port", "0"] + arguments)
    }

    init(executable: String, arguments: [String], directory: String? = nil, environment: [String: String] = [:]) throws
    {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // The first line names the port: "serving on http://127.0.0.1:PORT (…)".
        var line: [UInt8] = []
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first else { break }
            if first == 10 { break }
            line.append(first)
        }
        let text = String(decoding: line, as: UTF8.self)
        if let match = text.firstMatch(of: /127\.0\.0\.1:(\d+)/) { port = Int(match.1) ?? 0 }
        // The rest is read as it comes: a server whose log pipe filled up would block on its next line.
        let handle = output.fileHandleForReading
        let collected = self.collected
        Thread.detachNewThread {
            while case let data = handle.availableData, !data.isEmpty { collected.bytes.withLock { $0.append(data) } }
            collected.done.signal()
        }
    }

    /// What the process wrote after its first line.
    final class Collected: Sendable {
        let bytes = Mutex(Data())
        let done = DispatchSemaphore(value: 0)
    }
    private let collected = Collected()

    var url: String { "http://127.0.0.1:\(port)/ppg/webhook" }

    /// Sends a signal and returns the exit status and the rest of the output.
    func stop(_ signal: Int32 = SIGTERM) -> (Int32, String) {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        collected.done.wait()
        return (process.terminationStatus, String(decoding: collected.bytes.withLock { $0 }, as: UTF8.self))
    }
}

@Suite("run --target, serve and mutants")
struct HTTPCommandTests {
    let projectID = "5f2a8b3c9d1e4f6a7b8c9d0e"

    @Test("serve keeps answering when nobody reads its log, and stops within seconds on SIGTERM")
    func unreadLog() throws {
        // After its first line nobody reads, and the pipe (64 KiB) fills with log lines.
        let (process, port) = try TestSupport.startUnread(["serve", "--port", "0", "--project-id", "p"])
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try #require(port > 0)
        let load = try TestSupport.tool([
            "load", "--target", "http://127.0.0.1:\(port)/ppg/webhook", "--project-id", "p", "--requests", "4000",
            "--connections", "4",
        ])
        #expect(load.status == 0, "\(load.stdout.suffix(400))")
        kill(process.processIdentifier, SIGTERM)
        let start = Date()
        while process.isRunning && Date().timeIntervalSince(start) < 10 { usleep(50_000) }
        #expect(!process.isRunning, "serve did not stop within 10 s of SIGTERM with its output unread")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test(
        "a wrong setting is named as a setting, with the value that works, and no code bug is blamed",
        arguments: [
            (["--scheme", "json-body"], "localhost", "", "--scheme", "json-body"),
            (["--encoding", "base64"], "127.0.0.1", "", "--encoding", "base64"),
            ([], "localhost", "", "--public-url", "http://127.0.0.1:PORT/ppg/webhook"),
            // A loopback target without --public-url: the URL is asked first, the key with it, as one question.
            ([], "127.0.0.1", "not-the-receivers", "--public-url", ""),
        ])
    func settingsBeforeBugs(
        serveArguments: [String], host: String, runProjectID: String, setting: String, works: String
    ) throws {
        let runArguments = ["--project-id", runProjectID.isEmpty ? projectID : runProjectID]
        let serve = try ListeningProcess(["--project-id", projectID] + serveArguments)
        defer { _ = serve.stop() }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try TestSupport.tool(
            [
                "run", "--target", "http://\(host):\(serve.port)/ppg/webhook", "--only", "events/*", "--only",
                "headers/*", "--json", directory + "/report.json",
            ] + runArguments)
        #expect(run.status == 1)
        #expect(
            run.stdout.contains("Likely cause: a setting — this run and the receiver disagree on it"), "\(run.stdout)")
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let diagnosis = try #require(json["diagnosis"] as? [[String: Any]])
        #expect(diagnosis.first?["kind"] as? String == "setting")
        #expect(diagnosis.first?["setting"] as? String == setting)
        let expected = works.replacingOccurrences(of: "PORT", with: String(serve.port))
        #expect((diagnosis.first?["works"] as? String ?? "") == expected)
        #expect(!diagnosis.contains { $0["kind"] as? String == "bug" }, "a code bug is blamed: \(diagnosis)")
        if works.isEmpty {
            // Key or URL: one entry naming both, and the command that tells them apart.
            let message = diagnosis.first?["message"] as? String ?? ""
            #expect(message.contains("--project-id") && message.contains("--public-url"), "\(message)")
            #expect(message.contains("ppg-conformance sign"), "\(message)")
        }
        let quiet = try TestSupport.tool(
            [
                "run", "--target", "http://\(host):\(serve.port)/ppg/webhook", "--only", "events/*", "--no-probe",
            ] + runArguments)
        #expect(!quiet.stdout.contains("extra deliver"), "--no-probe sends no probe")
    }

    @Test("promises of the README: the 404/405 hint, --verbose's request bytes, and a target not speaking HTTP")
    func readmePromises() throws {
        let notFound = try HostilePeer(.reply("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
        defer { notFound.stop() }
        let wrongPath = try TestSupport.tool([
            "run", "--target", "http://127.0.0.1:\(notFound.port)/wrong", "--project-id", projectID, "--only",
            "events/*", "--verbose",
        ])
        #expect(wrongPath.status == 1)
        #expect(
            wrongPath.stdout.contains("every delivery that must be accepted was answered 404: is the path in"),
            "\(wrongPath.stdout.suffix(800))")
        // --verbose prints each failure's request as sent, the framing bytes included.
        #expect(wrongPath.stdout.contains("  request:"))
        #expect(wrongPath.stdout.contains("POST /wrong HTTP/1.1"))
        #expect(wrongPath.stdout.contains("Content-Length: "))
        let quiet = try TestSupport.tool([
            "run", "--target", "http://127.0.0.1:\(notFound.port)/wrong", "--project-id", projectID, "--only",
            "events/*",
        ])
        #expect(!quiet.stdout.contains("  request:"))
        let garbage = try HostilePeer(.garbage)
        defer { garbage.stop() }
        let notHTTP = try TestSupport.tool([
            "run", "--target", "http://127.0.0.1:\(garbage.port)/ppg/webhook", "--project-id", projectID,
        ])
        #expect(notHTTP.status == 2)
        #expect(notHTTP.stderr.contains("does not answer HTTP/1.1"), "\(notHTTP.stderr)")
        #expect(notHTTP.stderr.split(separator: "\n").count == 1)
    }

    @Test("a receiver that accepts connections and answers nothing is one line and exit 2, in about one timeout")
    func silentReceiver() throws {
        let peer = try HostilePeer(.hang)
        defer { peer.stop() }
        let start = Date()
        let run = try TestSupport.tool([
            "run", "--target", "http://127.0.0.1:\(peer.port)/ppg/webhook", "--project-id", projectID, "--timeout", "1",
        ])
        #expect(run.status == 2)
        #expect(run.stderr.contains("did not answer a GET of its path within 1.00 s"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(Date().timeIntervalSince(start) < 10)
        let closing = try HostilePeer(.reset)
        defer { closing.stop() }
        let reset = try TestSupport.tool([
            "run", "--target", "http://127.0.0.1:\(closing.port)/ppg/webhook", "--project-id", projectID,
        ])
        #expect(reset.status == 2)
        #expect(reset.stderr.contains("without answering a GET"), "\(reset.stderr)")
    }

    @Test(
        "a receiver that stops answering mid-run is stopped after a few unanswered rounds, reports written",
        .enabled(if: TestSupport.hasPython, "python3 is needed for a receiver that answers GET only"))
    func stopsAnswering() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Answers the preflight's GET, then holds every POST without an answer.
        let script = """
            import socket, threading, time
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", 0))
            server.listen(128)
            print(f"listening on http://127.0.0.1:{server.getsockname()[1]}", flush=True)
            def handle(client):
                data = client.recv(65536)
                if data.startswith(b"GET"):
                    client.sendall(b"HTTP/1.1 405 Method Not Allowed\\r\\nContent-Length: 0\\r\\n\\r\\n")
                else:
                    time.sleep(30)
                client.close()
            while True:
                client, _ = server.accept()
                threading.Thread(target=handle, args=(client,), daemon=True).start()
            """
        try TestSupport.write(script, to: directory + "/hang.py")
        let python = try #require(TestSupport.which("python3"))
        let peer = try ListeningProcess(executable: python, arguments: [directory + "/hang.py"])
        defer { _ = peer.stop(SIGKILL) }
        let start = Date()
        let run = try TestSupport.tool([
            "run", "--target", "http://127.0.0.1:\(peer.port)/ppg/webhook", "--project-id", projectID, "--timeout",
            "0.5", "--json", directory + "/report.json",
        ])
        #expect(run.status == 2)
        #expect(run.stderr.contains("went unanswered"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(Date().timeIntervalSince(start) < 20)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let outcomes = try #require(json["outcomes"] as? [[String: Any]])
        #expect(outcomes.contains { ($0["reason"] as? String ?? "").hasPrefix("not sent: the run stopped") })
        #expect(outcomes.filter { $0["status"] as? String == "error" }.count >= 8)
    }

    @Test(
        "load counts answers nobody asked for as errors, and exits 1",
        arguments: [
            // Two answers to one request, then garbage.
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nxyz\r\n\r\n",
            // A valid answer, then bytes that are no answer at all.
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\u{1}\u{2}garbage\r\n\r\n",
        ])
    func loadCountsUnsolicitedAnswers(reply: String) throws {
        let peer = try HostilePeer(.reply(reply))
        defer { peer.stop() }
        let load = try TestSupport.tool([
            "load", "--target", "http://127.0.0.1:\(peer.port)/ppg/webhook", "--project-id", projectID, "--requests",
            "20", "--connections", "1", "--timeout", "1",
        ])
        #expect(load.status == 1, "\(load.stdout.suffix(600))")
        let errors = load.stdoutLines.first { $0.hasPrefix("errors:") } ?? ""
        #expect(!errors.hasPrefix("errors:         0"), "\(load.stdout.suffix(600))")
        #expect(errors.contains("first:"), "\(errors)")
    }

    @Test("load on SIGINT stops within a timeout, prints its summary and writes --json")
    func loadInterrupted() throws {
        // A peer that answers 200 and closes: serve would log every request to a pipe nobody reads until the end.
        let peer = try HostilePeer(.reply("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        defer { peer.stop() }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let load = Process()
        load.executableURL = URL(fileURLWithPath: TestSupport.toolPath)
        load.arguments = [
            "load", "--target", "http://127.0.0.1:\(peer.port)/ppg/webhook", "--project-id", projectID, "--duration",
            "60", "--connections", "2", "--json", directory + "/load.json",
        ]
        let output = Pipe()
        load.standardOutput = output
        try load.run()
        // Interrupted once it is sending (its first progress line), not while it signs its deliveries.
        var seen = Data()
        let deadline = Date().addingTimeInterval(60)
        while !String(decoding: seen, as: UTF8.self).contains(" s: "), Date() < deadline, load.isRunning {
            seen += output.fileHandleForReading.availableData
        }
        let interrupted = Date()
        kill(load.processIdentifier, SIGINT)
        load.waitUntilExit()
        #expect(Date().timeIntervalSince(interrupted) < 5)
        seen += output.fileHandleForReading.readDataToEndOfFile()
        let text = String(decoding: seen, as: UTF8.self)
        #expect(text.contains(" s: "), "no progress line before the interrupt: \(text)")
        #expect(text.contains("interrupted (SIGINT)"), "\(text)")
        #expect(text.split(separator: "\n").last?.hasSuffix("requests/s") == true, "\(text)")
        #expect(FileManager.default.fileExists(atPath: directory + "/load.json"))
        // Progress never shows more errors or wrong verdicts than requests.
        for line in text.split(separator: "\n") {
            guard let match = line.firstMatch(of: /: (\d+) requests? .*, (\d+) wrong verdicts?, (\d+) errors?/) else {
                continue
            }
            #expect(Int(match.2) ?? 0 <= Int(match.1) ?? 0 && Int(match.3) ?? 0 <= Int(match.1) ?? 0, "\(line)")
        }
    }

    @Test("load on SIGINT while it signs its deliveries stops at once, and says so")
    func loadInterruptedWhileSigning() throws {
        let peer = try HostilePeer(.reply("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
        defer { peer.stop() }
        let load = Process()
        load.executableURL = URL(fileURLWithPath: TestSupport.toolPath)
        // The largest pool there is: signing it takes a while, longer than the moment before the interrupt.
        load.arguments = [
            "load", "--target", "http://127.0.0.1:\(peer.port)/ppg/webhook", "--project-id", projectID,
            "--requests", "1000000", "--connections", "1",
        ]
        let output = Pipe()
        load.standardOutput = output
        try load.run()
        usleep(300_000)
        let interrupted = Date()
        kill(load.processIdentifier, SIGINT)
        load.waitUntilExit()
        #expect(Date().timeIntervalSince(interrupted) < 2)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("interrupted (SIGINT)"), "\(text)")
        #expect(text.split(separator: "\n").last?.hasSuffix("requests/s") == true, "\(text)")
    }

    @Test(
        "run --target against serve conforms; serve logs each delivery and stops on SIGTERM and SIGINT",
        arguments: [SIGTERM, SIGINT])
    func againstServe(signal: Int32) throws {
        let serve = try ListeningProcess(["--project-id", projectID])
        #expect(serve.port > 0)
        let run = try TestSupport.tool([
            "run", "--target", serve.url, "--project-id", projectID, "--strict",
            "--junit", NSTemporaryDirectory() + "ppg-serve-\(signal).xml",
        ])
        #expect(run.status == 0, "\(run.stdout.suffix(800))")
        #expect(!run.stdout.contains("Likely cause"), "a conforming receiver gets no diagnosis")
        let corpus = try VectorLoader.load(directory: TestSupport.corpusDirectory)
        #expect(run.stdout.contains("\(corpus.signatureVectors.count) signature vectors not sent"))
        let (status, log) = serve.stop(signal)
        #expect(status == 0)
        #expect(log.contains("POST /ppg/webhook 200 accepted"))
        #expect(log.contains("401 rejected: mismatch"))
        #expect(log.hasSuffix("stopped\n"))
    }

    @Test("a mutant fails the run with exit 1 and a curl command that reproduces the failure")
    func againstMutant() throws {
        let serve = try ListeningProcess(["--project-id", projectID, "--mutant", "prefix-compare"])
        defer { _ = serve.stop() }
        let run = try TestSupport.tool(["run", "--target", serve.url, "--project-id", projectID])
        #expect(run.status == 1)
        #expect(run.stdout.contains("FAIL headers/truncated"))
        #expect(run.stdout.contains("reproduce: printf '%s' "))
        #expect(run.stdout.contains("| curl -sS -i --path-as-is -X POST"))
        #expect(run.stdoutLines.last?.firstMatch(of: /^\d+ passed, 2 failed, \d+ skipped$/) != nil)
        #expect(run.stdout.contains("1. consistent with 'prefix-compare': fails exactly this run's 2 failures"))
        #expect(run.stdout.contains("signed:   SPEC.md's signing input (url-params/hex): \"http://127.0.0.1:"))
        #expect(run.stdout.contains("the header sent: the valid value cut to its first 20 characters"))
    }

    @Test("a target that refuses the connection is one line and exit 2, at once")
    func unreachable() throws {
        let start = Date()
        let run = try TestSupport.tool(["run", "--target", "http://127.0.0.1:1/hook", "--project-id", "p"])
        #expect(run.status == 2)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains("cannot connect"))
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test("run --target and fuzz --target --jobs N have up to N deliveries in flight, --jobs 1 one, fuzz 4 by default")
    func jobsAreExchangesAtOnce() throws {
        // Each answer waits 10 ms, so exchanges that may overlap do.
        let inFlight = Mutex((now: 0, most: 0))
        let configuration = HTTPServer.Configuration(
            host: "127.0.0.1", port: 0, idleTimeout: 5, requestTimeout: 5, handlerThreads: 8, loops: 1)
        let server = HTTPServer(configuration: configuration) { _, _ in
            inFlight.withLock {
                $0.now += 1
                $0.most = max($0.most, $0.now)
            }
            Thread.sleep(forTimeInterval: 0.01)
            inFlight.withLock { $0.now -= 1 }
            return HTTPResponse(status: 401, reason: "Unauthorized")
        }
        let port = try server.start()
        defer {
            server.stop()
            server.wait()
        }
        for jobs in [1, 4] {
            inFlight.withLock { $0 = (0, 0) }
            let run = try TestSupport.tool([
                "run", "--target", "http://127.0.0.1:\(port)/ppg/webhook", "--project-id", "p", "--jobs", "\(jobs)",
                "--only", "tampering/*",
            ])
            #expect(run.status != 2, "\(run.stderr)")
            let most = inFlight.withLock { $0.most }
            #expect(jobs == 1 ? most == 1 : most > 1 && most <= jobs, "--jobs \(jobs): \(most) at once")
        }
        // fuzz's --jobs, given and by default (README: 4).
        for jobs in [1, nil] as [Int?] {
            inFlight.withLock { $0 = (0, 0) }
            let fuzz = try TestSupport.tool(
                [
                    "fuzz", "--target", "http://127.0.0.1:\(port)/ppg/webhook", "--project-id", "p", "--seed", "3",
                    "--runs", "60",
                ] + (jobs.map { ["--jobs", "\($0)"] } ?? []))
            #expect(fuzz.status != 2, "\(fuzz.stderr)")
            let most = inFlight.withLock { $0.most }
            #expect(jobs == 1 ? most == 1 : most > 1 && most <= 4, "fuzz --jobs \(jobs ?? 4): \(most) at once")
        }
    }

    @Test("run --target needs --project-id; --jobs needs --target")
    func targetArguments() throws {
        #expect(try TestSupport.tool(["run", "--target", "http://127.0.0.1:1/"]).status == 2)
        #expect(try TestSupport.tool(["run", "--jobs", "3"]).stderr.contains("only applies with '--target'"))
        #expect(try TestSupport.tool(["run", "--target", "ftp://x/"]).status == 2)
        #expect(try TestSupport.tool(["serve"]).stderr.contains("--project-id"))
        #expect(try TestSupport.tool(["serve", "--project-id", "p", "--mutant", "nope"]).status == 2)
    }

    @Test("mutants: the reference passes, every mutant is caught, the score is 100 %")
    func mutants() throws {
        let result = try TestSupport.tool(["mutants", "--jobs", "8"])
        #expect(result.status == 0, "\(result.stdout.suffix(1200))")
        #expect(result.stdout.contains("reference receiver: "))
        #expect(!result.stdout.contains("NOT CAUGHT"))
        let list = try TestSupport.tool(["mutants", "--list"])
        let count = list.stdoutLines.count
        #expect(count > 1)
        #expect(result.stdout.contains("mutation score: \(count)/\(count) mutants caught (100.0 %)"))
        // Each mutant's own run, diagnosed against the catalogue, names that mutant first (or a mutant these
        // vectors cannot tell from it, named beside it).
        #expect(
            result.stdout.contains("diagnosis: \(count)/\(count) mutants named first"), "\(result.stdout.suffix(600))")
    }
}

@Suite("load command")
struct LoadCommandTests {
    // Started from a daemon or a CI step with `<&-`, the first descriptor the tool opens is 0: serve's listener, the
    // clients' poller. Descriptor 0 is as good as any.
    @Test("with standard input closed, serve, load and fuzz --target work as they do with it open")
    func standardInputClosed() throws {
        let closed = ["-c", "exec \"$0\" \"$@\" 0<&-", TestSupport.toolPath]
        let serve = try ListeningProcess(
            executable: "/bin/sh", arguments: closed + ["serve", "--port", "0", "--project-id", "p-closed"])
        defer { _ = serve.stop() }
        try #require(serve.port > 0)
        let load = try TestSupport.run(
            "/bin/sh",
            closed + ["load", "--target", serve.url, "--project-id", "p-closed", "--requests", "50"])
        #expect(load.status == 0, "\(load.stdout)\(load.stderr)")
        #expect(load.stdout.contains("statuses:       200 × 50"), "\(load.stdout)")
        let fuzz = try TestSupport.run(
            "/bin/sh",
            closed + [
                "fuzz", "--target", serve.url, "--project-id", "p-closed", "--seed", "1", "--runs", "200",
            ])
        #expect(fuzz.status == 0, "\(fuzz.stdout.suffix(400))\(fuzz.stderr)")
        #expect(fuzz.stdout.contains("200 deliveries sent"), "\(fuzz.stdout.suffix(400))")
    }

    @Test("a short run against serve: figures printed, the last line 'X requests/s', exit 0; a mutant gives exit 1")
    func load() throws {
        let serve = try ListeningProcess(["--project-id", "p-load"])
        defer { _ = serve.stop() }
        let run = try TestSupport.tool([
            "load", "--target", serve.url, "--project-id", "p-load", "--requests", "600",
            "--connections", "4", "--invalid-ratio", "0.5", "--json", NSTemporaryDirectory() + "load.json",
        ])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("validly signed 300, wrongly signed 300"))
        #expect(run.stdout.contains("statuses:       200 × 300, 401 × 300"))
        #expect(run.stdout.contains("latency:        p50 "))
        #expect(run.stdoutLines.last?.firstMatch(of: /^\d+\.\d requests\/s$/) != nil)
        // The first line says what is sent: a share wrongly signed only where there is one.
        #expect(run.stdoutLines.first?.contains(", 50.0 % wrongly signed, no pipelining") == true, "\(run.stdout)")
        let valid = try TestSupport.tool([
            "load", "--target", serve.url, "--project-id", "p-load", "--requests", "50", "--connections", "1",
        ])
        #expect(valid.status == 0 && valid.stdoutLines.first?.contains("wrongly signed") == false, "\(valid.stdout)")
        let mutant = try ListeningProcess(["--project-id", "p-load", "--mutant", "accept-all"])
        defer { _ = mutant.stop() }
        let wrong = try TestSupport.tool([
            "load", "--target", mutant.url, "--project-id", "p-load", "--requests", "100",
            "--invalid-ratio", "0.2",
        ])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("wrong verdicts: 20"))
    }

    @Test("bad arguments and unreachable targets exit 2 with one line")
    func errors() throws {
        for arguments in [
            ["load", "--target", "http://127.0.0.1:1/", "--project-id", "p"],
            ["load", "--target", "https://x/", "--project-id", "p"],
            ["load", "--target", "http://127.0.0.1:1/", "--project-id", "p", "--invalid-ratio", "2"],
            ["load", "--target", "http://127.0.0.1:1/", "--project-id", "p", "--requests", "5", "--duration", "1"],
        ] {
            let result = try TestSupport.tool(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }
}
