import PPGSignature
import PPGWire

/// The reference receiver: what SPEC.md R10 says a correct receiver does, as a function from request to response.
/// `serve` puts it behind an HTTP server; the in-process target calls it directly. Its behaviour is the reference
/// `ReceiverPipeline`; a mutant is the same receiver with one step of the pipeline replaced.
public struct ReferenceReceiver: Sendable {
    /// The largest body accepted (SPEC.md R10.5).
    public static let maximumBodyBytes = 1 << 20

    /// The projectId the receiver is configured with: the key.
    public let projectID: String
    /// The URL configured in PushPushGo; its query is replaced by what arrives, see `signedURL(for:)`.
    public let publicURL: RawURL?
    /// The verifier, keyed with the configured projectId.
    public let verifier: SignatureVerifier
    /// The steps the receiver takes.
    public let pipeline: ReceiverPipeline

    /// Creates a receiver.
    /// - Parameters:
    ///   - projectID: The configured projectId, the key.
    ///   - publicURL: The URL configured in PushPushGo; when `nil`, `http://` + the Host header + the target.
    ///   - profile: Scheme and encoding.
    public init(projectID: String, publicURL: RawURL?, profile: SignatureProfile) {
        self.init(projectID: projectID, publicURL: publicURL, pipeline: .reference(profile))
    }

    /// Creates a receiver that takes other steps.
    /// - Parameters:
    ///   - projectID: The configured projectId, the key.
    ///   - publicURL: The URL configured in PushPushGo.
    ///   - pipeline: The steps.
    public init(projectID: String, publicURL: RawURL?, pipeline: ReceiverPipeline) {
        self.projectID = projectID
        self.publicURL = publicURL
        self.pipeline = pipeline
        self.verifier = SignatureVerifier(projectID: projectID, profile: pipeline.rule.profile)
    }

    /// The URL the signature is checked against (SPEC.md R10.2, `SigningInput.signedURL`).
    /// - Parameter request: The request.
    /// - Returns: The URL text.
    public func signedURL(for request: HTTPRequest) -> String {
        SigningInput.signedURL(publicURL: publicURL, target: request.target, host: request.header("Host"))
    }

    /// Answers one request.
    /// - Parameter request: The request.
    /// - Returns: 200 for a valid delivery; 405, 413, 401, 403 or 400 otherwise, never a 5xx.
    public func respond(to request: HTTPRequest) -> ReceiverAnswer {
        pipeline.respond(
            to: request, projectID: projectID, signedURL: signedURL(for: request), configuredPath: publicURL?.path)
    }
}
