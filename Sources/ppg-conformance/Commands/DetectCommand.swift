import Foundation
import PPGConformance
import PPGHTTP
import PPGSignature
import PPGVectors
import PPGWire

/// `detect`: which reading of the rule reproduces a captured delivery's signature.
enum DetectCommand: CLICommand {
    static let name = "detect"
    static let summary = "Find which reading of the rule reproduces a captured delivery's signature."
    static let usage = "ppg-conformance detect --request FILE --project-id ID [--public-url URL] [--json]"
    static let options: [OptionSpec] = [
        .value("request", "FILE", "One raw HTTP request as captured (request line, headers, body); '-' for stdin."),
        .value("project-id", "ID", "The projectId the webhook is configured for."),
        .value("public-url", "URL", "The webhook URL as configured in PushPushGo (default: http:// + Host + target)."),
        .flag("json", "Print one JSON document."),
    ]
    static let details =
        "Exit codes: 0 a reading matches; 1 none does (the closest candidates are printed); "
        + "2 bad input."

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = try arguments.required("request")
        let projectID = try arguments.required("project-id")
        let publicURL = try arguments.url("public-url")
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
        if arguments.has("json") {
            Console.out(DetectionReport.json(detection).rendered(pretty: true))
        } else {
            for line in DetectionReport.lines(detection, request: request) { Console.out(line) }
        }
        return detection.matches.isEmpty ? ExitCode.nonconformant : ExitCode.success
    }
}

/// How detections are printed, shared by `detect` and `capture`.
enum DetectionReport {
    static func lines(_ detection: Detection, request: HTTPRequest) -> [String] {
        var lines = [
            "delivery: \(request.method) \(request.target.prefix(120)), \(request.body.count)-byte body, "
                + "\(signatureHeaderName): \(detection.presented)",
            "configured URL: \(detection.configuredURL)",
        ]
        if detection.matches.isEmpty {
            lines.append("no known reading matches. Closest candidates (SPEC.md's readings), to compare by eye:")
            for candidate in detection.closest {
                lines.append("  \(candidate.reading): \(candidate.signature ?? "(body unreadable)")")
                if let input = candidate.signingInput {
                    lines.append("    signing input: \(preview(input))")
                }
            }
            return lines
        }
        lines.append("readings that reproduce the signature, best first:")
        for (index, candidate) in detection.matches.enumerated() {
            let mark = candidate.reading.isSpec ? "  (SPEC.md's reading)" : ""
            lines.append("  \(index + 1). \(candidate.reading)\(mark)")
        }
        return lines
    }

    static func preview(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(300), as: UTF8.self)
        return "\"" + text.replacingOccurrences(of: "\n", with: "\\n") + "\"" + (bytes.count > 300 ? "…" : "")
    }

    static func json(_ detection: Detection) -> JSONOutput {
        func candidate(_ candidate: ReadingCandidate) -> JSONOutput {
            var members: [(String, JSONOutput)] = [
                ("reading", .string(candidate.reading.description)),
                ("scheme", .string(candidate.reading.scheme.rawValue)),
                ("encoding", .string(candidate.reading.encoding.rawValue)),
                ("specReading", .bool(candidate.reading.isSpec)),
                ("deviations", .array(candidate.reading.deviations.map { .string($0) })),
            ]
            if let input = candidate.signingInput {
                if let text = String(validating: input, as: UTF8.self) {
                    members.append(("signingInput", .string(text)))
                } else {
                    members.append(("signingInputBase64", .string(Data(input).base64EncodedString())))
                }
            }
            if let signature = candidate.signature { members.append(("signature", .string(signature))) }
            return .object(members)
        }
        return .object([
            ("presented", .string(detection.presented)),
            ("configuredURL", .string(detection.configuredURL)),
            ("matches", .array(detection.matches.map(candidate))),
            ("closest", .array(detection.closest.map(candidate))),
        ])
    }
}
