// A PushPushGo webhook receiver in Swift, built on this project's PPGSignature (the verifier) and PPGHTTP (the
// server `serve` uses). Run it with:
//   swift run ppg-example-receiver --project-id YOUR_ID [--port 8080] [--public-url https://you.example/hook]
import Foundation
import PPGHTTP
import PPGSignature
import PPGWire
import Synchronization

struct Settings {
    var projectID = ""
    var port = 8080
    var host = "127.0.0.1"
    var publicURL: String?
    var profile = SignatureProfile.default

    init(_ arguments: [String]) throws {
        var index = 0
        func value() throws -> String {
            index += 1
            guard index < arguments.count else { throw UsageError(message: "\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--project-id": projectID = try value()
            case "--port": port = Int(try value()) ?? -1
            case "--host": host = try value()
            case "--public-url": publicURL = try value()
            case "--scheme":
                guard let scheme = SignatureScheme(rawValue: try value()) else {
                    throw UsageError(message: "bad --scheme")
                }
                profile.scheme = scheme
            case "--encoding":
                guard let encoding = SignatureEncoding(rawValue: try value()) else {
                    throw UsageError(message: "bad --encoding")
                }
                profile.encoding = encoding
            default: throw UsageError(message: "unknown option \(arguments[index])")
            }
            index += 1
        }
        guard !projectID.isEmpty, (0...65535).contains(port) else {
            throw UsageError(message: "usage: ppg-example-receiver --project-id ID [--port P] [--public-url URL]")
        }
    }
}

/// One line on stdout, unbuffered, so that logs interleave correctly across connection threads.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

struct UsageError: Error {
    var message: String
}

/// The webhook handler: verify first, then read the delivery.
struct WebhookHandler: Sendable {
    let settings: Settings
    let verifier: SignatureVerifier

    init(settings: Settings) {
        self.settings = settings
        self.verifier = SignatureVerifier(projectID: settings.projectID, profile: settings.profile)
    }

    /// A JSON answer; its `error`, or `accepted`, is the note for the server's log line.
    func json(
        _ status: Int, _ reason: String, _ object: [String: String], _ context: inout HTTPServer.Context
    ) -> HTTPResponse {
        context.logNote = object["error"].map { "rejected: \($0)" } ?? "accepted"
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return HTTPResponse(
            status: status, reason: reason,
            headers: [(name: "Content-Type", value: "application/json")], body: Array(body))
    }

    /// The URL PushPushGo signed: the configured URL up to its query, then the query exactly as it arrived
    /// (SPEC.md R10.2, as the library states it). The configured URL is always set (main sets a default).
    func signedURL(_ request: HTTPRequest) -> String {
        SigningInput.signedURL(publicURL: settings.publicURL, target: request.target, host: nil)
    }

    func handle(_ request: HTTPRequest, _ context: inout HTTPServer.Context) -> HTTPResponse {
        guard request.method == "POST" else {
            return json(405, "Method Not Allowed", ["error": "method-not-allowed"], &context)
        }
        switch verifier.verify(url: signedURL(request), headers: request.headers, body: request.body) {
        case .failure(let failure):
            let status = failure.kind == .unreadableBody ? 400 : 401
            return json(
                status, status == 400 ? "Bad Request" : "Unauthorized", ["error": failure.kind.rawValue], &context)
        case .success:
            break
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
            let projectID = object["projectId"] as? String
        else {
            return json(400, "Bad Request", ["error": "not-a-delivery"], &context)
        }
        guard projectID == settings.projectID else {
            return json(403, "Forbidden", ["error": "project-mismatch"], &context)
        }
        // Handle the event here (object["kind"], object["ppgId"] …), idempotently: replays are possible.
        return json(200, "OK", ["ok": "true"], &context)
    }
}

do {
    var settings = try Settings(Array(CommandLine.arguments.dropFirst()))
    // The handler is made once the port is bound: without --public-url, the URL it verifies is the address it
    // serves — never one rebuilt from what a client sends (Host, X-Forwarded-*, the request-target).
    let handler = Mutex<WebhookHandler?>(nil)
    let server = HTTPServer(
        configuration: HTTPServer.Configuration(host: settings.host, port: settings.port),
        handler: { request, context in
            guard let webhook = handler.withLock({ $0 }) else { return HTTPResponse(status: 404, reason: "Not Found") }
            return webhook.handle(request, &context)
        },
        logger: { request, context, response in
            say("\(request?.method ?? "-") \(request?.target ?? "-") \(response.status) \(context.logNote)")
        })
    let port = try server.bind()
    settings.publicURL = settings.publicURL ?? "http://\(settings.host):\(port)/ppg/webhook"
    handler.withLock { $0 = WebhookHandler(settings: settings) }
    try server.start()
    say("listening on http://\(settings.host):\(port)")
    // Returns on SIGINT or SIGTERM; connections in progress finish their current request.
    TerminationSignal.wait()
    server.stop()
    server.wait()
} catch let error as UsageError {
    FileHandle.standardError.write(Data((error.message + "\n").utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("ppg-example-receiver: \(error)\n".utf8))
    exit(2)
}
