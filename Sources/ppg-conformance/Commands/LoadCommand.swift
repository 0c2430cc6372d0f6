import Foundation
import PPGConformance
import PPGHTTP
import PPGSignature
import PPGVectors
import PPGWire

/// `load`: signed deliveries at volume against a receiver, every verdict checked, latency percentiles.
enum LoadCommand: CLICommand {
    static let name = "load"
    static let summary = "Send signed deliveries at volume; check every verdict; report throughput and latency."
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let target = OptionSpec.value("target", "URL", "The receiver, http:// or https://.").required()
        static let projectID = OptionSpec.value("project-id", "ID", "The projectId the receiver is configured with.")
            .required()
        static let publicURL = OptionSpec.value(
            "public-url", "URL", "The webhook URL as configured in PushPushGo (default: the target URL).")
        static let connections = OptionSpec.integer(
            "connections", "C", "Kept-alive connections, multiplexed on one event loop per core.", range: 1...1024,
            default: 32)
        static let duration = OptionSpec.number("duration", "S", "Seconds to run.", range: 0.1...86_400, default: 10)
        static let requests = OptionSpec.integer(
            "requests", "N", "Stop after N requests instead.", range: 1...1_000_000_000)
        static let rate = OptionSpec.number(
            "rate", "R", "Requests per second in all (default: as fast as the receiver answers).",
            range: 0.1...10_000_000)
        static let pipeline = OptionSpec.integer(
            "pipeline", "N",
            "Requests in flight per connection (HTTP/1.1 pipelining, for receivers that support it; default 1: "
                + "each waits for its answer).", range: 1...128, default: 1)
        static let invalidRatio = OptionSpec.number(
            "invalid-ratio", "F", "Share of deliveries sent wrongly signed.", range: 0...1, default: 0)
        static let scheme = OptionSpec.value("scheme", "S", "url-params (default) or json-body.")
        static let encoding = OptionSpec.value("encoding", "E", "hex (default) or base64.")
        static let timeout = OptionSpec.number(
            "timeout", "S", "Seconds each exchange may take.", range: 0.05...600, default: 5)
        static let json = OptionSpec.value("json", "FILE", "Write the figures as JSON.")
        static let insecure = OptionSpec.flag(
            "insecure", "Do not verify the certificate of an https target (said once on stderr).")
        static let cacert = OptionSpec.value(
            "cacert", "FILE", "Trust this PEM CA or certificate for an https target instead of the system's store.")
    }

    static let options: [OptionSpec] = [
        Options.target, Options.projectID, Options.publicURL, Options.connections, Options.duration, Options.requests,
        Options.rate, Options.pipeline, Options.invalidRatio, Options.scheme, Options.encoding, Options.timeout,
        Options.json, Options.insecure, Options.cacert,
    ]
    static let details =
        "Exit codes: 0 every verdict right and no errors; 1 a wrong verdict or an error; "
        + "2 bad arguments or an unreachable target. The last line contains 'X requests/s'."

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        _ = try arguments.required(Options.target)
        guard let target = try arguments.url(Options.target, schemes: ["http", "https"]) else {
            return ExitCode.couldNotRun
        }
        let caFile = try TLSArguments.caFile(arguments, url: target, insecure: Options.insecure, cacert: Options.cacert)
        let https = target.isHTTPS
        let projectID = try arguments.required(Options.projectID)
        let publicURL = try arguments.url(Options.publicURL) ?? target
        if arguments.value(Options.duration) != nil && arguments.value(Options.requests) != nil {
            throw CLIError.usage("load: give either '--duration' or '--requests', not both")
        }
        let profile = SignatureProfile(
            scheme: try arguments.choice(Options.scheme, default: .urlParameters),
            encoding: try arguments.choice(Options.encoding, default: .hex))
        let options = LoadOptions(
            configuration: ReceiverConfiguration(
                projectID: projectID, targetURL: target, publicURL: publicURL,
                profile: profile),
            connections: try arguments.integer(Options.connections),
            duration: try arguments.number(Options.duration),
            requests: try arguments.optionalInteger(Options.requests),
            rate: try arguments.optionalNumber(Options.rate),
            invalidRatio: try arguments.number(Options.invalidRatio),
            timeout: try arguments.number(Options.timeout),
            tls: https ? TLSOptions(verify: !arguments.has(Options.insecure), caFile: caFile) : nil,
            pipeline: try arguments.integer(Options.pipeline))
        let jsonFile = try arguments.outputFile(Options.json)
        do {
            try HTTPTarget(
                url: target, timeout: options.timeout, insecure: arguments.has(Options.insecure), caFile: caFile
            )
            .checkReachable()
        } catch {
            throw CLIError(kind: .unreachable, message: "load: \(error.message)")
        }
        let limit =
            options.requests.map { counted($0, "request") } ?? "\(formatDecimal(options.duration, decimals: 1)) s"
        Console.out(
            "load: \(target) with \(counted(options.connections, "connection")) for \(limit), projectId \(projectID), "
                + "profile \(profile)"
                + (options.rate.map { ", \(formatDecimal($0, decimals: $0 >= 100 ? 0 : 2)) requests/s" } ?? "")
                + (options.invalidRatio > 0
                    ? ", \(formatDecimal(options.invalidRatio * 100, decimals: 1)) % wrongly signed" : "")
                + ", " + (options.pipeline > 1 ? "pipelining \(options.pipeline) per connection" : "no pipelining"))
        if options.rate != nil {
            Console.out(
                "  latency is measured from each request's intended send time (coordinated omission corrected, "
                    + "as wrk2 does): a receiver that falls behind the rate is charged for the wait")
        }
        // SIGINT or SIGTERM ends the load early with its summary and reports, as a finished one would.
        TerminationSignal.install()
        let result = LoadGenerator.run(options, shouldStop: { TerminationSignal.received != 0 }) {
            seconds, requests, errors, wrong in
            let rate = seconds > 0 ? Double(requests) / seconds : 0
            Console.out(
                "  \(formatDecimal(seconds, decimals: 0)) s: \(counted(requests, "request")) (\(formatDecimal(rate, decimals: 0))/s), "
                    + "\(counted(wrong, "wrong verdict")), \(counted(errors, "error"))")
        }
        if TerminationSignal.received != 0 {
            Console.out(
                "interrupted (\(TerminationSignal.received == SIGINT ? "SIGINT" : "SIGTERM")) after "
                    + "\(formatDecimal(result.seconds, decimals: 2)) s: the figures below cover what was sent")
        }
        let latency = result.latency
        func ms(_ microseconds: UInt64) -> String { formatDecimal(Double(microseconds) / 1000, decimals: 3) + " ms" }
        let statuses = result.statuses.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(
            separator: ", ")
        Console.out(
            "requests:       \(result.requests) (validly signed \(result.validSent), wrongly signed \(result.invalidSent))"
        )
        Console.out("duration:       \(formatDecimal(result.seconds, decimals: 2)) s")
        Console.out(
            "latency:        " + latency.reported().map { "\($0.name) \(ms($0.microseconds))  " }.joined()
                + "max \(ms(latency.maximum))  "
                + "(to the µs below 1 ms, within 0.2 % above)"
        )
        Console.out("statuses:       \(statuses.isEmpty ? "none" : statuses)")
        Console.out(
            "generator:      \(formatDecimal(result.cpuMicrosecondsPerRequest, decimals: 1)) µs CPU per request "
                + "(user + system, during the run); \(counted(result.distinctDeliveries, "distinct delivery", "distinct deliveries")) "
                + "signed in \(formatDecimal(result.signingSeconds, decimals: 2)) s before the clock started")
        Console.out("wrong verdicts: \(result.wrongVerdicts)")
        Console.out("errors:         \(result.errors)" + (result.firstError.map { " (first: \($0))" } ?? ""))
        if let jsonFile {
            let document = JSONOutput.object([
                ("target", .string(target.description)), ("connections", .integer(options.connections)),
                ("requests", .integer(result.requests)), ("seconds", .decimal(result.seconds)),
                ("requestsPerSecond", .decimal(result.rate, decimals: 1)),
                ("validSent", .integer(result.validSent)), ("invalidSent", .integer(result.invalidSent)),
                (
                    "latencyMicroseconds",
                    .object(
                        latency.reported().map { ($0.name, JSONOutput.integer(Int($0.microseconds))) } + [
                            ("max", .integer(Int(latency.maximum))), ("mean", .decimal(latency.mean, decimals: 1)),
                        ])
                ),
                (
                    "statuses",
                    .object(result.statuses.sorted { $0.key < $1.key }.map { (String($0.key), .integer($0.value)) })
                ),
                ("wrongVerdicts", .integer(result.wrongVerdicts)), ("errors", .integer(result.errors)),
                ("pipeline", .integer(options.pipeline)),
                ("cpuMicrosecondsPerRequest", .decimal(result.cpuMicrosecondsPerRequest, decimals: 1)),
                ("distinctDeliveries", .integer(result.distinctDeliveries)),
                ("signingSeconds", .decimal(result.signingSeconds, decimals: 3)),
            ])
            try arguments.write(document.rendered(pretty: true) + "\n", to: jsonFile)
        }
        Console.out("\(formatDecimal(result.rate, decimals: 1)) requests/s")
        return result.wrongVerdicts == 0 && result.errors == 0 ? ExitCode.success : ExitCode.nonconformant
    }
}
