import Foundation
import PPGVectors
import TestSupport
import Testing

/// The example verifiers and receivers in other languages, each run through the harness over the pipe and over
/// HTTP; all must conform fully. A missing runtime is a visible skip.
@Suite("Examples")
struct ExampleTests {
    static let examples = TestSupport.packageRoot + "/Examples"
    static let hasNode: Bool = TestSupport.which("node") != nil
    /// `.ci/run` sets this, so that a framework it installed but that does not load fails instead of skipping.
    static let required = ProcessInfo.processInfo.environment["PPG_REQUIRE_EXAMPLES"] == "1"
    static let nodePath = ["NODE_PATH": "/usr/share/nodejs"]

    static func python(imports modules: String) -> Bool {
        guard TestSupport.hasPython, let python = TestSupport.which("python3") else { return false }
        return (try? TestSupport.run(python, ["-c", "import \(modules)"]))?.status == 0
    }

    static let hasFlask = required || python(imports: "flask")
    static let hasFastAPI = required || python(imports: "fastapi, uvicorn")
    static let hasExpress: Bool = {
        guard !required else { return true }
        guard let node = TestSupport.which("node") else { return false }
        return (try? TestSupport.run(node, ["-e", "require('express')"], environment: nodePath))?.status == 0
    }()

    static func succeeds(_ executable: String, _ arguments: [String]) -> Bool {
        guard let path = TestSupport.which(executable) else { return false }
        return (try? TestSupport.run(path, arguments))?.status == 0
    }

    static let hasDjango = required || python(imports: "django, gunicorn")
    static let hasGo = required || succeeds("go", ["version"])
    /// The launcher execs the built-in server once it answers, with `pcntl` (in Debian's php-cli).
    static let hasPHP = required || succeeds("php", ["-r", "exit(function_exists('pcntl_exec') ? 0 : 1);"])
    static let hasSinatra = required || succeeds("ruby", ["-e", "require 'sinatra/base'; require 'puma'"])
    static let hasJava = required || succeeds("java", ["--version"])

    func conforms(_ result: ProcessResult) {
        #expect(result.status == 0, "\(result.stdout.suffix(1500))\n\(result.stderr)")
        #expect(result.stdoutLines.last?.firstMatch(of: /^\d+ passed, 0 failed, \d+ skipped$/) != nil)
    }

    func pipeRun(_ command: String) throws {
        for profile in [["url-params", "hex"], ["json-body", "base64"]] {
            conforms(
                try TestSupport.tool(["run", "--exec", command, "--scheme", profile[0], "--encoding", profile[1]]))
        }
        conforms(try TestSupport.tool(["run", "--exec", command]))
    }

    /// The suite over HTTP with `--strict` under both profiles; `urlParamsExtra` adds options to the url-params run
    /// (an expected-failures file for what a stack cannot see).
    func httpRun(
        executable: String, arguments: [String], environment: [String: String] = [:], urlParamsExtra: [String] = []
    ) throws {
        for profile in [["url-params", "hex"], ["json-body", "base64"]] {
            let receiver = try ListeningProcess(
                executable: executable,
                arguments: arguments + [
                    "--project-id", "example-project", "--port", "0", "--scheme", profile[0],
                    "--encoding", profile[1],
                ], environment: environment)
            // SIGKILL: children of the test process inherit its blocked signal mask, so SIGTERM would not reach them.
            defer { _ = receiver.stop(SIGKILL) }
            try #require(receiver.port > 0, "the receiver did not say where it listens")
            conforms(
                try TestSupport.tool(
                    [
                        "run", "--target", receiver.url, "--project-id", "example-project", "--strict",
                        "--scheme", profile[0], "--encoding", profile[1],
                    ] + (profile[0] == "url-params" ? urlParamsExtra : [])))
        }
    }

    @Test("Flask receiver over HTTP", .enabled(if: hasFlask, "Flask is not installed (pip install flask)"))
    func flaskHTTP() throws {
        try httpRun(
            executable: try #require(TestSupport.which("python3")), arguments: [Self.examples + "/flask/app.py"])
    }

    @Test(
        "FastAPI receiver under uvicorn over HTTP",
        .enabled(if: hasFastAPI, "FastAPI or uvicorn is not installed (pip install fastapi uvicorn)"))
    func fastAPIHTTP() throws {
        try httpRun(
            executable: try #require(TestSupport.which("python3")), arguments: [Self.examples + "/fastapi/app.py"],
            urlParamsExtra: ["--expected-failures", Self.examples + "/fastapi/expected-failures.txt"])
    }

    @Test(
        "Express receiver over HTTP",
        .enabled(if: hasExpress, "Express is not installed (Debian: apt-get install node-express)"))
    func expressHTTP() throws {
        try httpRun(
            executable: try #require(TestSupport.which("node")), arguments: [Self.examples + "/express/app.js"],
            environment: Self.nodePath)
    }

    @Test(
        "Django receiver under gunicorn over HTTP",
        .enabled(if: hasDjango, "Django or gunicorn is not installed (pip install django gunicorn)"))
    func djangoHTTP() throws {
        try httpRun(
            executable: try #require(TestSupport.which("python3")), arguments: [Self.examples + "/django/app.py"])
    }

    @Test(
        "Go net/http receiver over HTTP", .enabled(if: hasGo, "Go is not installed (Debian: apt-get install golang-go)")
    )
    func goHTTP() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary = directory + "/ppg-example-go"
        let build = try TestSupport.run(
            try #require(TestSupport.which("go")), ["build", "-o", binary, "."], directory: Self.examples + "/go")
        try #require(build.status == 0, "go build failed: \(build.stderr)")
        try httpRun(executable: binary, arguments: [])
    }

    @Test(
        "PHP receiver on the built-in server over HTTP",
        .enabled(if: hasPHP, "PHP with pcntl is not installed (Debian: apt-get install php-cli)"))
    func phpHTTP() throws {
        try httpRun(executable: try #require(TestSupport.which("php")), arguments: [Self.examples + "/php/serve.php"])
    }

    @Test(
        "Sinatra receiver on Puma over HTTP",
        .enabled(if: hasSinatra, "Sinatra or Puma is not installed (Debian: apt-get install ruby-sinatra puma)"))
    func sinatraHTTP() throws {
        try httpRun(
            executable: try #require(TestSupport.which("ruby")), arguments: [Self.examples + "/sinatra/app.rb"])
    }

    @Test(
        "Java receiver on the JDK's HttpServer over HTTP",
        .enabled(if: hasJava, "a JDK is not installed (Debian: apt-get install default-jdk-headless)"))
    func javaHTTP() throws {
        try httpRun(
            executable: try #require(TestSupport.which("java")), arguments: [Self.examples + "/java/Receiver.java"])
    }

    @Test("Python verifier over the pipe", .enabled(if: TestSupport.hasPython, "python3 is not installed"))
    func pythonPipe() throws {
        try pipeRun("python3 \(Self.examples)/python/verifier.py")
    }

    @Test("Python http.server receiver over HTTP", .enabled(if: TestSupport.hasPython, "python3 is not installed"))
    func pythonHTTP() throws {
        try httpRun(
            executable: try #require(TestSupport.which("python3")),
            arguments: [Self.examples + "/python/receiver.py"])
    }

    @Test("Node verifier over the pipe", .enabled(if: hasNode, "node is not installed"))
    func nodePipe() throws {
        try pipeRun("node \(Self.examples)/node/verifier.js")
    }

    @Test("Node http receiver over HTTP", .enabled(if: hasNode, "node is not installed"))
    func nodeHTTP() throws {
        try httpRun(
            executable: try #require(TestSupport.which("node")), arguments: [Self.examples + "/node/receiver.js"])
    }

    @Test("Swift receiver on the project's library and server, over HTTP")
    func swiftHTTP() throws {
        try httpRun(executable: TestSupport.buildDirectory + "/ppg-example-receiver", arguments: [])
    }
}

@Suite("run --exec protocol errors")
struct PipeProtocolTests {
    func failsClearly(_ command: String, mentions text: String, extra: [String] = []) throws {
        let start = Date()
        let result = try TestSupport.tool(["run", "--exec", command] + extra)
        #expect(result.status == 2, "\(result.stdout.suffix(300))")
        let errorLines = result.stderr.split(separator: "\n")
        #expect(errorLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(text), "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 10)
    }

    /// A verifier in POSIX shell that answers each request line with `template`, its `%s` the request's id: no
    /// interpreter beyond `/bin/sh` and `sed` is needed.
    static func answering(_ template: String) -> String {
        let format = template.replacingOccurrences(of: "\"", with: "\\\"")
        return #"while IFS= read -r line; do id=$(printf '%s\n' "$line" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p'); "#
            + #"printf "\#(format)\n" "$id"; done"#
    }

    @Test("a program that exits is an error with the tail of its stderr")
    func exits() throws {
        try failsClearly("echo 'verifier: cannot load key store' >&2; exit 3", mentions: "cannot load key store")
    }

    @Test("garbage, a wrong id or a missing verdict is an error naming what came back")
    func garbage() throws {
        try failsClearly("while read line; do echo 'hello'; done", mentions: "not a JSON object")
        try failsClearly(#"while read line; do echo '{"id": "x", "accept": true}'; done"#, mentions: "answered id 'x'")
        try failsClearly(Self.answering(#"{"id": "%s"}"#), mentions: "neither a boolean 'accept'")
    }

    @Test("a program that does not answer in time is an error, within the timeout")
    func hangs() throws {
        try failsClearly("sleep 30", mentions: "took more than 0.5 s", extra: ["--timeout", "0.5"])
    }

    @Test("skip answers are skips with the program's reason")
    func skips() throws {
        let command = Self.answering(#"{"id": "%s", "skip": "no base64"}"#)
        let result = try TestSupport.tool(["run", "--exec", command, "--only", "encoding/*"])
        // Every vector skipped by the program: nothing was tested, which is never a conformant run.
        #expect(result.status == 2)
        #expect(result.stderr.contains("every selected vector was skipped"))
        let corpus = try VectorLoader.load(directory: TestSupport.corpusDirectory)
        let selected = corpus.signatureVectors.filter { $0.category == "encoding" }.count
        #expect(selected > 0)
        #expect(result.stdoutLines.last == "0 passed, 0 failed, \(selected) skipped")
    }

    @Test("a receiver vector's deliveries are asked as ID#1, ID#2, … when it has follow-ups, as ID when it has none")
    func followUpIDs() throws {
        let corpus = try VectorLoader.load(directory: TestSupport.corpusDirectory)
        let multi = corpus.receiverVectors.map(\.vector).filter { !($0.followUps ?? []).isEmpty }.prefix(3)
        let single = try #require(corpus.receiverVectors.map(\.vector).first { ($0.followUps ?? []).isEmpty })
        try #require(!multi.isEmpty, "no receiver vector with follow-ups in the corpus")
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let capture = directory + "/lines.txt"
        let command = "tee \(capture) | " + Self.answering(#"{"id": "%s", "accept": true}"#)
        let only = (multi.map(\.id) + [single.id]).flatMap { ["--only", $0] }
        _ = try TestSupport.tool(["run", "--exec", command] + only)
        // The id is each line's first member, as documented: `{"id":"…",`.
        let prefix = #"{"id":""#
        let asked = try String(contentsOfFile: capture, encoding: .utf8).split(separator: "\n").map { line in
            String(line.dropFirst(prefix.count).prefix { $0 != "\"" })
        }
        var expected = multi.flatMap { vector in
            (1...(1 + (vector.followUps ?? []).count)).map { "\(vector.id)#\($0)" }
        }
        expected.append(single.id)
        #expect(Set(asked) == Set(expected), "asked \(asked)")
    }

    @Test("the request line carries the documented members")
    func requestLine() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let capture = directory + "/lines.txt"
        let command = "tee \(capture) | while read line; do echo '{\"id\": \"x\", \"accept\": true}'; done"
        _ = try TestSupport.tool(["run", "--exec", command, "--only", "hmac/rfc2202-case-1"])
        let line = try String(contentsOfFile: capture, encoding: .utf8)
        for member in [
            #""id":"hmac/rfc2202-case-1""#, #""keyBase64":"CwsLCwsLCwsLCwsLCwsLCwsLCws=""#,
            #""url":"https://example.com/ppg/webhook""#, #""method":"POST""#, #""headers":[["X-PPG-Signature","#,
            #""bodyBase64":"SGkgVGhlcmU=""#, #""scheme":"json-body""#, #""encoding":"hex""#,
        ] {
            #expect(line.contains(member), "\(member) missing from \(line)")
        }
    }
}
