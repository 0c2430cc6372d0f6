import PPGConformance
import PPGHTTP
import PPGWire

/// `detect`: which reading of the rule reproduces a captured delivery's signature.
enum DetectCommand: CLICommand {
    static let name = "detect"
    static let summary = "Find which reading of the rule reproduces a captured delivery's signature."
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let request = OptionSpec.value(
            "request", "FILE", "One raw HTTP request as captured (request line, headers, body); '-' for stdin."
        ).required()
        static let projectID = OptionSpec.value("project-id", "ID", "The projectId the webhook is configured for.")
            .required()
        static let publicURL = OptionSpec.value(
            "public-url", "URL", "The webhook URL as configured in PushPushGo (default: http:// + Host + target).")
        static let json = OptionSpec.flag("json", "Print one JSON document.")
    }

    static let options: [OptionSpec] = [
        Options.request, Options.projectID, Options.publicURL, Options.json,
    ]
    static let details =
        "Exit codes: 0 a reading matches; 1 none does (the closest candidates are printed); "
        + "2 bad input."

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = try arguments.required(Options.request)
        let projectID = try arguments.required(Options.projectID)
        let publicURL = try arguments.url(Options.publicURL)
        let raw = try FileInput.read(path, option: "--request", command: name)
        let request: HTTPRequest
        do {
            request = try HTTPRequest.parse(raw: raw)
        } catch {
            throw CLIError.input("detect: '\(path)' is not an HTTP request: \(error.message)")
        }
        let detection: Detection
        do {
            detection = try ReadingDetector.detect(request, projectID: projectID, publicURL: publicURL)
        } catch {
            throw CLIError.input("detect: \(error.message)")
        }
        if arguments.has(Options.json) {
            Console.out(DetectionReport.json(detection).rendered(pretty: true))
        } else {
            for line in DetectionReport.lines(detection, request: request) { Console.out(line) }
        }
        return detection.matches.isEmpty ? ExitCode.nonconformant : ExitCode.success
    }
}
