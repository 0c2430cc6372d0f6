import Foundation
import PPGConformance
import PPGHTTP
import PPGWire

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `capture`: a receiver to point a real PushPushGo webhook at; it stores and examines every delivery.
enum CaptureCommand: CLICommand {
    static let name = "capture"
    static let summary =
        "Receive real PushPushGo deliveries, store them raw and as captured vectors, detect their reading."
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let projectID = OptionSpec.value("project-id", "ID", "The projectId the webhook is configured for.")
            .required()
        static let port = OptionSpec.integer(
            "port", "P", "The port; 0 picks a free one.", range: 0...65535, default: 8080)
        static let host = OptionSpec.value(
            "host", "H", "The address to listen on (default 0.0.0.0, so PushPushGo can reach it).")
        static let publicURL = OptionSpec.value(
            "public-url", "URL", "The webhook URL as configured in PushPushGo (default: http:// + Host + target).")
        static let out = OptionSpec.value("out", "DIR", "Where captures are written (default ./captures).")
        static let redact = OptionSpec.flag(
            "redact", "Replace the projectId with a placeholder and re-sign, so captures can be shared.")
        static let maxFiles = OptionSpec.integer(
            "max-files", "N", "The most deliveries stored (a .http each, and a .json); later get 507.",
            range: 1...1_000_000, default: 1000)
        static let maxBytes = OptionSpec.integer(
            "max-bytes", "N", "The most bytes written; a delivery past it gets 507.", range: 1...(1 << 40),
            default: 100 << 20)
    }

    static let options: [OptionSpec] = [
        Options.projectID, Options.port, Options.host, Options.publicURL, Options.out, Options.redact, Options.maxFiles,
        Options.maxBytes,
    ]
    static let details = """
        Answers 200 to every POST to the webhook's path (the --public-url path; any path without it). Writes
        capture-N.http (the raw request) and, when one of SPEC.md's readings reproduces the signature, capture-N.json
        (a 'captured' signature vector file); never replaces a file. Other methods get 405 and other paths 404,
        unstored; past --max-files or --max-bytes, 507, unstored. Stops on SIGINT/SIGTERM.
        """

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let projectID = try arguments.required(Options.projectID)
        let port = try arguments.integer(Options.port)
        let host = arguments.value(Options.host) ?? "0.0.0.0"
        let directory = arguments.value(Options.out) ?? "captures"
        let publicURL = try arguments.url(Options.publicURL)
        let path = publicURL.map { String($0.requestTarget.prefix { $0 != "?" }) }
        let store: CaptureStore
        do {
            store = try CaptureStore(
                directory: directory, projectID: projectID, publicURL: publicURL, redact: arguments.has(Options.redact),
                maximumFiles: try arguments.integer(Options.maxFiles),
                maximumBytes: try arguments.integer(Options.maxBytes))
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.input("capture: cannot create '\(directory)': \(error.localizedDescription)")
        }
        // The handler threads never write to standard output themselves: a pipe nobody reads would block them, and
        // with them every answer and the stop. Lines queue on the bounded writer `serve` uses and are dropped past it.
        let log = LineWriter { Console.out($0) }
        let handler: HTTPServer.Handler = { request, context in
            let peer = context.peer
            func answer(
                _ status: Int, _ reason: String, _ note: String, _ context: inout HTTPServer.Context
            )
                -> HTTPResponse
            {
                // What a peer sent is printed escaped, the projectId too where it is redacted.
                let target =
                    arguments.has(Options.redact)
                    ? request.target.replacingOccurrences(of: projectID, with: CaptureStore.redactedProjectID)
                    : request.target
                log.write(
                    "not stored: \(OutsideText.escape(request.method, for: .ascii(limit: 16))) "
                        + "\(OutsideText.escape(target, for: .ascii(limit: 120))) from \(peer): \(note)")
                context.logNote = note
                return HTTPResponse.text(status, reason, note)
            }
            guard request.method == "POST" else {
                return answer(405, "Method Not Allowed", "deliveries are POST requests", &context)
            }
            if let path, request.path != path {
                return answer(404, "Not Found", "not the webhook's path (\(path))", &context)
            }
            let stored = store.store(request, head: context.head)
            if let refused = stored.refused { return answer(507, "Insufficient Storage", refused, &context) }
            var lines = [
                "capture \(stored.number): \(request.method) "
                    + "\(OutsideText.escape(stored.request.target, for: .ascii(limit: 120))) "
                    + "from \(peer) → \(stored.rawPath)" + (stored.vectorPath.map { " and \($0)" } ?? "")
            ]
            if let detection = stored.detection {
                lines += DetectionReport.lines(detection, request: request).dropFirst().map { "  " + $0 }
            }
            if let problem = stored.problem { lines.append("  \(problem)") }
            log.write(lines.joined(separator: "\n"))
            return HTTPResponse(
                status: 200, reason: "OK", headers: [(name: "Content-Type", value: "application/json")],
                body: Array(#"{"ok":true}"#.utf8))
        }
        let server = HTTPServer(
            configuration: HTTPServer.Configuration(host: host, port: port, handlerThreads: 4), handler: handler)
        let bound: Int
        do {
            bound = try server.start()
        } catch {
            throw CLIError(kind: .unreachable, message: "capture: \(error.message)")
        }
        log.write(
            "capturing on http://\(host):\(bound) into \(directory)\(arguments.has(Options.redact) ? " (redacted)" : ""), "
                + "POST to \(path ?? "any path"), at most \(try arguments.integer(Options.maxFiles)) deliveries and "
                + "\(try arguments.integer(Options.maxBytes)) bytes")
        // Returns on SIGINT or SIGTERM; connections in progress finish their current request.
        TerminationSignal.wait()
        server.stop()
        server.wait()
        log.write("stopped")
        // Standard output nobody reads must not keep a stopped capture alive: leave without flushing it.
        if !log.finish() { _exit(ExitCode.success) }
        return ExitCode.success
    }
}
