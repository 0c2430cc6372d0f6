import Foundation
import PPGConformance
import PPGSignature
import PPGWire

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
