// The example receiver (PPGExampleReceiver's WebhookReceiver) served by this project's PPGHTTP (the server `serve`
// uses). Run it with:
//   swift run ppg-example-receiver --project-id YOUR_ID [--port 8080] [--public-url https://you.example/hook]
import Foundation
import PPGExampleReceiver
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

do {
    let settings = try Settings(Array(CommandLine.arguments.dropFirst()))
    // The handler is made once the port is bound: without --public-url, the URL it verifies is the address it
    // serves — never one rebuilt from what a client sends (Host, X-Forwarded-*, the request-target).
    let handler = Mutex<WebhookReceiver?>(nil)
    let server = HTTPServer(
        configuration: HTTPServer.Configuration(host: settings.host, port: settings.port),
        handler: { request, context in
            guard let receiver = handler.withLock({ $0 }) else {
                return HTTPResponse(status: 404, reason: "Not Found")
            }
            let answer = receiver.answer(request)
            context.logNote = answer.note
            return answer.response
        },
        logger: { request, context, response in
            say("\(request?.method ?? "-") \(request?.target ?? "-") \(response.status) \(context.logNote)")
        })
    let port = try server.bind()
    let publicURL = settings.publicURL ?? "http://\(settings.host):\(port)/ppg/webhook"
    handler.withLock {
        $0 = WebhookReceiver(projectID: settings.projectID, publicURL: publicURL, profile: settings.profile)
    }
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
