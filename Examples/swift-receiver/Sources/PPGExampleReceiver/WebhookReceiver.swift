import Foundation
import PPGSignature
import PPGWire

/// A PushPushGo webhook receiver: verify first, then read the delivery. A function from request to response, so
/// the same value is served over HTTP (`ppg-example-receiver`) and called in-process by its tests.
public struct WebhookReceiver: Sendable {
    /// A response, and what was decided in words for a log line.
    public struct Answer: Sendable {
        /// The response.
        public var response: HTTPResponse
        /// `accepted`, or `rejected: <error>`.
        public var note: String
    }

    /// The projectId PushPushGo signs with.
    public let projectID: String
    /// The webhook URL as configured in PushPushGo: what it signs, whatever a proxy rewrites on the way.
    public let publicURL: String
    let verifier: SignatureVerifier

    /// Creates a receiver.
    /// - Parameters:
    ///   - projectID: The projectId PushPushGo signs with.
    ///   - publicURL: The webhook URL as configured in PushPushGo.
    ///   - profile: Scheme and encoding; SPEC.md's by default.
    public init(projectID: String, publicURL: String, profile: SignatureProfile = .default) {
        self.projectID = projectID
        self.publicURL = publicURL
        self.verifier = SignatureVerifier(projectID: projectID, profile: profile)
    }

    /// Answers one request.
    /// - Parameter request: The request as received.
    /// - Returns: The response.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        answer(request).response
    }

    /// Answers one request, with what was decided.
    /// - Parameter request: The request as received.
    /// - Returns: The response and its note.
    public func answer(_ request: HTTPRequest) -> Answer {
        guard request.method == "POST" else { return json(405, "Method Not Allowed", error: "method-not-allowed") }
        switch verifier.verify(url: signedURL(request), headers: request.headers, body: request.body) {
        case .failure(let failure):
            let status = failure.kind == .unreadableBody ? 400 : 401
            return json(status, status == 400 ? "Bad Request" : "Unauthorized", error: failure.kind.rawValue)
        case .success:
            break
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
            let projectID = object["projectId"] as? String
        else {
            return json(400, "Bad Request", error: "not-a-delivery")
        }
        guard projectID == self.projectID else { return json(403, "Forbidden", error: "project-mismatch") }
        // Handle the event here (object["kind"], object["ppgId"] …), idempotently: replays are possible.
        return json(200, "OK", error: nil)
    }

    /// The URL PushPushGo signed: the configured URL up to its query, then the query exactly as it arrived
    /// (SPEC.md R10.2, as the library states it) — never one rebuilt from `Host`, `X-Forwarded-*` or the target.
    func signedURL(_ request: HTTPRequest) -> String {
        SigningInput.signedURL(publicURL: publicURL, target: request.target, host: nil)
    }

    /// A JSON answer: `{"error": …}` for a refusal, `{"ok": "true"}` otherwise.
    func json(_ status: Int, _ reason: String, error: String?) -> Answer {
        let object = error.map { ["error": $0] } ?? ["ok": "true"]
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Answer(
            response: HTTPResponse(
                status: status, reason: reason, headers: [(name: "Content-Type", value: "application/json")],
                body: Array(body)),
            note: error.map { "rejected: \($0)" } ?? "accepted")
    }
}
