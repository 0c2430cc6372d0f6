import PPGSignature
import PPGVectors

/// A receiver that answers requests: the reference, or a mutant.
public protocol Receiver: Sendable {
    /// Answers one request.
    /// - Parameter request: The request.
    /// - Returns: The response.
    func respond(to request: ReceivedRequest) -> ReceiverResponse
}

extension ReferenceReceiver: Receiver {}

/// Realistic receiver bugs, each one a way real webhook receivers go wrong. `serve --mutant NAME` runs one;
/// `mutants` proves that the suite catches every one of them.
public enum Mutant: String, Sendable, CaseIterable {
    case acceptAll = "accept-all"
    case prefixCompare = "prefix-compare"
    case missingHeaderAccepted = "missing-ok"
    case emptyHeaderAccepted = "empty-ok"
    case firstHeaderWins = "first-header"
    case lastHeaderWins = "last-header"
    case keyFromBody = "key-from-body"
    case ignoresQuery = "ignores-query"
    case rebuildsURL = "rebuilds-url"
    case sortsQuery = "sorts-query"
    case decodesQuery = "decodes-query"
    case reserialisesBody = "reserialises-body"
    case caseInsensitiveSort = "case-insensitive-sort"
    case valuesOnly = "values-only"
    case nullAsString = "null-as-string"
    case serverErrorOnBadJSON = "500-on-bad-json"
    case okWithErrorBody = "200-with-error"
    case strictContentType = "strict-content-type"
    case rejectsUnknownMembers = "rejects-unknown-members"
    case serverErrorOnLargeBody = "500-on-large-body"
    case redirects

    /// Whether the bug changes anything under a scheme: URL and parameter bugs are equivalent to the reference
    /// under json-body, which signs neither.
    /// - Parameter scheme: The scheme.
    /// - Returns: Whether a correct suite can tell this mutant from the reference.
    public func applies(to scheme: SignatureScheme) -> Bool {
        switch self {
        case .ignoresQuery, .rebuildsURL, .sortsQuery, .decodesQuery, .caseInsensitiveSort, .valuesOnly, .nullAsString:
            scheme == .urlParameters
        default:
            true
        }
    }

    /// What the bug is, in the words of the code review that should have caught it.
    public var summary: String {
        switch self {
        case .acceptAll: "verification commented out: every request is accepted"
        case .prefixCompare: "compares only a prefix (expected.hasPrefix(presented)), so a truncated value passes"
        case .missingHeaderAccepted: "verifies only when the header is present"
        case .emptyHeaderAccepted: "treats an empty header as 'no signature to check'"
        case .firstHeaderWins: "with two headers, checks the first and ignores the other"
        case .lastHeaderWins: "with two headers, checks the last (a framework's dictionary overwrote the first)"
        case .keyFromBody: "keys the HMAC with the body's projectId instead of the configured one"
        case .ignoresQuery: "verifies the URL without its query string"
        case .rebuildsURL: "rebuilds the URL as http://Host/path behind a proxy instead of using the configured URL"
        case .sortsQuery: "the framework sorts query parameters before the URL is rebuilt"
        case .decodesQuery: "percent-decodes the query before verifying"
        case .reserialisesBody: "parses the JSON and re-serialises it before verifying (numbers through doubles)"
        case .caseInsensitiveSort: "sorts parameter names case-insensitively"
        case .valuesOnly: "signs the values without their names"
        case .nullAsString: "signs a null member as the text 'null'"
        case .serverErrorOnBadJSON: "crashes (500) on a body that is not JSON"
        case .okWithErrorBody: "answers 200 with an error message instead of a 4xx"
        case .strictContentType: "refuses any Content-Type but exactly application/json (charset included)"
        case .rejectsUnknownMembers: "validates the body against the old IBody schema and refuses new members"
        case .serverErrorOnLargeBody: "a 32 KiB buffer: larger bodies crash (500)"
        case .redirects: "redirects every request to another URL (301)"
        }
    }
}

/// A receiver with one bug, built from the same primitives as the reference.
public struct MutantReceiver: Receiver {
    /// The bug this receiver has.
    public let mutant: Mutant
    let reference: ReferenceReceiver

    /// Creates a mutant.
    /// - Parameters:
    ///   - mutant: The bug.
    ///   - reference: The correct receiver it departs from.
    public init(mutant: Mutant, reference: ReferenceReceiver) {
        self.mutant = mutant
        self.reference = reference
    }

    func reject(_ status: Int, _ reason: String, _ error: String) -> ReceiverResponse {
        if mutant == .okWithErrorBody { return .json(200, "OK", [("error", .string(error))]) }
        return .json(status, reason, [("error", .string(error))])
    }

    public func respond(to request: ReceivedRequest) -> ReceiverResponse {
        switch mutant {
        case .redirects:
            return ReceiverResponse(
                status: 301, reason: "Moved Permanently",
                headers: [(name: "Location", value: "https://elsewhere.example/")], body: [])
        case .acceptAll:
            return .json(200, "OK", [("ok", .bool(true))])
        default:
            break
        }
        guard request.method == "POST" else { return reject(405, "Method Not Allowed", "method-not-allowed") }
        guard request.body.count <= ReferenceReceiver.maximumBodyBytes else {
            return reject(413, "Content Too Large", "body-too-large")
        }
        if mutant == .serverErrorOnLargeBody && request.body.count > 32 * 1024 {
            return .json(500, "Internal Server Error", [("error", .string("buffer overflow"))])
        }
        let contentType = request.headers.last { ASCII.equalsIgnoringCase($0.name, "Content-Type") }?.value
        if mutant == .strictContentType && contentType != "application/json" {
            return reject(415, "Unsupported Media Type", "content-type")
        }
        if let failure = verification(request, contentType: contentType) { return failure }
        guard let value = try? JSONParser.parse(request.body), case .object(let members) = value.kind else {
            if mutant == .serverErrorOnBadJSON {
                return .json(500, "Internal Server Error", [("error", .string("unexpected end of input"))])
            }
            return reject(400, "Bad Request", "malformed-body")
        }
        if mutant == .rejectsUnknownMembers,
            members.contains(where: { !["projectId", "customId", "ppgId"].contains($0.nameString) })
        {
            return reject(400, "Bad Request", "schema")
        }
        let project = members.first { $0.nameString == "projectId" }?.value
        guard let project, case .string(let bytes) = project.kind else {
            return reject(400, "Bad Request", "missing-project-id")
        }
        // A receiver that takes its key from the body has nothing to compare the body's projectId with.
        if mutant != .keyFromBody && bytes != Array(reference.projectID.utf8) {
            return reject(403, "Forbidden", "project-mismatch")
        }
        return .json(200, "OK", [("ok", .bool(true))])
    }

    /// The signature check with this mutant's bug; `nil` when the request passes it.
    func verification(_ request: ReceivedRequest, contentType: String?) -> ReceiverResponse? {
        let values = request.headers.filter { ASCII.equalsIgnoringCase($0.name, signatureHeaderName) }.map(\.value)
        let presented: String
        switch values.count {
        case 0:
            return mutant == .missingHeaderAccepted ? nil : reject(401, "Unauthorized", "missing")
        case 1:
            presented = values[0]
        default:
            switch mutant {
            case .firstHeaderWins: presented = values[0]
            case .lastHeaderWins: presented = values[values.count - 1]
            default: return reject(401, "Unauthorized", "several")
            }
        }
        let trimmed = String(decoding: ASCII.trimmingWhitespace(Array(presented.utf8)), as: UTF8.self)
        if trimmed.isEmpty { return mutant == .emptyHeaderAccepted ? nil : reject(401, "Unauthorized", "empty") }
        let key =
            mutant == .keyFromBody
            ? (jsonStringMember("projectId", in: request.body) ?? reference.projectID) : reference.projectID
        guard let input = signingInput(request, contentType: contentType) else {
            if mutant == .serverErrorOnBadJSON {
                return .json(500, "Internal Server Error", [("error", .string("unexpected end of input"))])
            }
            return reject(400, "Bad Request", "unreadable-body")
        }
        let profile = reference.verifier.profile
        let expected = Signer(projectID: key, profile: profile).signature(forSigningInput: input)
        let comparable = profile.encoding == .hex ? trimmed.lowercased() : trimmed
        let matches = mutant == .prefixCompare ? expected.hasPrefix(comparable) : comparable == expected
        return matches ? nil : reject(401, "Unauthorized", "mismatch")
    }

    func signedURL(_ request: ReceivedRequest) -> String {
        let correct = reference.signedURL(for: request)
        let (base, query) = split(correct)
        switch mutant {
        case .rebuildsURL:
            let host = request.headers.last { ASCII.equalsIgnoringCase($0.name, "Host") }?.value ?? "localhost"
            return "http://" + host + request.target
        case .ignoresQuery:
            return base
        case .sortsQuery:
            guard let query else { return correct }
            return base + "?"
                + query.split(separator: "&", omittingEmptySubsequences: false).sorted().joined(separator: "&")
        case .decodesQuery:
            guard let query else { return correct }
            return base + "?" + String(decoding: percentDecoded(Array(query.utf8)), as: UTF8.self)
        default:
            return correct
        }
    }

    func split(_ url: String) -> (String, String?) {
        guard let mark = url.firstIndex(of: "?") else { return (url, nil) }
        return (String(url[..<mark]), String(url[url.index(after: mark)...]))
    }

    func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count, let high = Hex.value(bytes[index + 1]),
                let low = Hex.value(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    func signingInput(_ request: ReceivedRequest, contentType: String?) -> [UInt8]? {
        let url = signedURL(request)
        let scheme = reference.verifier.profile.scheme
        if scheme == .jsonBody {
            return mutant == .reserialisesBody ? reserialised(request.body) : request.body
        }
        switch mutant {
        case .caseInsensitiveSort, .valuesOnly, .nullAsString, .reserialisesBody:
            guard !request.body.isEmpty else { return Array(url.utf8) }
            guard let value = try? JSONParser.parse(request.body), case .object(let members) = value.kind else {
                return nil
            }
            var parameters: [(name: [UInt8], value: [UInt8])] = members.compactMap { member in
                switch member.value.kind {
                case .null: mutant == .nullAsString ? (member.name, Array("null".utf8)) : nil
                case .string(let decoded): (member.name, decoded)
                case .number where mutant == .reserialisesBody:
                    (
                        member.name,
                        Array(doubleText(String(decoding: request.body[member.value.span], as: UTF8.self)).utf8)
                    )
                default: (member.name, Array(request.body[member.value.span]))
                }
            }
            if mutant == .caseInsensitiveSort {
                parameters.sort { ASCII.lowercased($0.name).lexicographicallyPrecedes(ASCII.lowercased($1.name)) }
            } else {
                parameters.sort {
                    $0.name == $1.name
                        ? $0.value.lexicographicallyPrecedes($1.value)
                        : $0.name.lexicographicallyPrecedes($1.name)
                }
            }
            return Array(url.utf8) + parameters.flatMap { mutant == .valuesOnly ? $0.value : $0.name + $0.value }
        default:
            return try? SigningInput.make(
                scheme: .urlParameters, url: url.utf8, body: request.body,
                contentType: contentType)
        }
    }

    /// The body as a typical JSON library would write it back: compact, minimal escapes, numbers through doubles.
    func reserialised(_ body: [UInt8]) -> [UInt8]? {
        guard let value = try? JSONParser.parse(body) else { return nil }
        func convert(_ value: JSONValue) -> JSONOutput {
            switch value.kind {
            case .object(let members): .object(members.map { ($0.nameString, convert($0.value)) })
            case .array(let elements): .array(elements.map(convert))
            case .string(let bytes): .string(String(decoding: bytes, as: UTF8.self))
            case .number: .number(doubleText(String(decoding: body[value.span], as: UTF8.self)))
            case .bool(let flag): .bool(flag)
            case .null: .null
            }
        }
        return Array(convert(value).rendered(pretty: false).utf8)
    }

    func doubleText(_ text: String) -> String {
        guard let number = Double(text) else { return text }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }

}
