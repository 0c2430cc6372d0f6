import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `fuzz`: generated deliveries, disagreements shrunk and written as a corpus that repeats them.
@Suite("fuzz")
struct FuzzTests {
    @Test("the reference never disagrees with SPEC.md's reference: exit 0, the seed printed")
    func referenceAgrees() throws {
        let result = try TestSupport.tool(["fuzz", "--seed", "7", "--runs", "400"])
        #expect(result.status == 0, "\(result.stdout.suffix(600))")
        #expect(result.stdoutLines.first?.hasPrefix("fuzz: seed 7, target reference") == true)
        let summary = result.stdoutLines.first { $0.hasPrefix("seed 7: ") }
        #expect(summary?.hasPrefix("seed 7: 400 deliveries sent in") == true, "\(result.stdout.suffix(300))")
        #expect(summary?.hasSuffix("0 distinct disagreements") == true, "\(result.stdout.suffix(300))")
    }

    @Test("a mutant's bug is found and shrunk; the corpus written lints, passes the reference, fails the mutant")
    func findsShrinksAndKeeps() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let arguments = ["fuzz", "--mutant", "case-insensitive-sort", "--seed", "1", "--runs", "300"]
        let found = try TestSupport.tool(arguments + ["--out", directory + "/a", "--json", directory + "/a.json"])
        #expect(found.status == 1, "\(found.stdout.suffix(600))")
        #expect(found.stdout.contains("likely cause: 'case-insensitive-sort'"), "\(found.stdout.suffix(600))")
        // Shrunk: the projectId and one member whose name sorts otherwise without case.
        let file = directory + "/a/receiver/fuzz.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let corpus = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let vectors = try #require(corpus["vectors"] as? [[String: Any]])
        try #require(vectors.count == 1, "\(text)")
        let body = try #require(((vectors[0]["request"] as? [String: Any])?["body"] as? [String: Any])?["text"])
        let members = try #require(
            try JSONSerialization.jsonObject(with: Data("\(body)".utf8)) as? [String: Any])
        #expect(members.count == 2, "\(body)")

        let lint = try TestSupport.tool(["vectors", "lint", directory + "/a"])
        #expect(lint.status == 0, "\(lint.stdout)")
        let reference = try TestSupport.tool(["run", "--vectors", directory + "/a"])
        #expect(reference.status == 0, "\(reference.stdout.suffix(400))")
        #expect(reference.stdoutLines.last == "1 passed, 0 failed, 0 skipped")
        let serve = try ListeningProcess(["--project-id", "p", "--mutant", "case-insensitive-sort"])
        defer { _ = serve.stop() }
        let mutant = try TestSupport.tool([
            "run", "--vectors", directory + "/a", "--target", serve.url, "--project-id", "p", "--no-probe",
        ])
        #expect(mutant.status == 1, "\(mutant.stdout.suffix(400))")
        #expect(mutant.stdoutLines.last == "0 passed, 1 failed, 0 skipped")

        // The same seed against the same receiver writes the same bytes.
        _ = try TestSupport.tool(arguments + ["--out", directory + "/b"])
        for path in ["manifest.json", "receiver/fuzz.json"] {
            let first = try Data(contentsOf: URL(fileURLWithPath: directory + "/a/" + path))
            let second = try Data(contentsOf: URL(fileURLWithPath: directory + "/b/" + path))
            #expect(first == second, "\(path) differs between two runs of seed 1")
        }
        let json = try Data(contentsOf: URL(fileURLWithPath: directory + "/a.json"))
        let report = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(report["seed"] as? String == "1")
        #expect((report["disagreements"] as? [Any])?.count == 1)
    }

    @Test("two receivers against each other: where they differ is a disagreement, over HTTP")
    func against() throws {
        // Both receivers are configured with the same public URL, as two deployments of one webhook would be.
        let publicURL = "https://hooks.example.com/ppg/webhook"
        let reference = try ListeningProcess(["--project-id", "p", "--public-url", publicURL])
        defer { _ = reference.stop() }
        let mutant = try ListeningProcess([
            "--project-id", "p", "--mutant", "prefix-compare", "--public-url", publicURL,
        ])
        defer { _ = mutant.stop() }
        let result = try TestSupport.tool([
            "fuzz", "--target", mutant.url, "--against", reference.url, "--project-id", "p", "--public-url",
            publicURL, "--seed", "1", "--runs", "200",
        ])
        #expect(result.status == 1, "\(result.stdout.suffix(800))\(result.stderr)")
        #expect(result.stdout.contains("oracle http://127.0.0.1:\(reference.port)/ppg/webhook"))
        #expect(result.stdout.contains("likely cause: 'prefix-compare'\n"), "\(result.stdout.suffix(800))")
        let summary = result.stdoutLines.first { $0.hasPrefix("seed 1: ") }
        #expect(summary?.contains("; 1 distinct disagreement") == true, "\(result.stdout.suffix(800))")
    }

    @Test(
        "bad input is one line and exit 2",
        arguments: [
            (["--seed", "abc"], "invalid value 'abc' for '--seed'"),
            (["--runs", "10", "--seconds", "1"], "give '--runs' or '--seconds', not both"),
            (["--mutant", "accept-all", "--target", "http://127.0.0.1:1/"], "'--mutant' runs in-process"),
            (["--against", "http://127.0.0.1:1/"], "'--against' compares two '--target's"),
            (["--mutant", "no-such-bug"], "--mutant"),
        ])
    func badInput(arguments: [String], message: String) throws {
        let result = try TestSupport.tool(["fuzz"] + arguments)
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    static let accepted = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    @Test("--seconds is a deadline: shrinking against a slow receiver that accepts everything ends in time")
    func secondsIsADeadline() throws {
        // Every must-reject case disagrees, and each shrinking step waits 0.2 s: 2,000 steps would take minutes.
        let peer = try HostilePeer(.slowReply(Self.accepted, delay: 0.2))
        defer { peer.stop() }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let start = Date()
        let result = try TestSupport.tool([
            "fuzz", "--target", "http://127.0.0.1:\(peer.port)/h", "--project-id", "p", "--seed", "3",
            "--seconds", "2", "--timeout", "1", "--json", directory + "/f.json",
        ])
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed < 2 + 1 + 2, "took \(elapsed) s with --seconds 2 --timeout 1")
        #expect(result.status == 1, "\(result.stdout.suffix(600)) \(result.stderr)")
        let json = try Data(contentsOf: URL(fileURLWithPath: directory + "/f.json"))
        let report = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(((report["disagreements"] as? [Any])?.count ?? 0) >= 1)
    }

    @Test("a receiver that stops answering stops fuzz with exit 2 in seconds, its --json still written")
    func stopsWhenUnanswered() throws {
        let peer = try HostilePeer(.answerFirstOnly(Self.accepted))
        defer { peer.stop() }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let start = Date()
        let result = try TestSupport.tool([
            "fuzz", "--target", "http://127.0.0.1:\(peer.port)/h", "--project-id", "p", "--seed", "3",
            "--runs", "2000", "--timeout", "0.5", "--json", directory + "/f.json",
        ])
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(result.status == 2, "\(result.stdout.suffix(600)) \(result.stderr)")
        #expect(result.stderr.contains("did not answer"), "\(result.stderr)")
        // Each delivery that got no answer before the stop is a disagreement kept as sent: the whole request shown.
        let json = try Data(contentsOf: URL(fileURLWithPath: directory + "/f.json"))
        let report = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let found = try #require(report["disagreements"] as? [[String: Any]])
        #expect(!found.isEmpty)
        for disagreement in found {
            let request = disagreement["request"] as? String ?? ""
            #expect(request.contains(" /h") && request.contains("HTTP/1.1"), "\(request)")
        }
    }

    @Test("SIGINT ends fuzz with its summary, --json and --out of what was found so far")
    func interruptKeepsFindings() throws {
        let peer = try HostilePeer(.slowReply(Self.accepted, delay: 0.05))
        defer { peer.stop() }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.toolPath)
        process.arguments = [
            "fuzz", "--target", "http://127.0.0.1:\(peer.port)/h", "--project-id", "p", "--seed", "3", "--runs",
            "100000", "--json", directory + "/f.json", "--out", directory + "/out",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        Thread.sleep(forTimeInterval: 3)
        kill(process.processIdentifier, SIGINT)
        let start = Date()
        while process.isRunning && Date().timeIntervalSince(start) < 10 { usleep(50_000) }
        #expect(!process.isRunning, "fuzz did not end within 10 s of SIGINT")
        #expect(Date().timeIntervalSince(start) < 3)
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stdout.contains("interrupted (SIGINT)"), "\(stdout.suffix(600))")
        #expect(process.terminationStatus == 1, "\(stdout.suffix(600))")
        #expect(FileManager.default.fileExists(atPath: directory + "/f.json"))
        #expect(FileManager.default.fileExists(atPath: directory + "/out/manifest.json"))
    }

    @Test("--out takes a new or empty folder only, writes it whole or not at all, and --json whatever happens")
    func outIsNeverOverwritten() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fuzz = ["fuzz", "--mutant", "case-insensitive-sort", "--seed", "1", "--runs", "200"]
        // A folder that holds a corpus is refused before the run, and left as it was.
        try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory, toPath: directory + "/v1")
        let manifest = try Data(contentsOf: URL(fileURLWithPath: directory + "/v1/manifest.json"))
        let refused = try TestSupport.tool(fuzz + ["--out", directory + "/v1"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("holds") && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/v1/manifest.json")) == manifest)
        // An empty folder is taken; a second run into it is refused; --force replaces what it holds.
        try FileManager.default.createDirectory(atPath: directory + "/out", withIntermediateDirectories: false)
        #expect(try TestSupport.tool(fuzz + ["--out", directory + "/out"]).status == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/out").sorted()
        #expect(files == ["manifest.json", "receiver"], "\(files)")
        #expect(try TestSupport.tool(fuzz + ["--out", directory + "/out"]).status == 2)
        try TestSupport.write("mine", to: directory + "/out/notes.txt")
        #expect(try TestSupport.tool(fuzz + ["--out", directory + "/out", "--force"]).status == 1)
        #expect(!FileManager.default.fileExists(atPath: directory + "/out/notes.txt"))
        #expect(try TestSupport.tool(["vectors", "lint", directory + "/out"]).status == 0)
        // Where --out cannot be written, nothing is left half-written and --json is there.
        try TestSupport.write("a file", to: directory + "/file")
        let failed = try TestSupport.tool(
            fuzz + ["--out", directory + "/file/out", "--json", directory + "/f.json"])
        #expect(failed.status == 2, "\(failed.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory + "/f.json"))
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(left == ["f.json", "file", "out", "v1"], "\(left)")
        // The path in that line is cut at 200 bytes, as every path in the tool's errors.
        let long = directory + "/file/" + String(repeating: "d", count: 300)
        let cut = try TestSupport.tool(fuzz + ["--out", long])
        #expect(cut.status == 2)
        #expect(cut.stderr.contains(String(long.utf8.prefix(200))! + "…"), "\(cut.stderr)")
        #expect(!cut.stderr.contains(String(long.utf8.prefix(201))!), "\(cut.stderr)")
    }
}
