import PPGSignature
import PPGWire

/// What every kind of vector has, so that one loading path serves them all.
protocol CorpusVector: Sendable, Codable {
    var id: String { get }
    var flags: [String] { get }
    var provenance: Provenance { get }
    var source: String? { get }
    /// The checks beyond the JSON shape, for this kind.
    static func validate(_ vector: Self, file: ParsedFile, index: Int) throws(VectorLoadError)
    /// At least the bytes running the vector builds in memory (see `CorpusLimits`); called once it is valid.
    var materialisedBytes: Int { get }
}

extension DigestVector {
    var materialisedBytes: Int {
        let unit = messageBase64.map { $0.utf8.count / 4 * 3 } ?? (message ?? "").utf8.count
        return CorpusLimits.multiplying(unit, self.repeat ?? 1)
    }
}

extension SignatureVector {
    /// Body, signing input and key are written out in the file: bounded by its size.
    var materialisedBytes: Int {
        [body, bodyBase64, signingInput, signingInputBase64, key, keyHex].reduce(0) { $0 + ($1?.utf8.count ?? 0) }
    }
}

extension ReceiverVector {
    /// Every step's body, header values and other-body signing input after their placeholders.
    var materialisedBytes: Int {
        let steps =
            [(request, signature)] + (followUps ?? []).map { ($0.request, $0.signature) }
        var total = 0
        for (request, signature) in steps {
            var texts = (request.headers ?? []).compactMap { $0.last }
            if let value = signature?.value, signature?.kind == .otherBody { texts.append(value) }
            if let text = request.body?.text { texts.append(text) }
            if let json = request.body?.json { texts.append(JSONOutput.object(json.members).rendered(pretty: false)) }
            for text in texts {
                let length =
                    (try? Placeholders.expandedLength(text, projectIDLength: 64, publicAllowed: true)) ?? Int.max
                total = CorpusLimits.adding(total, length)
            }
            total = CorpusLimits.adding(total, (request.body?.base64?.utf8.count ?? 0) / 4 * 3)
        }
        return total
    }
}

extension DigestVector: CorpusVector {
    static func validate(_ vector: Self, file: ParsedFile, index: Int) throws(VectorLoadError) {
        try VectorValidation.check(vector, file: file, index: index)
    }
}

extension SignatureVector: CorpusVector {
    static func validate(_ vector: Self, file: ParsedFile, index: Int) throws(VectorLoadError) {
        try VectorValidation.check(vector, file: file, index: index)
    }
}

extension ReceiverVector: CorpusVector {
    static func validate(_ vector: Self, file: ParsedFile, index: Int) throws(VectorLoadError) {
        try VectorValidation.check(vector, file: file, index: index)
    }
}

/// The checks a vector must pass beyond its JSON shape: exactly-one-of fields, decodable encodings, directive
/// arguments.
enum VectorValidation {
    static func check(_ vector: DigestVector, file: ParsedFile, index: Int) throws(VectorLoadError) {
        let path = "$.vectors[\(index)]"
        try exactlyOne(
            ["message": vector.message, "messageBase64": vector.messageBase64], path: path,
            id: vector.id, file: file)
        try base64(vector.messageBase64, field: "messageBase64", path: path, id: vector.id, file: file)
        if let count = vector.repeat, count < 1 || count > 100_000_000 {
            throw file.error(
                .invalidValue, path: path + ".repeat", vectorID: vector.id,
                "repeat must be from 1 to 100000000")
        }
        guard vector.digest.count == 40, vector.digest.allSatisfy({ "0123456789abcdef".contains($0) }) else {
            throw file.error(
                .invalidValue, path: path + ".digest", vectorID: vector.id,
                "digest must be 40 lowercase hex digits")
        }
    }

    static func check(_ vector: SignatureVector, file: ParsedFile, index: Int) throws(VectorLoadError) {
        let path = "$.vectors[\(index)]"
        try exactlyOne(["key": vector.key, "keyHex": vector.keyHex], path: path, id: vector.id, file: file)
        if let keyHex = vector.keyHex, Hex.decode(keyHex) == nil {
            throw file.error(.invalidValue, path: path + ".keyHex", vectorID: vector.id, "keyHex is not hex bytes")
        }
        try atMostOne(["body": vector.body, "bodyBase64": vector.bodyBase64], path: path, id: vector.id, file: file)
        try atMostOne(
            ["signingInput": vector.signingInput, "signingInputBase64": vector.signingInputBase64],
            path: path, id: vector.id, file: file)
        try base64(vector.bodyBase64, field: "bodyBase64", path: path, id: vector.id, file: file)
        try base64(vector.signingInputBase64, field: "signingInputBase64", path: path, id: vector.id, file: file)
        if vector.method.isEmpty || !vector.method.allSatisfy({ $0.isLetter && $0.isASCII }) {
            throw file.error(
                .invalidValue, path: path + ".method", vectorID: vector.id, "method must be a token like POST")
        }
        if vector.signingInput == nil && vector.signingInputBase64 == nil && vector.result == .valid {
            throw file.error(
                .missingField, path: path, vectorID: vector.id,
                "a valid vector needs 'signingInput' or 'signingInputBase64'")
        }
    }

    static func check(_ vector: ReceiverVector, file: ParsedFile, index: Int) throws(VectorLoadError) {
        let path = "$.vectors[\(index)]"
        if let schemes = vector.schemes, schemes.isEmpty {
            throw file.error(.invalidValue, path: path + ".schemes", vectorID: vector.id, "schemes must not be empty")
        }
        if let encodings = vector.encodings, encodings.isEmpty {
            throw file.error(
                .invalidValue, path: path + ".encodings", vectorID: vector.id, "encodings must not be empty")
        }
        let encodings = vector.encodings ?? SignatureEncoding.allCases
        let allowances =
            [("$.alsoAllowed", vector.alsoAllowed)]
            + (vector.followUps ?? []).enumerated().map {
                ("$.followUps[\($0.offset)].alsoAllowed", $0.element.alsoAllowed)
            }
        for (field, statuses) in allowances {
            for status in statuses ?? [] where !(100...599).contains(status) {
                throw file.error(
                    .invalidValue, path: path + field.dropFirst(), vectorID: vector.id,
                    "\(status) is not an HTTP status code (100 to 599)")
            }
        }
        try check(
            vector.request, signature: vector.signature, encodings: encodings, path: path, id: vector.id, file: file)
        for (step, followUp) in (vector.followUps ?? []).enumerated() {
            try check(
                followUp.request, signature: followUp.signature, encodings: encodings,
                path: path + ".followUps[\(step)]", id: vector.id, file: file)
        }
    }

    static func check(
        _ request: RequestTemplate, signature: SignatureDirective?, encodings: [SignatureEncoding], path: String,
        id: String, file: ParsedFile
    ) throws(VectorLoadError) {
        for (index, header) in (request.headers ?? []).enumerated() {
            guard header.count == 2, !header[0].isEmpty else {
                throw file.error(
                    .invalidValue, path: path + ".request.headers[\(index)]", vectorID: id,
                    "a header is [name, value]")
            }
            let forbidden = header.joined().unicodeScalars.contains { $0 == "\r" || $0 == "\n" }
            if forbidden {
                throw file.error(
                    .invalidValue, path: path + ".request.headers[\(index)]", vectorID: id,
                    "a header must not contain CR or LF")
            }
        }
        for (index, header) in (request.headers ?? []).enumerated() {
            do {
                _ = try Placeholders.expandedLength(header[1], projectIDLength: 1, publicAllowed: true)
            } catch {
                throw file.error(
                    .invalidValue, path: path + ".request.headers[\(index)][1]", vectorID: id, error.message)
            }
        }
        if let target = request.target {
            let given = [target.absolute != nil, target.path != nil].filter { $0 }.count
            guard given == 1 else {
                throw file.error(
                    .invalidValue, path: path + ".request.target", vectorID: id,
                    "target needs exactly one of 'absolute', 'path'")
            }
            if let absolute = target.absolute {
                let lower = absolute.lowercased()
                let rest = lower.drop { $0 != ":" }.dropFirst(3)
                guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), !rest.isEmpty,
                    !rest.contains("/"), !rest.contains("?"), !rest.contains("#")
                else {
                    throw file.error(
                        .invalidValue, path: path + ".request.target.absolute", vectorID: id,
                        "absolute must be 'http://authority' or 'https://authority', nothing after the authority")
                }
            }
            if let form = target.path, !TargetChange.pathForms.contains(form), !form.hasPrefix("/") {
                throw file.error(
                    .invalidValue, path: path + ".request.target.path", vectorID: id,
                    "path must be a literal path starting with '/' or one of: "
                        + TargetChange.pathForms.joined(separator: ", "))
            }
        }
        if let method = request.method, method.isEmpty || !method.allSatisfy({ $0.isASCII && $0.isLetter }) {
            throw file.error(.invalidValue, path: path + ".request.method", vectorID: id, "method must be a token")
        }
        if let body = request.body {
            let given = [body.text != nil, body.base64 != nil, body.json != nil].filter { $0 }.count
            guard given == 1 else {
                throw file.error(
                    .invalidValue, path: path + ".request.body", vectorID: id,
                    "body needs exactly one of 'text', 'base64', 'json'")
            }
            try base64(body.base64, field: "request.body.base64", path: path, id: id, file: file)
            if let text = body.text {
                do {
                    _ = try Placeholders.expandedLength(text, projectIDLength: 1)
                } catch {
                    throw file.error(.invalidValue, path: path + ".request.body.text", vectorID: id, error.message)
                }
            }
        }
        guard let signature else { return }
        let directivePath = path + ".signature"
        func need(_ present: Bool, _ field: String) throws(VectorLoadError) {
            if !present {
                throw file.error(
                    .missingField, path: directivePath, vectorID: id,
                    "signature kind '\(signature.kind.rawValue)' needs '\(field)'")
            }
        }
        switch signature.kind {
        case .literal, .prefix, .whitespace, .extend, .otherKey, .otherBody: try need(signature.value != nil, "value")
        case .truncate, .flip:
            try need(signature.count != nil, "count")
            // Under each encoding the vector runs in, the result must differ from the valid value: a truncation
            // keeps fewer characters than the shortest such encoding has, a flip names one of its characters.
            let shortest = encodings.map(\.encodedLength).min() ?? 28
            if let count = signature.count, !(0..<shortest).contains(count) {
                throw file.error(
                    .invalidValue, path: directivePath + ".count", vectorID: id,
                    "count \(count) is out of range: '\(signature.kind.rawValue)' takes 0 to \(shortest - 1)")
            }
        case .duplicate:
            guard signature.order == "valid-first" || signature.order == "invalid-first" else {
                throw file.error(
                    .invalidValue, path: directivePath + ".order", vectorID: id,
                    "order must be 'valid-first' or 'invalid-first'")
            }
        case .otherURL: try need(signature.url != nil, "url")
        case .valid, .missing, .empty, .uppercase, .otherEncoding, .bodyProjectId: break
        }
    }

    static func exactlyOne(
        _ fields: KeyValuePairs<String, String?>, path: String, id: String, file: ParsedFile
    )
        throws(VectorLoadError)
    {
        let present = fields.filter { $0.value != nil }.count
        guard present == 1 else {
            let names = fields.map { "'\($0.key)'" }.joined(separator: " or ")
            throw file.error(
                present == 0 ? .missingField : .invalidValue, path: path, vectorID: id,
                "needs exactly one of \(names)")
        }
    }

    static func atMostOne(
        _ fields: KeyValuePairs<String, String?>, path: String, id: String, file: ParsedFile
    )
        throws(VectorLoadError)
    {
        if fields.filter({ $0.value != nil }).count > 1 {
            let names = fields.map { "'\($0.key)'" }.joined(separator: " and ")
            throw file.error(.invalidValue, path: path, vectorID: id, "give at most one of \(names)")
        }
    }

    static func base64(
        _ value: String?, field: String, path: String, id: String, file: ParsedFile
    )
        throws(VectorLoadError)
    {
        if let value, Base64.decode(value) == nil {
            throw file.error(.invalidValue, path: path + "." + field, vectorID: id, "\(field) is not padded base64")
        }
    }
}
