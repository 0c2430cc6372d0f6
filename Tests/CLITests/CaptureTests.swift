import Foundation
import PPGHTTP
import PPGSignature
import PPGWire
import TestSupport
import Testing

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
}
