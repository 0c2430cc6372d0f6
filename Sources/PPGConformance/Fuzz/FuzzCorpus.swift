import PPGSignature
import PPGVectors
import PPGWire

/// A fuzz run's disagreements as a corpus that `run --vectors DIR` loads and `vectors lint DIR` passes: a manifest
/// and one receiver vector file, in canonical form, with nothing in them that differs between two runs of the same
/// seed against the same receiver (no time, no port).
package enum FuzzCorpus {
    /// The files, by path relative to the corpus directory, with their text.
    /// - Parameters:
    ///   - result: The fuzz run.
    ///   - profile: The profile it ran under (each vector is limited to it).
    ///   - manifest: The manifest of the corpus the run judged under, for the flags' notes.
    /// - Returns: `manifest.json` and `receiver/fuzz.json`.
    public static func files(
        _ result: FuzzResult, profile: SignatureProfile, manifest: Manifest
    ) throws -> [(path: String, text: String)] {
        var vectors: [JSONOutput] = []
        var flags = Set<String>()
        for (index, disagreement) in result.disagreements.enumerated() {
            var vector = disagreement.vector
            vector.id = "fuzz/seed-\(result.seed)-\(index + 1)"
            vector.comment = comment(disagreement, seed: result.seed)
            vector.schemes = [profile.scheme]
            vector.encodings = [profile.encoding]
            flags.formUnion(vector.flags)
            vectors.append(json(vector))
        }
        let file = JSONOutput.object([
            ("format", .integer(1)), ("kind", .string("receiver")), ("category", .string("fuzz")),
            (
                "description",
                .string(
                    "Deliveries found by ppg-conformance fuzz --seed \(result.seed) under \(profile), each shrunk "
                        + "to a minimal one the receiver answered otherwise than expected.")
            ),
            ("vectors", .array(vectors)),
        ])
        let notes = flags.sorted().compactMap { flag in manifest.notes[flag].map { (flag, JSONOutput.string($0)) } }
        let manifestFile = JSONOutput.object([
            ("format", .integer(1)), ("version", .string("1.0.0")),
            (
                "description",
                .string(
                    "Vectors found by ppg-conformance fuzz --seed \(result.seed) (\(result.runs) cases, \(profile)). "
                        + "To keep one, move it into vectors/v1 as CONTRIBUTING.md says.")
            ),
            ("notes", .object(notes)),
            ("files", .array([.string("receiver/fuzz.json")])),
        ])
        return [
            ("manifest.json", manifestFile.rendered(pretty: true) + "\n"),
            ("receiver/fuzz.json", file.rendered(pretty: true) + "\n"),
        ]
    }

    /// A receiver vector as the corpus writes it, members in the corpus's order (what a fuzz case can hold).
    static func json(_ vector: ReceiverVector) -> JSONOutput {
        var members: [(String, JSONOutput)] = [
            ("id", .string(vector.id)), ("comment", .string(vector.comment)),
            ("flags", .array(vector.flags.map { .string($0) })), ("provenance", .string(vector.provenance.rawValue)),
            ("level", .string(vector.level.rawValue)),
        ]
        if let schemes = vector.schemes { members.append(("schemes", .array(schemes.map { .string($0.rawValue) }))) }
        if let encodings = vector.encodings {
            members.append(("encodings", .array(encodings.map { .string($0.rawValue) })))
        }
        let request = vector.request
        var requestMembers: [(String, JSONOutput)] = []
        if let method = request.method { requestMembers.append(("method", .string(method))) }
        if let query = request.query { requestMembers.append(("query", .string(query))) }
        if let headers = request.headers {
            requestMembers.append(("headers", .array(headers.map { .array($0.map { .string($0) }) })))
        }
        if let text = request.body?.text { requestMembers.append(("body", .object([("text", .string(text))]))) }
        if request.chunked == true { requestMembers.append(("chunked", .bool(true))) }
        if let path = request.target?.path { requestMembers.append(("target", .object([("path", .string(path))]))) }
        if let absolute = request.target?.absolute {
            requestMembers.append(("target", .object([("absolute", .string(absolute))])))
        }
        members.append(("request", .object(requestMembers)))
        if let signature = vector.signature {
            var directive: [(String, JSONOutput)] = [("kind", .string(signature.kind.rawValue))]
            if let value = signature.value { directive.append(("value", .string(value))) }
            if let count = signature.count { directive.append(("count", .number(String(count)))) }
            if let order = signature.order { directive.append(("order", .string(order))) }
            if let url = signature.url {
                let parts: [(String, String?)] = [
                    ("scheme", url.scheme), ("host", url.host), ("port", url.port), ("path", url.path),
                    ("query", url.query),
                ]
                directive.append(
                    ("url", .object(parts.compactMap { name, value in value.map { (name, .string($0)) } })))
            }
            if let header = signature.header { directive.append(("header", .string(header))) }
            members.append(("signature", .object(directive)))
        }
        members.append(("expect", .string(vector.expect.rawValue)))
        if let allowed = vector.alsoAllowed {
            members.append(("alsoAllowed", .array(allowed.map { .number(String($0)) })))
        }
        return .object(members)
    }

    /// The allowed answers in words: `accept (2xx)`, `either`, with the statuses also allowed.
    package static func allowed(_ disagreement: FuzzDisagreement) -> String {
        let verdict =
            switch disagreement.vector.expect {
            case .accept: "accept (2xx)"
            case .reject: "reject (4xx)"
            case .either: "accept or reject (2xx or 4xx)"
            }
        let also = disagreement.vector.alsoAllowed ?? []
        let level = disagreement.vector.level == .recommended ? ", recommended" : ""
        return verdict + (also.isEmpty ? "" : ", or " + also.map(String.init).joined(separator: " or ")) + level
    }

    /// What a person reading the vector needs: where it came from, what went wrong, the likely cause.
    static func comment(_ disagreement: FuzzDisagreement, seed: UInt64) -> String {
        var text =
            "Found by ppg-conformance fuzz --seed \(seed) (case \(disagreement.firstRun)), shrunk: SPEC.md allows "
            + Self.allowed(disagreement)
            + "; the receiver answered \(disagreement.status.map(String.init) ?? "nothing")"
            + " (\(disagreement.reason))."
        if let cause = disagreement.causes.first {
            text += " Likely cause: '\(cause.rawValue)', \(cause.summary)"
            if disagreement.causes.count > 1 {
                text +=
                    " (or " + disagreement.causes.dropFirst().map { "'\($0.rawValue)'" }.joined(separator: ", ")
                    + ")"
            }
            text += "."
        } else {
            text += " No known bug answers it so: a new kind of bug."
        }
        return text
    }
}
