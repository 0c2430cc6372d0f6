import Foundation
import PPGHTTP
import PPGSignature
import PPGWire
import TestSupport
import Testing

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("capture and detect, end to end")
struct CaptureTests {
    let projectID = "5f2a8b3c9d1e4f6a7b8c9d0e"
    let body = #"{"projectId":"5f2a8b3c9d1e4f6a7b8c9d0e","ppgId":"6f1e2d3c","kind":"subscriber:update"}"#

    func deliver(port: Int, profile: SignatureProfile, signature: String? = nil) throws -> Int {
        let url = "https://hooks.example.com/ppg/webhook?t=1"
        let value =
            try signature
            ?? Signer(projectID: projectID, profile: profile)
            .signature(url: url, body: Array(body.utf8), contentType: "application/json")
        let response = try HTTPConnection(host: "127.0.0.1", port: port).send(
            HTTPRequest(
                method: "POST", target: "/ppg/webhook?t=1",
                headers: [
                    (name: "Content-Type", value: "application/json"),
                    (name: "X-PPG-Signature", value: value),
                ],
                body: Array(body.utf8)),
            timeout: 5)
        return response.status
    }

    func capture(_ directory: String, redact: Bool) throws -> ListeningProcess {
        try ListeningProcess(
            executable: TestSupport.toolPath,
            arguments: [
                "capture", "--project-id", projectID, "--port", "0", "--host", "127.0.0.1", "--public-url",
                "https://hooks.example.com/ppg/webhook", "--out", directory,
            ] + (redact ? ["--redact"] : []))
    }

    @Test("deliveries are answered 200, stored raw and as captured vectors that lint clean, and detected")
    func captures() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try capture(directory + "/out", redact: false)
        #expect(try deliver(port: server.port, profile: SignatureProfile(scheme: .jsonBody, encoding: .base64)) == 200)
        #expect(try deliver(port: server.port, profile: .default) == 200)
        #expect(try deliver(port: server.port, profile: .default, signature: String(repeating: "0", count: 40)) == 200)
        let (status, log) = server.stop()
        #expect(status == 0)
        #expect(log.contains("1. json-body, base64  (SPEC.md's reading)"))
        #expect(log.contains("1. url-params, hex  (SPEC.md's reading)"))
        #expect(log.contains("no known reading matches"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/out").sorted()
        #expect(
            files == [
                "capture-0001.http", "capture-0001.json", "capture-0002.http", "capture-0002.json",
                "capture-0003.http",
            ])
        // detect on the stored raw request finds the same reading.
        let detect = try TestSupport.tool([
            "detect", "--request", directory + "/out/capture-0001.http", "--project-id",
            projectID, "--public-url", "https://hooks.example.com/ppg/webhook", "--json",
        ])
        #expect(detect.status == 0)
        #expect(detect.stdout.contains(#""reading": "json-body, base64""#))
        let none = try TestSupport.tool([
            "detect", "--request", directory + "/out/capture-0003.http", "--project-id", projectID,
        ])
        #expect(none.status == 1)
        #expect(none.stdout.contains("no known reading matches"))
        // The captured vectors join a copy of the corpus and lint clean.
        try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory, toPath: directory + "/v1")
        let first = try String(contentsOfFile: directory + "/out/capture-0001.json", encoding: .utf8)
        #expect(first.contains(#""provenance": "captured""#))
        try TestSupport.write(first, to: directory + "/v1/signature/captured.json")
        try TestSupport.listInManifest("signature/captured.json", corpus: directory + "/v1")
        let lint = try TestSupport.tool(["vectors", "lint", directory + "/v1"])
        #expect(lint.status == 0, "\(lint.stdout.suffix(500))")
    }

    @Test("--redact replaces the projectId and re-signs, so the shared vector still verifies")
    func redacts() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try capture(directory + "/out", redact: true)
        #expect(try deliver(port: server.port, profile: .default) == 200)
        _ = server.stop()
        let raw = try String(contentsOfFile: directory + "/out/capture-0001.http", encoding: .utf8)
        let vector = try String(contentsOfFile: directory + "/out/capture-0001.json", encoding: .utf8)
        #expect(!raw.contains(projectID) && !vector.contains(projectID))
        #expect(vector.contains("redacted-project-id"))
        try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory, toPath: directory + "/v1")
        try TestSupport.write(vector, to: directory + "/v1/signature/captured.json")
        try TestSupport.listInManifest("signature/captured.json", corpus: directory + "/v1")
        let lint = try TestSupport.tool(["vectors", "lint", directory + "/v1"])
        #expect(lint.status == 0, "\(lint.stdout.suffix(500))")
        let detect = try TestSupport.tool([
            "detect", "--request", directory + "/out/capture-0001.http", "--project-id",
            "redacted-project-id", "--public-url", "https://hooks.example.com/ppg/webhook",
        ])
        #expect(detect.status == 0)
    }

    /// One raw request to a capture server; its status.
    func send(_ port: Int, _ method: String, _ target: String, signature: String = "0000") throws -> Int {
        let response = try HTTPConnection(host: "127.0.0.1", port: port).send(
            HTTPRequest(
                method: method, target: target,
                headers: [
                    (name: "Content-Type", value: "application/json"), (name: "X-PPG-Signature", value: signature),
                ],
                body: Array(body.utf8)),
            timeout: 5)
        return response.status
    }

    @Test("only POSTs to the webhook's path are stored, at most --max-files, never over a file or past a number")
    func capsAndPaths() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = directory + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // Names that used to trap (overflow) or wrap the numbering (%04d of a 32-bit int) on startup.
        for name in ["capture-9223372036854775807.http", "capture-4294967296.http", "capture-0001.http"] {
            try TestSupport.write("kept", to: out + "/" + name)
        }
        let server = try ListeningProcess(
            executable: TestSupport.toolPath,
            arguments: [
                "capture", "--project-id", projectID, "--port", "0", "--host", "127.0.0.1", "--public-url",
                "https://hooks.example.com/ppg/webhook", "--out", out, "--max-files", "1",
            ])
        #expect(server.port > 0, "capture did not start")
        #expect(try send(server.port, "GET", "/ppg/webhook") == 405)
        #expect(try send(server.port, "POST", "/other") == 404)
        #expect(try send(server.port, "POST", "/ppg/webhook?a=1") == 200)
        #expect(try send(server.port, "POST", "/ppg/webhook") == 507)
        let (status, log) = server.stop()
        #expect(status == 0)
        #expect(log.contains("--max-files 1 reached"), "\(log)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(
            files == [
                "capture-0001.http", "capture-0002.http", "capture-4294967296.http",
                "capture-9223372036854775807.http",
            ], "\(files)")
        #expect(try String(contentsOfFile: out + "/capture-0001.http", encoding: .utf8) == "kept")
        #expect(
            try String(contentsOfFile: out + "/capture-0002.http", encoding: .utf8).hasPrefix("POST /ppg/webhook?a=1"))
    }

    @Test("--redact shows and keeps no projectId, and no original signature when nothing can re-sign")
    func redactsUnmatched() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try capture(directory + "/out", redact: true)
        let signature = "c0ffee" + String(repeating: "1", count: 34)
        #expect(try send(server.port, "POST", "/ppg/webhook?p=\(projectID)", signature: signature) == 200)
        let (_, log) = server.stop()
        #expect(!log.contains(projectID), "\(log)")
        let raw = try String(contentsOfFile: directory + "/out/capture-0001.http", encoding: .utf8)
        #expect(!raw.contains(projectID))
        #expect(!raw.contains(signature))
        #expect(raw.contains("X-PPG-Signature: redacted-signature"))
    }

    @Test("detect's input errors are one line and exit 2")
    func detectErrors() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try TestSupport.write("not a request", to: directory + "/bad.http")
        let bad = try TestSupport.tool(["detect", "--request", directory + "/bad.http", "--project-id", "p"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("is not an HTTP request"))
        try TestSupport.write("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", to: directory + "/unsigned.http")
        let unsigned = try TestSupport.tool(["detect", "--request", directory + "/unsigned.http", "--project-id", "p"])
        #expect(unsigned.status == 2)
        #expect(unsigned.stderr.contains("no X-PPG-Signature header"))
    }

    /// Whether this process may mount a small tmpfs (root, with the capability): how a test gets a full disk.
    static let canMountTmpfs: Bool = {
        #if os(Linux)
            guard geteuid() == 0, let directory = try? TestSupport.temporaryDirectory() else { return false }
            defer { try? FileManager.default.removeItem(atPath: directory) }
            guard mount("tmpfs", directory, "tmpfs", 0, "size=64k") == 0 else { return false }
            umount(directory)
            return true
        #else
            return false
        #endif
    }()

    @Test(
        "into a full disk a delivery gets 507 and leaves no file; every 200 is a whole file on disk",
        .enabled(if: canMountTmpfs, "needs root to mount a small tmpfs as a full disk"))
    func fullDisk() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = directory + "/disk"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        #if os(Linux)
            try #require(mount("tmpfs", out, "tmpfs", 0, "size=96k") == 0)
            defer { umount2(out, Int32(MNT_DETACH)) }
        #endif
        let server = try ListeningProcess(
            executable: TestSupport.toolPath,
            arguments: ["capture", "--project-id", projectID, "--port", "0", "--host", "127.0.0.1", "--out", out])
        // Unsigned 30 KiB deliveries: a raw file each, no vector file; three fill the 96 KiB disk.
        let large =
            Array(#"{"projectId":"p","pad":""#.utf8) + [UInt8](repeating: 0x61, count: 30 << 10)
            + Array(#""}"#.utf8)
        func post() throws -> Int {
            try HTTPConnection(host: "127.0.0.1", port: server.port).send(
                HTTPRequest(
                    method: "POST", target: "/ppg/webhook",
                    headers: [
                        (name: "Content-Type", value: "application/json"), (name: "X-PPG-Signature", value: "0"),
                    ],
                    body: large),
                timeout: 5
            ).status
        }
        let statuses = try (0..<5).map { _ in try post() }
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 507 }, "\(statuses)")
        #expect(statuses.contains(507), "\(statuses): the disk never filled")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files.count == statuses.filter { $0 == 200 }.count, "\(statuses) but on disk: \(files)")
        #expect(!files.contains { $0.hasSuffix(".partial") }, "\(files)")
        for file in files {
            let bytes = try #require(FileManager.default.contents(atPath: out + "/" + file))
            #expect(bytes.count > large.count && bytes.suffix(large.count).elementsEqual(large), "\(file) is partial")
        }
        // Room again, the same delivery is stored: a 507 is worth sending again.
        for file in files { try FileManager.default.removeItem(atPath: out + "/" + file) }
        #expect(try post() == 200)
        let (status, log) = server.stop()
        #expect(status == 0)
        #expect(log.contains("not stored"), "\(log.suffix(600))")
    }

    @Test("capture keeps answering when nobody reads its output, and stops within seconds on SIGTERM")
    func unreadOutput() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // After its first line nobody reads, and the pipe (64 KiB) fills with a line per request.
        let (process, port) = try TestSupport.startUnread([
            "capture", "--project-id", projectID, "--port", "0", "--host", "127.0.0.1", "--out", directory + "/out",
        ])
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try #require(port > 0)
        let connection = HTTPConnection(host: "127.0.0.1", port: port)
        var answered = 0
        for _ in 0..<2000 {
            let response = try? connection.send(
                HTTPRequest(
                    method: "GET", target: "/ppg/webhook?" + String(repeating: "q", count: 60), headers: [], body: []),
                timeout: 5)
            if response?.status == 405 { answered += 1 } else { break }
        }
        #expect(answered == 2000, "capture stopped answering after \(answered) requests with its output unread")
        #expect(try send(port, "POST", "/ppg/webhook") == 200)
        kill(process.processIdentifier, SIGTERM)
        let start = Date()
        while process.isRunning && Date().timeIntervalSince(start) < 10 { usleep(50_000) }
        #expect(!process.isRunning, "capture did not stop within 10 s of SIGTERM with its output unread")
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
