import Foundation
import PPGSignature
import PPGWire

/// A receiver as a short pipeline of named steps (SPEC.md R10): check the method and size, select the one
/// signature header, form the signed URL and compute under a signing rule, compare, validate the body, choose the
/// status. The reference receiver is one value of it; a mutant replaces one step or the rule, never the pipeline,
/// so every mutant keeps everything else the reference does (the `Allow` header, the form check, the constant-time
/// comparison).
public struct ReceiverPipeline: Sendable, Hashable {
    /// Before anything else.
    public enum Shortcut: Sendable, Hashable {
        /// None: the steps below run.
        case none
        /// Verification commented out: the route still takes POST only and the body is still read.
        case acceptAll
        /// Every request is redirected (301).
        case redirect
    }

    /// How the server reads the request-target before any handler.
    public enum TargetStep: Sendable, Hashable {
        /// RFC 9112 §3.2: any target it received is handled (an invalid one may be refused with 400 instead).
        case lenient
        /// An absolute-form target is parsed with a strict URI parser whose exception escapes: an invalid
        /// percent-escape there is a 500 (Puma 5's `URI.parse` of `POST http://host/path?z=%zz`).
        case crashOnInvalidAbsoluteForm
    }

    /// Which methods reach the handler.
    public enum MethodStep: Sendable, Hashable {
        /// SPEC.md R10.6: POST only; others 405 with `Allow: POST`.
        case postOnly
        /// Any method: a route registered for every method, verifying as usual.
        case any
    }

    /// Which requests verification guards.
    public enum RouteStep: Sendable, Hashable {
        /// SPEC.md R10.2: every request that reaches the handler, whatever its path.
        case everyPath
        /// Only a request to the configured path exactly; a variant the router also serves (case, trailing
        /// slash, dot segment, percent-encoding, double slash) reaches the handler unverified.
        case exactPathOnly
    }

    /// How many bytes a body may have.
    public enum SizeStep: Sendable, Hashable {
        /// SPEC.md R10.5: over the limit, 413.
        case limit
        /// As `limit`, but a buffer of this many bytes overflows first: 500.
        case crashAbove(Int)
    }

    /// Which `Content-Type` values reach verification.
    public enum ContentTypeStep: Sendable, Hashable {
        /// SPEC.md R10.4: any (the rule reads the body whatever it is labelled).
        case any
        /// Exactly `application/json`, anything else 415.
        case exactlyJSON
        /// Verified only when labelled JSON; anything else skips verification (`if request.is_json: verify()`).
        case verifyOnlyJSON
    }

    /// How the signature header is selected.
    public enum HeaderStep: Sendable, Hashable {
        /// SPEC.md R8.1: exactly one header; none, several or an empty one is a rejection.
        case exactlyOne
        /// With several, the first is checked.
        case firstWins
        /// With several, the last is checked (a dictionary overwrote the others).
        case lastWins
        /// No header means nothing to check: accepted.
        case missingSkipsVerification
        /// An empty header means nothing to check: accepted.
        case emptySkipsVerification
    }

    /// How the presented value is compared with the expected one.
    public enum CompareStep: Sendable, Hashable {
        /// SPEC.md R8: the form checked (alphabet, length), then compared in constant time.
        case constantTime
        /// `expected.hasPrefix(presented)`, no form check.
        case prefix
    }

    /// What a body the rule cannot read gets.
    public enum UnreadableStep: Sendable, Hashable {
        /// SPEC.md R10.6: 400.
        case badRequest
        /// 500: the parser's exception escapes.
        case serverError
    }

    /// What a verified body must be.
    public enum BodyStep: Sendable, Hashable {
        /// SPEC.md R10.7: a JSON object whose `projectId` is the key the signature was checked with.
        case projectMatchesKey
        /// As `projectMatchesKey`, and no member beyond the legacy IBody's three.
        case legacySchema
    }

    /// How a rejection is answered.
    public enum StatusStep: Sendable, Hashable {
        /// SPEC.md R10.8: a 4xx.
        case reject
        /// 200 with the error in the body.
        case okWithErrorBody
    }

    /// Before the steps.
    public var shortcut: Shortcut
    /// The request-target.
    public var target: TargetStep = .lenient
    /// Methods.
    public var method: MethodStep = .postOnly
    /// Which requests are verified.
    public var route: RouteStep = .everyPath
    /// Body size.
    public var size: SizeStep
    /// Content type.
    public var contentType: ContentTypeStep
    /// Header selection.
    public var header: HeaderStep
    /// The reading: signed URL, signing input, key, encoding.
    public var rule: SigningRule
    /// Comparison.
    public var compare: CompareStep
    /// Unreadable bodies.
    public var unreadable: UnreadableStep
    /// Body validation after verification.
    public var body: BodyStep
    /// Rejections.
    public var status: StatusStep

    /// SPEC.md's receiver under a profile.
    /// - Parameter profile: Scheme and encoding.
    /// - Returns: The reference pipeline.
    public static func reference(_ profile: SignatureProfile) -> ReceiverPipeline {
        ReceiverPipeline(
            shortcut: .none, size: .limit, contentType: .any, header: .exactlyOne, rule: .spec(profile),
            compare: .constantTime, unreadable: .badRequest, body: .projectMatchesKey, status: .reject)
    }

    /// Answers one request.
    /// - Parameters:
    ///   - request: The request.
    ///   - projectID: The configured projectId.
    ///   - signedURL: The URL the receiver checks signatures against (SPEC.md R10.2) for this request.
    ///   - configuredPath: The path of the configured URL, where one is configured.
    /// - Returns: The response.
    func respond(
        to request: HTTPRequest, projectID: String, signedURL: String, configuredPath: String?
    ) -> ReceiverAnswer {
        if target == .crashOnInvalidAbsoluteForm && RawURL.isAbsoluteForm(request.target)
            && !RawURL.isValidRequestTarget(request.target)
        {
            return .json(500, "Internal Server Error", [("error", .string("URI::InvalidURIError"))])
        }
        if shortcut == .redirect {
            return ReceiverAnswer(
                HTTPResponse(
                    status: 301, reason: "Moved Permanently",
                    headers: [(name: "Location", value: "https://elsewhere.example/")]))
        }
        guard request.method == "POST" || method == .any else {
            var answer = reject(405, "Method Not Allowed", "method-not-allowed")
            answer.response.headers.append(name: "Allow", value: "POST")
            return answer
        }
        guard request.body.count <= ReferenceReceiver.maximumBodyBytes else {
            return reject(413, "Content Too Large", "body-too-large")
        }
        if case .crashAbove(let bytes) = size, request.body.count > bytes {
            return .json(500, "Internal Server Error", [("error", .string("buffer overflow"))])
        }
        if contentType == .exactlyJSON && request.header("Content-Type") != "application/json" {
            return reject(415, "Unsupported Media Type", "content-type")
        }
        let message = SignedMessage(request, configuredURL: signedURL)
        let configuredKey = Array(projectID.utf8)
        // The verify() call commented out, and only that: the router still takes POST only and the handler still
        // reads the body, as in a real receiver.
        if shortcut == .acceptAll { return validate(message, key: configuredKey) }
        if contentType == .verifyOnlyJSON && !Self.isJSON(request.header("Content-Type")) {
            return validate(message, key: configuredKey)
        }
        if route == .exactPathOnly, let configuredPath, Self.isRouterVariant(request.target, of: configuredPath) {
            return validate(message, key: configuredKey)
        }
        let key: [UInt8]
        switch verify(request, message: message, configuredKey: configuredKey) {
        case .failure(let failure) where failure.kind == .unreadableBody:
            return unreadableBody(detail: failure.message)
        case .failure(let failure):
            return reject(401, "Unauthorized", failure.kind.rawValue, detail: failure.message)
        case .success(let used):
            key = used
        }
        return validate(message, key: key)
    }

    /// Selects the header, computes under the rule and compares: the key the signature was checked with, or why
    /// the request is rejected.
    func verify(
        _ request: HTTPRequest, message: SignedMessage, configuredKey: [UInt8]
    ) -> Result<[UInt8], VerificationFailure> {
        let values = request.headers.signatureValues
        let key = rule.key(of: message, configured: configuredKey) ?? configuredKey
        let value: String
        switch (values.count, header) {
        case (0, .missingSkipsVerification): return .success(key)
        case (2..., .firstWins): value = values[0]
        case (2..., .lastWins): value = values[values.count - 1]
        default:
            switch SignatureVerifier.presentedSignature(in: request.headers) {
            case .failure(let failure): return .failure(failure)
            case .success(let only): value = only
            }
        }
        let presented = ASCII.trimmingWhitespace(Array(value.utf8))
        if presented.isEmpty {
            guard header == .emptySkipsVerification else {
                return .failure(VerificationFailure(kind: .emptySignature, message: "\(signatureHeaderName) is empty"))
            }
            return .success(key)
        }
        if compare == .constantTime, let failure = SignatureVerifier.checkForm(presented, encoding: rule.encoding) {
            return .failure(failure)
        }
        let input: [UInt8]
        do {
            input = try rule.signingInput(of: message)
        } catch {
            return .failure(VerificationFailure(kind: .unreadableBody, message: error.description))
        }
        let expected = Array(rule.encoding.encode(HMACSHA1(key: key).authenticationCode(for: input)).utf8)
        switch compare {
        case .constantTime:
            return SignatureVerifier.compare(presented, expected, encoding: rule.encoding).map { key }
        case .prefix:
            let comparable = rule.encoding == .hex ? ASCII.lowercased(presented) : presented
            return expected.starts(with: comparable)
                ? .success(key) : .failure(VerificationFailure(kind: .mismatch, message: "signature does not match"))
        }
    }

    /// After verification: the body must be a JSON object whose `projectId` is the key used (SPEC.md R10.7). The
    /// body is the one verification read, parsed once for both.
    func validate(_ message: SignedMessage, key: [UInt8]) -> ReceiverAnswer {
        guard let value = message.jsonBody(), case .object(let members) = value.kind else {
            return unreadableBody(error: "malformed-body")
        }
        if body == .legacySchema,
            members.contains(where: { !["projectId", "customId", "ppgId"].contains($0.nameString) })
        {
            return reject(400, "Bad Request", "schema")
        }
        guard let project = members.first(where: { $0.nameString == "projectId" })?.value,
            case .string(let bytes) = project.kind
        else {
            return reject(400, "Bad Request", "missing-project-id")
        }
        guard bytes == key else { return reject(403, "Forbidden", "project-mismatch") }
        return .json(200, "OK", [("ok", .bool(true))])
    }

    /// Whether an origin-form request-target's path differs from `path` but a lenient router matches it to the same
    /// route: compared without case, `%XX` decoded, `//` and `/./` collapsed, a trailing slash dropped.
    static func isRouterVariant(_ target: String, of path: String) -> Bool {
        guard target.hasPrefix("/") else { return false }
        let requested = String(target.prefix { $0 != "?" })
        func routed(_ path: String) -> String {
            var text = String(decoding: SignedMessage.percentDecoded(Array(path.utf8)), as: UTF8.self).lowercased()
            while text.contains("//") { text = text.replacingOccurrences(of: "//", with: "/") }
            while text.contains("/./") { text = text.replacingOccurrences(of: "/./", with: "/") }
            while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
            return text
        }
        return requested != path && routed(requested) == routed(path)
    }

    /// Whether a `Content-Type` names JSON (`application/json`, any case, any parameters).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces)
        return ASCII.equalsIgnoringCase(mediaType, "application/json")
    }

    func unreadableBody(error: String = "unreadable-body", detail: String? = nil) -> ReceiverAnswer {
        switch unreadable {
        case .badRequest: reject(400, "Bad Request", error, detail: detail)
        case .serverError: .json(500, "Internal Server Error", [("error", .string("unexpected end of input"))])
        }
    }

    func reject(_ status: Int, _ reason: String, _ error: String, detail: String? = nil) -> ReceiverAnswer {
        var members: [(String, JSONOutput)] = [("error", .string(error))]
        if let detail { members.append(("detail", .string(detail))) }
        switch self.status {
        case .reject: return .json(status, reason, members)
        case .okWithErrorBody: return .json(200, "OK", members)
        }
    }
}
