import Foundation
import TestSupport
import Testing

@Suite("Command line")
struct CLITests {
    @Test("sign prints the header value, and --json the signing input too")
    func sign() throws {
        let body = #"{"projectId":"abc","ppgId":"1"}"#
        let plain = try TestSupport.tool(["sign", "--key", "abc", "--url", "https://x.example/h", "--body", body])
        #expect(plain.status == 0)
        #expect(plain.stdout == "81d541c19b94f32d50b49b9258ffd44d85efddc5\n")
        let json = try TestSupport.tool([
            "sign", "--key=abc", "--url=https://x.example/h", "--body=\(body)", "--json",
            "--encoding", "base64",
        ])
        #expect(json.stdout.contains(#""signingInput":"https://x.example/hppgId1projectIdabc""#))
        #expect(json.stdout.contains(#""signature":"gdVBwZuU8y1QtJuSWP/UTYXv3cU=""#))
    }

    @Test(
        "options are checked before any work: unknown, out of range, a URL with a space or port 0 — one line, exit 2",
        arguments: [
            (["run", "--bogus"], "run: unknown option '--bogus'"),
            (["run", "--target", "http://127.0.0.1:9/h", "--project-id", "p", "--jobs", "0"], "for '--jobs'"),
            (["run", "--target", "http://127.0.0.1:9/h", "--project-id", "p", "--jobs", "257"], "for '--jobs'"),
            (["run", "--target", "http://a b/h", "--project-id", "p"], "holds a space"),
            (["run", "--target", "http://127.0.0.1:0/h", "--project-id", "p"], "invalid port '0'"),
            (["run", "--target", "http://127.0.0.1:65536/h", "--project-id", "p"], "invalid port '65536'"),
            (
                ["load", "--target", "http://127.0.0.1:9/h", "--project-id", "p", "--connections", "0"],
                "for '--connections'"
            ),
        ])
    func optionChecks(arguments: [String], message: String) throws {
        let result = try TestSupport.tool(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stdout.suffix(200))")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("sign --json gives signingInputBase64 where the input is not UTF-8")
    func signBinary() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data([0xFF, 0x00, 0x7B]).write(to: URL(fileURLWithPath: directory + "/body"))
        let result = try TestSupport.tool([
            "sign", "--key", "k", "--scheme", "json-body", "--body-file",
            directory + "/body", "--json",
        ])
        #expect(result.status == 0)
        #expect(result.stdout.contains(#""signingInputBase64":"/wB7""#))
    }

    @Test(
        "argument errors are one line on stderr and exit 2",
        arguments: [
            ["sign", "--key", "k", "--bogus"], ["sign", "--url", "https://x/h"],
            ["sign", "--key", "k", "--url", "u", "--scheme", "sha256"],
            ["sign", "--key"], ["sign", "--key", "k", "--key-hex", "00", "--url", "u"], ["nonsense"],
            ["run", "--only"],
            ["bench", "hmac", "--bytes", "-1"], ["bench", "hmac", "extra"], ["run", "--vectors", "/nonexistent"],
            ["vectors"],
            ["sign", "--key", "k", "extra"],
            ["sign", "--key", "k", "--url", "u", "--body-file", "/nonexistent/file"], ["run", "--flag", "NoSuchFlag"],
            ["sign", "--json=yes", "--key", "k", "--url", "u"],
            ["run", "--target", "http://127.0.0.1:99999/h", "--project-id", "p"],
            ["run", "--target", "http://127.0.0.1:0/h", "--project-id", "p"],
            ["run", "--target", "http://127.0.0.1:-1/h", "--project-id", "p"],
            ["run", "--target", "http://127.0.0.1:8080/a b", "--project-id", "p"],
            ["run", "--target", "http://127.0.0.1:8080/a\r\nX-Injected: 1", "--project-id", "p"],
            ["load", "--target", "http://127.0.0.1:65536/h", "--project-id", "p"],
            ["run", "--public-url", "https://h.example/a\tb"],
        ])
    func argumentErrors(arguments: [String]) throws {
        let result = try TestSupport.tool(arguments)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("ppg-conformance: "))
    }

    @Test(
        "--help exists for the tool and every command",
        arguments: [
            ["--help"], ["run", "--help"], ["sign", "--help"], ["bench", "--help"], ["vectors", "lint", "--help"],
            ["vectors", "list", "--help"], ["vectors", "new", "--help"], ["vectors", "--help"],
        ])
    func help(arguments: [String]) throws {
        let result = try TestSupport.tool(arguments)
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE"))
        // `-h` is the same request, wherever it stands before `--`, and after `--` it is an argument.
        let short = try TestSupport.tool(arguments.dropLast() + ["-h"])
        #expect(short.status == 0 && short.stdout == result.stdout, "\(arguments): \(short.stderr)")
        if arguments.count > 1 {
            let after = try TestSupport.tool(arguments.dropLast() + ["--", "-h"])
            #expect(after.stdout != result.stdout, "\(arguments)")
        }
    }

    @Test("every command's usage line names each of its options, and numeric options state their range")
    func usageNamesEveryOption() throws {
        let tool = try TestSupport.tool(["--help"])
        let commands = tool.stdout.split(separator: "\n", omittingEmptySubsequences: false).drop {
            !$0.hasPrefix("COMMANDS:")
        }.dropFirst()
            .prefix { !$0.isEmpty }.compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(commands.count > 5)
        var checked = 0
        for command in commands {
            let words =
                command == "vectors" ? [["vectors", "lint"], ["vectors", "list"], ["vectors", "new"]] : [[command]]
            for name in words {
                let help = try TestSupport.tool(name + ["--help"])
                let lines = help.stdout.split(separator: "\n").map(String.init)
                let usage = try #require(lines.first { $0.hasPrefix("USAGE:") })
                for line in lines where line.hasPrefix("  --") {
                    let option = String(line.dropFirst(2).prefix { $0 != " " })
                    guard option != "--help" else { continue }
                    #expect(usage.contains(option + " ") || usage.contains(option + "]"), "\(name): \(option)")
                    checked += 1
                }
            }
        }
        #expect(checked > 40)
        let run = try TestSupport.tool(["run", "--help"])
        #expect(run.stdout.contains("(a whole number from 1 to 256, default 4)"))
        #expect(run.stdout.contains("(a number from 0.05 to 600, default 5)"))
    }

    @Test("numbers are digits: a sign, hex or an exponent is refused with the option's range")
    func strictNumbers() throws {
        for (option, value) in [("--timeout", "0x10"), ("--timeout", "1e2"), ("--jobs", "+5"), ("--jobs", "-0")] {
            let result = try TestSupport.tool([
                "run", "--target", "http://127.0.0.1:1/", "--project-id", "p", option, value,
            ])
            #expect(result.status == 2)
            #expect(result.stderr.contains("invalid value '\(value)' for '\(option)'"), "\(result.stderr)")
        }
    }

    @Test("--version names the tool and corpus versions")
    func version() throws {
        let result = try TestSupport.tool(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.firstRange(of: /^ppg-conformance \d+\.\d+\.\d+ \(corpus \d+\.\d+\.\d+\)/) != nil)
    }

    @Test("bench hmac ends with the documented line")
    func bench() throws {
        let result = try TestSupport.tool(["bench", "hmac", "--bytes", "64", "--seconds", "0.05"])
        #expect(result.status == 0)
        let last = try #require(result.stdoutLines.last)
        #expect(last.firstRange(of: /^hmac-sha1 64 B: \d+ signatures\/s$/) != nil, "\(last)")
        // The default is the message length BENCHMARKS.md quotes beside openssl: 256 bytes.
        let byDefault = try TestSupport.tool(["bench", "hmac", "--seconds", "0.05"])
        #expect(byDefault.stdoutLines.last?.hasPrefix("hmac-sha1 256 B: ") == true, "\(byDefault.stdout)")
    }
}

@Suite("run")
struct RunCommandTests {
    @Test("the shipped corpus passes from any directory, and says where the vectors came from")
    func passes() throws {
        let result = try TestSupport.tool(["run"], directory: "/")
        #expect(result.status == 0, "\(result.stdout.suffix(600))")
        #expect(result.stdout.contains("(source checkout)"))
        let last = try #require(result.stdoutLines.last)
        #expect(last.firstRange(of: /^\d+ passed, 0 failed, \d+ skipped$/) != nil)
    }

    @Test("PPG_VECTORS and --vectors choose the corpus")
    func corpusOverride() throws {
        let fromEnvironment = try TestSupport.tool(
            ["run", "--list"], environment: ["PPG_VECTORS": TestSupport.corpusDirectory])
        #expect(fromEnvironment.stdout.contains("(PPG_VECTORS)"))
        let fromOption = try TestSupport.tool(["run", "--list", "--vectors", TestSupport.packageRoot + "/vectors"])
        #expect(fromOption.stdout.contains("(--vectors)"))
        #expect(fromOption.status == 0)
    }

    @Test("--list prints what would run and exits 0")
    func list() throws {
        let result = try TestSupport.tool(["run", "--list", "--only", "headers/*"])
        #expect(result.status == 0)
        #expect(result.stdoutLines.contains { $0.hasPrefix("headers/missing") })
        #expect(!result.stdout.contains("keys/"))
    }

    @Test("an unexpected pass fails the run with exit 1; a listed failure does not")
    func expectedFailures() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try TestSupport.write(
            "events/legacy-ibody  # pretend it fails\nno/such-vector\n", to: directory + "/expected.txt")
        let result = try TestSupport.tool([
            "run", "--expected-failures", directory + "/expected.txt", "--only", "events/*",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("UNEXPECTED PASS events/legacy-ibody"))
        #expect(result.stdout.contains("matches no vector"))
        #expect(result.stdoutLines.last?.hasSuffix("1 failed, 0 skipped") == true)
    }

    @Test("reports: JUnit and JSON written, and validated where xmllint is present")
    func reports() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try TestSupport.tool([
            "run", "--junit", directory + "/r.xml", "--json", directory + "/r.json",
            "--write-expected-failures", directory + "/e.txt",
        ])
        #expect(result.status == 0)
        let xml = try String(contentsOfFile: directory + "/r.xml", encoding: .utf8)
        #expect(xml.contains("<testsuites>"))
        let json = try String(contentsOfFile: directory + "/r.json", encoding: .utf8)
        #expect(json.contains("\"conforms\": true"))
        let expected = try String(contentsOfFile: directory + "/e.txt", encoding: .utf8)
        #expect(expected.split(separator: "\n").allSatisfy { $0.hasPrefix("#") })
        let unwritable = try TestSupport.tool(["run", "--junit", directory + "/no/such/dir/r.xml"])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("--junit"))
        #expect(unwritable.stderr.contains("does not exist"))
        #expect(unwritable.stdout.isEmpty, "the path is checked before the run")
    }

    @Test(
        "report paths are checked before the run: a device, a FIFO, a socket, one file for two reports: one line, exit 2"
    )
    func reportPaths() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(mkfifo(directory + "/fifo", 0o600) == 0)
        let socketPath = directory + "/socket"
        let listening = try TestSupport.bindUnixSocket(at: socketPath)
        defer { close(listening) }
        let cases: [([String], String)] = [
            (["--json", "/dev/zero"], "--json '/dev/zero': is a device"),
            (["--markdown", directory + "/fifo"], "is a FIFO"),
            (["--html", socketPath], "is a socket"),
            (["--junit", directory + "/r", "--json", directory + "/./r"], "is the same file as --junit"),
            (["--write-expected-failures", directory], "is a directory"),
        ]
        for (arguments, message) in cases {
            let result = try TestSupport.tool(["run"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(result.stdout.isEmpty)
        }
        var info = stat()
        #expect(stat("/dev/zero", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        let load = try TestSupport.tool([
            "load", "--target", "http://127.0.0.1:1/", "--project-id", "p", "--json", "/dev/null",
        ])
        #expect(load.status == 2)
        #expect(load.stderr.contains("--json '/dev/null': is a device"))
    }

    @Test("a selection that tests nothing is exit 2 with one line, never 'conformant'")
    func nothingSelected() throws {
        for arguments in [
            ["--only", "header/*"], ["--skip", "*"], ["--only", "encoding/*", "--scheme", "json-body"],
        ] {
            let result = try TestSupport.tool(["run"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains("nothing would be tested"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        let http = try TestSupport.tool([
            "run", "--target", "http://127.0.0.1:1/x", "--project-id", "p", "--only", "hmac/*",
        ])
        #expect(http.status == 2)
        #expect(http.stderr.contains("does not take (signature)"))
    }

    @Test("lint and run on a directory that is not a corpus stop at once, exit 2")
    func notACorpus() throws {
        let start = Date()
        for arguments in [["vectors", "lint", "/"], ["run", "--vectors", "/"]] {
            let result = try TestSupport.tool(arguments)
            #expect(result.status == 2)
            #expect(result.stderr.contains("manifest.json"))
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test("compare: a report that ran fewer vectors differs from a full one")
    func compareEmptyReport() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try TestSupport.tool(["run", "--json", directory + "/full.json"])
        _ = try TestSupport.tool(["run", "--only", "events/*", "--json", directory + "/some.json"])
        let result = try TestSupport.tool(["compare", directory + "/full.json", directory + "/some.json"])
        #expect(!result.stdout.contains("No vector differs"))
        #expect(result.stdout.contains("headers/missing"))
        #expect(!result.stdout.contains("events/legacy-ibody"))
    }

    @Test("an invalid corpus exits 2 naming the file")
    func invalidCorpus() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try TestSupport.write(
            #"{"format": 1, "version": "1.0.0", "description": "x", "notes": {}, "files": ["receiver/c.json"]}"#,
            to: directory + "/manifest.json")
        try TestSupport.write(
            #"{"format": 1, "kind": "receiver", "category": "c", "description": "d", "vectors": [{]}"#,
            to: directory + "/receiver/c.json")
        let result = try TestSupport.tool(["run", "--vectors", directory])
        #expect(result.status == 2)
        #expect(result.stderr.contains("receiver/c.json:1:"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}

@Suite("vectors")
struct VectorsCommandTests {
    @Test("lint passes on the shipped corpus")
    func lint() throws {
        let result = try TestSupport.tool(["vectors", "lint", TestSupport.corpusDirectory])
        #expect(result.status == 0, "\(result.stdout.suffix(800))")
        #expect(result.stdoutLines.last?.contains(": 0 problems") == true)
    }

    @Test("list --json lists every vector with its flags")
    func list() throws {
        let result = try TestSupport.tool(["vectors", "list", "--json"])
        #expect(result.status == 0)
        #expect(result.stdout.contains(#""id": "form/twilio-published""#))
        #expect(result.stdout.contains(#""KeyFromBody": "#))
    }

    @Test("vectors list --categories lists each category once with its vector count")
    func listCategories() throws {
        let vectors = try TestSupport.tool(["vectors", "list", "--json"])
        let categories = try TestSupport.tool(["vectors", "list", "--categories", "--json"])
        #expect(categories.status == 0)
        let all = try JSONSerialization.jsonObject(with: Data(vectors.stdout.utf8)) as? [String: Any]
        let listed = try JSONSerialization.jsonObject(with: Data(categories.stdout.utf8)) as? [String: Any]
        let rows = try #require(all?["vectors"] as? [[String: Any]])
        let entries = try #require(listed?["categories"] as? [[String: Any]])
        var expected: [String: Int] = [:]
        for row in rows { expected[row["category"] as? String ?? "", default: 0] += 1 }
        var got: [String: Int] = [:]
        for entry in entries { got[entry["name"] as? String ?? ""] = entry["vectors"] as? Int }
        #expect(!got.isEmpty)
        #expect(got == expected)
        #expect(entries.allSatisfy { !($0["description"] as? String ?? "").isEmpty })
        let table = try TestSupport.tool(["vectors", "list", "--categories"])
        #expect(
            table.stdoutLines.last == "\(counted(entries.count)), corpus \(listed?["corpusVersion"] as? String ?? "")")
    }

    @Test("help COMMAND is the command's own help, as COMMAND --help is")
    func helpRouting() throws {
        for command in [["run"], ["serve"], ["vectors", "lint"]] {
            let routed = try TestSupport.tool(["help"] + command)
            let direct = try TestSupport.tool(command + ["--help"])
            #expect(routed.status == 0)
            #expect(routed.stdout == direct.stdout)
            #expect(routed.stdout.hasPrefix("USAGE: ppg-conformance \(command.joined(separator: " "))"))
        }
        let unknown = try TestSupport.tool(["help", "nosuch"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown command 'nosuch'"))
    }

    func counted(_ count: Int) -> String { count == 1 ? "1 category" : "\(count) categories" }

    @Test("new scaffolds a vector that lints clean once added to a file")
    func newVector() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory, toPath: directory + "/v1")
        let printed = try TestSupport.tool([
            "vectors", "new", "--id", "url/new-one", "--key", "k", "--url",
            "https://h.example/x", "--body", #"{"projectId":"k","ppgId":"z"}"#,
        ])
        #expect(printed.stdout.contains(#""signingInput": "https://h.example/xppgIdzprojectIdk""#))
        let added = try TestSupport.tool([
            "vectors", "new", "--id", "url/new-one", "--key", "k", "--url",
            "https://h.example/x", "--body", #"{"projectId":"k","ppgId":"z"}"#,
            "--comment", "A contributor's vector.", "--into", directory + "/v1/signature/url.json",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        // Given a comment, nothing is left to replace: the message asks only for lint.
        #expect(!added.stdout.contains("TODO"), "\(added.stdout)")
        #expect(added.stdout.contains("now run 'ppg-conformance vectors lint'"))
        let lint = try TestSupport.tool(["vectors", "lint", directory + "/v1"])
        #expect(lint.status == 0, "\(lint.stdout.suffix(600))")
        let wrong = try TestSupport.tool([
            "vectors", "new", "--id", "url/new-two", "--key", "k", "--url", "https://h/x",
            "--signature", String(repeating: "0", count: 40),
            "--into", directory + "/v1/signature/url.json",
        ])
        #expect(wrong.status == 0)
        #expect(wrong.stdout.contains("replace the TODO in the vector's 'comment'"), "\(wrong.stdout)")
        let todo = try TestSupport.tool(["vectors", "lint", directory + "/v1"])
        #expect(todo.status == 1)
        #expect(todo.stdout.contains("vector 'url/new-two': the comment is still a TODO"))
    }

    @Test("vectors new --into refuses bad vectors (duplicate id, unknown flag, …) writing nothing; starts a new file")
    func newRefuses() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory, toPath: directory + "/v1")
        let urlFile = directory + "/v1/signature/url.json"
        let before = try String(contentsOfFile: urlFile, encoding: .utf8)
        let cases: [([String], String)] = [
            (["--id", "url/https", "--into", urlFile], "id already used"),
            (["--id", "url/fresh", "--flag", "NoSuchFlag", "--into", urlFile], "flag 'NoSuchFlag' is not described"),
            (["--id", "params/fresh", "--into", urlFile], "must start with the file's category 'url/'"),
            (
                ["--id", "events/fresh", "--into", directory + "/v1/receiver/events.json"],
                "not a signature vector file"
            ),
            (["--id", "x/fresh", "--into", directory + "/elsewhere.json"], "not inside a corpus"),
        ]
        for (extra, message) in cases {
            let result = try TestSupport.tool(["vectors", "new", "--key", "k", "--url", "https://h/x"] + extra)
            #expect(result.status == 2, "\(extra)")
            #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        #expect(try String(contentsOfFile: urlFile, encoding: .utf8) == before)
        let fresh = try TestSupport.tool([
            "vectors", "new", "--id", "fresh/first", "--key", "k", "--url", "https://h/x", "--comment", "A first one.",
            "--into", directory + "/v1/signature/fresh.json",
        ])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        let lint = try TestSupport.tool(["vectors", "lint", directory + "/v1"])
        #expect(lint.stdout.contains("signature/fresh.json: the description is still a TODO"))
        let list = try TestSupport.tool(["vectors", "list", "--vectors", directory + "/v1"])
        #expect(list.stdout.contains("fresh/first"))
    }

    @Test("lint --fix rewrites a file out of canonical form, before or after the directory, and lint is clean again")
    func lintFix() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let canonical = try String(contentsOfFile: TestSupport.corpusDirectory + "/receiver/keys.json", encoding: .utf8)
        // Four-space indentation: the same members in the same order, out of canonical form.
        let reindented = Data(canonical.replacingOccurrences(of: "\n  ", with: "\n    ").utf8)
        for (index, order) in [["--fix", "DIR"], ["DIR", "--fix"]].enumerated() {
            let corpus = directory + "/v\(index)"
            try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory, toPath: corpus)
            try reindented.write(to: URL(fileURLWithPath: corpus + "/receiver/keys.json"))
            let before = try TestSupport.tool(["vectors", "lint", corpus])
            #expect(before.status == 1)
            #expect(before.stdout.contains("receiver/keys.json: not in canonical form"), "\(before.stdout.suffix(300))")
            let fix = try TestSupport.tool(["vectors", "lint"] + order.map { $0 == "DIR" ? corpus : $0 })
            #expect(fix.status == 0, "\(order): \(fix.stdout.suffix(300))")
            #expect(
                fix.stdoutLines.last?.hasSuffix("0 problems, 1 file rewritten") == true, "\(fix.stdout.suffix(300))")
            #expect(try String(contentsOfFile: corpus + "/receiver/keys.json", encoding: .utf8) == canonical)
            #expect(try TestSupport.tool(["vectors", "lint", corpus]).status == 0)
        }
    }

    @Test("lint reports a vector whose result the reference contradicts, with exit 1")
    func lintFindsProblems() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory, toPath: directory + "/v1")
        let path = directory + "/v1/signature/url.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try TestSupport.write(
            text.replacingOccurrences(of: #""result": "invalid""#, with: #""result": "valid""#), to: path)
        let result = try TestSupport.tool(["vectors", "lint", directory + "/v1"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("the reference rejects it"))
    }
}

@Suite("Release layout and compare")
struct ReleaseLayoutTests {
    @Test("the binary finds the corpus beside itself when run from a directory with no checkout")
    func besideTheExecutable() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: TestSupport.toolPath, toPath: directory + "/ppg-conformance")
        try FileManager.default.createDirectory(atPath: directory + "/vectors", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory, toPath: directory + "/vectors/v1")
        let work = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let result = try TestSupport.run(directory + "/ppg-conformance", ["run"], directory: work)
        #expect(result.status == 0)
        #expect(result.stdout.contains("/vectors (beside the executable)"), "\(result.stdout.prefix(300))")
        #expect(!result.stdout.contains(TestSupport.packageRoot))
        let version = try TestSupport.run(directory + "/ppg-conformance", ["--version"], directory: work)
        #expect(version.stdout.contains("(corpus 1."))
    }

    @Test("run --markdown and compare from the command line")
    func compareCommand() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try TestSupport.tool([
            "run", "--only", "events/*", "--json", directory + "/a.json",
            "--markdown", directory + "/a.md",
        ])
        #expect(first.status == 0)
        #expect(try String(contentsOfFile: directory + "/a.md", encoding: .utf8).contains("✅ conformant"))
        _ = try TestSupport.tool(["run", "--only", "events/*", "--json", directory + "/b.json"])
        let same = try TestSupport.tool(["compare", directory + "/a.json", directory + "/b.json"])
        #expect(same.status == 0)
        #expect(same.stdout.contains("No vector differs between the 2 reports."))
        let bad = try TestSupport.tool(["compare", directory + "/a.json", directory + "/a.md"])
        #expect(bad.status == 2)
        // Where it stops being JSON, as line:column, as run says of a corpus file.
        #expect(bad.stderr.contains("a.md:1:1: not JSON: unexpected"), "\(bad.stderr)")
        #expect(try TestSupport.tool(["compare", directory + "/a.json"]).status == 2)
    }
}
