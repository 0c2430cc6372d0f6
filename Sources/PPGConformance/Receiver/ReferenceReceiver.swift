import PPGHTTP
import PPGSignature
import PPGVectors

/// A request as a receiver sees it.
public struct ReceivedRequest: Sendable {
    /// The request method.
    public var method: String
    /// The request-target of the request line, e.g. `/ppg/webhook?token=abc`.
    public var target: String
    /// Header fields in order, as received.
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a request.
    /// - Parameters:
    ///   - method: The method.
    ///   - target: The request-target.
    ///   - headers: The header fields in order.
    ///   - body: The body bytes.
    public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// A request as the project's HTTP server read it.
    /// - Parameter request: The server's request.
    public init(_ request: HTTPServerRequest) {
        self.init(method: request.method, target: request.target, headers: request.headers, body: request.body)
    }

    /// The last value of a header field, its name compared case-insensitively.
    /// - Parameter name: The field name.
    /// - Returns: The value, if the field is present.
    public func header(_ name: String) -> String? {
        headers.last { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }
}

/// A receiver's answer.
public struct ReceiverResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The reason phrase or explanation.
    public var reason: String
    /// Header fields in order, as `(name, value)`.
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response.
    /// - Parameters:
    ///   - status: The status code.
    ///   - reason: The reason phrase.
    ///   - headers: Extra header fields.
    ///   - body: The body bytes.
    public init(status: Int, reason: String, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    static func json(_ status: Int, _ reason: String, _ members: [(String, JSONOutput)]) -> ReceiverResponse {
        ReceiverResponse(
            status: status, reason: reason, headers: [(name: "Content-Type", value: "application/json")],
            body: Array(JSONOutput.object(members).rendered(pretty: false).utf8))
    }
}

/// The reference receiver: what SPEC.md R10 says a correct receiver does, as a function from request to response.
/// `serve` puts it behind an HTTP server; the in-process target calls it directly.
public struct ReferenceReceiver: Sendable {
    /// The largest body accepted (SPEC.md R10.5).
    public static let maximumBodyBytes = 1 << 20

    /// The projectId the receiver is configured with: the key.
    public let projectID: String
    /// The URL configured in PushPushGo; its path and query are replaced by what arrives, see `signedURL(for:)`.
    public let publicURL: RawURL?
    /// The verifier, keyed with the configured projectId.
    public let verifier: SignatureVerifier

    /// Creates a receiver.
    /// - Parameters:
    ///   - projectID: The configured projectId, the key.
    ///   - publicURL: The URL configured in PushPushGo; when `nil`, `http://` + the Host header + the target.
    ///   - profile: Scheme and encoding.
    public init(projectID: String, publicURL: RawURL?, profile: SignatureProfile) {
        self.projectID = projectID
        self.publicURL = publicURL
        self.verifier = SignatureVerifier(projectID: projectID, profile: profile)
    }

    /// The URL the signature is checked against: the public URL up to its query, then the query exactly as it
    /// arrived (SPEC.md R10.2). Without a public URL: an absolute-form request-target as it arrived (RFC 9112
    /// §3.2.2: its authority, not `Host`, names the target), else `http://` + `Host` + the target.
    /// - Parameter request: The request.
    /// - Returns: The URL text.
    public func signedURL(for request: ReceivedRequest) -> String {
        let queryPart = request.target.firstIndex(of: "?").map { String(request.target[$0...]) } ?? ""
        if var base = publicURL {
            base.query = nil
            return base.description + queryPart
        }
        if RequestTarget.isAbsoluteForm(request.target) { return request.target }
        let host = request.headers.last { ASCII.equalsIgnoringCase($0.name, "Host") }?.value ?? "localhost"
        return "http://" + host + request.target
    }

    /// Answers one request.
    /// - Parameter request: The request.
    /// - Returns: 200 for a valid delivery; 405, 413, 401 or 400 otherwise, never a 5xx.
    public func respond(to request: ReceivedRequest) -> ReceiverResponse {
        guard request.method == "POST" else {
            var response = ReceiverResponse.json(405, "Method Not Allowed", [("error", .string("method-not-allowed"))])
            response.headers.append((name: "Allow", value: "POST"))
            return response
        }
        guard request.body.count <= Self.maximumBodyBytes else {
            return .json(413, "Content Too Large", [("error", .string("body-too-large"))])
        }
        let result = verifier.verify(url: signedURL(for: request), headers: request.headers, body: request.body)
        if case .failure(let failure) = result {
            let status = failure.kind == .unreadableBody ? 400 : 401
            return .json(
                status, status == 400 ? "Bad Request" : "Unauthorized",
                [("error", .string(failure.kind.rawValue)), ("detail", .string(failure.message))])
        }
        // Verified; now the body must be the delivery the documentation describes.
        guard let value = try? JSONParser.parse(request.body), case .object(let members) = value.kind else {
            return .json(400, "Bad Request", [("error", .string("malformed-body"))])
        }
        let bodyProject = members.first { $0.nameString == "projectId" }?.value
        if let bodyProject, case .string(let bytes) = bodyProject.kind {
            guard bytes == Array(projectID.utf8) else {
                return .json(403, "Forbidden", [("error", .string("project-mismatch"))])
            }
        } else {
            return .json(400, "Bad Request", [("error", .string("missing-project-id"))])
        }
        return .json(200, "OK", [("ok", .bool(true))])
    }
}
