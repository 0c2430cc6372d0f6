import PPGConformance
import PPGHTTP
import PPGSignature
import PPGWire
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `serve`: the reference receiver (or a mutant) as a real HTTP/1.1 server.
enum ServeCommand: CLICommand {
    static let name = "serve"
    static let summary = "Serve the reference receiver (or a mutant receiver) over HTTP/1.1."
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let projectID = OptionSpec.value(
            "project-id", "ID", "The projectId the receiver is configured with (the key)."
        ).required()
        static let port = OptionSpec.integer(
            "port", "P", "The port; 0 picks a free one.", range: 0...65535, default: 8080)
        static let host = OptionSpec.value("host", "H", "The address to listen on (default 127.0.0.1).")
        static let publicURL = OptionSpec.value(
            "public-url", "URL",
            "The webhook URL as configured in PushPushGo (default: http://HOST:PORT/ppg/webhook, the address served).")
        static let scheme = OptionSpec.value("scheme", "S", "url-params (default) or json-body.")
        static let encoding = OptionSpec.value("encoding", "E", "hex (default) or base64.")
        static let mutant = OptionSpec.value(
            "mutant", "NAME", "Serve a receiver with this bug (see 'ppg-conformance mutants --list').")
        static let idleTimeout = OptionSpec.number(
            "idle-timeout", "S", "Seconds a kept-alive connection may idle.", range: 0.05...3600, default: 5)
        static let requestTimeout = OptionSpec.number(
            "request-timeout", "S", "Seconds a request may take to arrive.", range: 0.05...3600, default: 10)
    }

    static let options: [OptionSpec] = [
        Options.projectID, Options.port, Options.host, Options.publicURL, Options.scheme, Options.encoding,
        Options.mutant, Options.idleTimeout, Options.requestTimeout,
    ]
    static let details = """
        Answers 200 for a valid delivery, 401 for a missing or bad signature, 400 for a malformed body, 403 for another
        project's body, 405 for another method, 413 past 1 MiB, 431 for oversized headers, 408 for slow clients.
        One log line per request. Stops cleanly on SIGINT and SIGTERM.
        """

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let projectID = try arguments.required(Options.projectID)
        let port = try arguments.integer(Options.port)
        let host = arguments.value(Options.host) ?? "127.0.0.1"
        let scheme: SignatureScheme = try arguments.choice(Options.scheme, default: .urlParameters)
        let encoding: SignatureEncoding = try arguments.choice(Options.encoding, default: .hex)
        let mutant = try arguments.optionalChoice(Options.mutant, as: Mutant.self)
        let givenURL = try arguments.url(Options.publicURL)
        let profile = SignatureProfile(scheme: scheme, encoding: encoding)
        // The receiver is made once the port is bound: by default its configured URL is the address it serves, so
        // it never takes its URL from what a client sends (Host, forwarding headers, the request-target).
        let slot = Mutex<(any Receiver)?>(nil)
        let configuration = HTTPServer.Configuration(
            host: host, port: port,
            idleTimeout: try arguments.number(Options.idleTimeout),
            requestTimeout: try arguments.number(Options.requestTimeout))
        let log = LineWriter { Console.out($0) }
        let handler: HTTPServer.Handler = { request, context in
            guard let receiver = slot.withLock({ $0 }) else {
                context.logNote = "not ready"
                return HTTPResponse(status: 404, reason: "Not Found")
            }
            return receiver.httpHandler(request, &context)
        }
        let server = HTTPServer(configuration: configuration, handler: handler) { request, context, response in
            let line = [
                timestamp(), context.peer.isEmpty ? "-" : context.peer,
                request.map { OutsideText.escape("\($0.method) \($0.target.prefix(200))", for: .line) } ?? "-",
                String(response.status), OutsideText.escape(context.logNote, for: .line),
            ].joined(separator: " ")
            log.write(line)
        }
        let bound: Int
        do {
            bound = try server.bind()
        } catch {
            throw CLIError(kind: .unreachable, message: "serve: \(error.message)")
        }
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        // A wildcard address is reached as loopback here; from elsewhere, say the URL with --public-url.
        let reachable = host == "0.0.0.0" ? "127.0.0.1" : host == "::" || host == "[::]" ? "[::1]" : shown
        let publicURL =
            givenURL ?? RawURL(scheme: "http", host: reachable, port: String(bound), path: "/ppg/webhook")
        let reference = ReferenceReceiver(projectID: projectID, publicURL: publicURL, profile: profile)
        slot.withLock { $0 = mutant.map { MutantReceiver(mutant: $0, reference: reference) } ?? reference }
        do {
            try server.start()
        } catch {
            throw CLIError(kind: .unreachable, message: "serve: \(error.message)")
        }
        log.write(
            "serving on http://\(shown):\(bound) (projectId \(projectID), profile \(profile), "
                + "receiver \(mutant.map { "mutant \($0.rawValue)" } ?? "reference"), signed URL \(publicURL))")
        // Returns on SIGINT or SIGTERM; connections in progress finish their current request.
        TerminationSignal.wait()
        server.stop()
        server.wait()
        log.write("stopped")
        // Standard output nobody reads must not keep a stopped server alive: leave without flushing it.
        if !log.finish() { _exit(ExitCode.success) }
        return ExitCode.success
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, formatted without a Foundation formatter: this runs once per request.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
