import Foundation
import PPGConformance
import PPGExampleReceiver
import PPGHTTP
import PPGSignature
import PPGVectors
import PPGWire
import Synchronization
import Testing

/// How a Swift service adopts the suite: its receiver run against the whole corpus from its own `swift test`,
/// in-process (a closure, no socket) and over HTTP (its real server on a loopback port), with the suite's verdict
/// and diagnosis as the failure message.
@Suite("The example receiver passes the conformance suite")
struct WebhookReceiverConformanceTests {
    static let projectID = "5f2a8b3c9d1e4f6a7b8c9d0e"
    static let publicURL = RawURL(scheme: "https", host: "hooks.example.com", path: "/ppg/webhook")

    /// The corpus the package ships: `PPG_VECTORS` if set, else the checkout's `vectors/` (a dependency's too).
    static func corpus() throws -> Corpus {
        let location = try #require(
            VectorLocator.locate(explicit: nil, environment: ProcessInfo.processInfo.environment, executablePath: nil))
        return try VectorLoader.load(directory: location.directory)
    }

    /// The suite's verdict, first failures and diagnosis, as a test failure shows them.
    static func report(_ result: RunResult) -> Comment {
        Comment(rawValue: ConsoleReport(colour: false).briefLines(result).joined(separator: "\n"))
    }

    /// The corpus against a handler in-process, under `--strict` (bad signatures must get 401 or 403).
    static func runInProcess(_ handler: @escaping HandlerTarget.Handler) throws -> RunResult {
        let configuration = ReceiverConfiguration(projectID: projectID, targetURL: publicURL, profile: .default)
        let run = ConformanceRun(
            corpus: try corpus(), target: HandlerTarget(configuration: configuration, handler: handler),
            options: RunOptions(strict: true, configuration: configuration, jobs: 2))
        return try run.run()
    }

    @Test("in-process: every receiver vector through WebhookReceiver.respond(to:), strictly")
    func inProcess() throws {
        let receiver = WebhookReceiver(projectID: Self.projectID, publicURL: Self.publicURL.description)
        let result = try Self.runInProcess { receiver.respond(to: $0) }
        #expect(result.summary.tested > 0)
        #expect(RunVerdict(result) == .conformant, Self.report(result))
    }

    @Test("over HTTP: the receiver behind PPGHTTP's server on a loopback port, strictly, with the framing vectors")
    func overHTTP() throws {
        let receiver = WebhookReceiver(projectID: Self.projectID, publicURL: "http://127.0.0.1:0/ppg/webhook")
        // The URL the receiver verifies is the one it serves: known once the port is bound.
        let configured = Mutex<WebhookReceiver>(receiver)
        let server = HTTPServer(
            configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0),
            handler: { request, _ in configured.withLock { $0 }.respond(to: request) })
        let port = try server.bind()
        let url = RawURL(scheme: "http", host: "127.0.0.1", port: String(port), path: "/ppg/webhook")
        configured.withLock { $0 = WebhookReceiver(projectID: Self.projectID, publicURL: url.description) }
        try server.start()
        defer {
            server.stop()
            server.wait()
        }
        let configuration = ReceiverConfiguration(projectID: Self.projectID, targetURL: url, profile: .default)
        let run = ConformanceRun(
            corpus: try Self.corpus(), target: HTTPTarget(url: url),
            options: RunOptions(strict: true, configuration: configuration, jobs: 4, stopAfterUnanswered: 8))
        let result = try run.run()
        #expect(result.summary.tested > 0)
        #expect(RunVerdict(result) == .conformant, Self.report(result))
    }

    @Test("a receiver whose verification is commented out fails, and the message names the cause and the fix")
    func brokenVerificationIsDiagnosed() throws {
        // What a failing adoption looks like: the route takes POST and reads the body, but `verify` is skipped.
        let result = try Self.runInProcess { request in
            guard request.method == "POST" else { return HTTPResponse(status: 405, reason: "Method Not Allowed") }
            guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                object["projectId"] as? String == Self.projectID
            else { return HTTPResponse(status: 400, reason: "Bad Request") }
            return HTTPResponse(status: 200, reason: "OK")
        }
        let message = ConsoleReport(colour: false).briefLines(result).joined(separator: "\n")
        #expect(RunVerdict(result) == .notConformant)
        #expect(message.contains("not conformant"), "\(message)")
        #expect(message.contains("consistent with 'accept-all'"), "\(message)")
        #expect(message.hasSuffix(result.summary.closingLine))
    }

    @Test("a naive Swift receiver that rebuilds its URL from Host is told so: the URL family, not the key")
    func urlFromHostIsDiagnosed() throws {
        // The naive Swift receiver: behind a TLS terminator, its URL is "https://" + the Host it was sent.
        let verifier = SignatureVerifier(projectID: Self.projectID, profile: .default)
        let result = try Self.runInProcess { request in
            guard request.method == "POST" else { return HTTPResponse(status: 405, reason: "Method Not Allowed") }
            let url = "https://" + (request.headers.first("Host") ?? "") + request.target
            switch verifier.verify(url: url, headers: request.headers, body: request.body) {
            case .success: return HTTPResponse(status: 200, reason: "OK")
            case .failure: return HTTPResponse(status: 401, reason: "Unauthorized")
            }
        }
        let diagnosis = try #require(result.diagnosis, Self.report(result))
        let first = try #require(diagnosis.causes.first)
        let named = [first.mutant] + first.indistinguishable
        #expect(named.contains(.rebuildsHTTPSURL), "\(named)")
        #expect(first.explained.contains { $0.hasPrefix("inputs/") }, "\(first.explained)")
        #expect(diagnosis.settings.isEmpty, "no setting explains a forged Host accepted: \(diagnosis.settings)")
    }
}
