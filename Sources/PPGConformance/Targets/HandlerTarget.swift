import PPGSignature
import PPGVectors
import PPGWire

/// A receiver a Swift program serves in-process, as a function from request to response: the corpus runs through
/// it without a socket, judged as a receiver over HTTP is. What HTTP framing does before a handler runs (chunked
/// bodies, `Content-Length`, request-lines a server refuses) is not exercised; run over HTTP for that.
public struct HandlerTarget: ConformanceTarget {
    /// The handler: one request in, one response out. Called from several threads at once when `jobs` > 1.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    /// What the receiver is configured with: its projectId and the public URL PushPushGo signs.
    public let configuration: ReceiverConfiguration
    public let name: String
    let handler: Handler

    /// Creates a target.
    /// - Parameters:
    ///   - configuration: What the receiver is configured with.
    ///   - name: How reports name it.
    ///   - handler: The receiver.
    public init(configuration: ReceiverConfiguration, name: String = "in-process handler", handler: @escaping Handler) {
        self.configuration = configuration
        self.name = name
        self.handler = handler
    }

    /// A receiver takes receiver vectors only; signature vectors are a verifier library's.
    public var takesSignatureVectors: Bool { false }

    public func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer {
        .skip("an in-process handler takes receiver vectors only")
    }

    public func digest(_ message: [UInt8]) -> String? { nil }

    public func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer] {
        deliveries.map { .response(handler($0.requestAsReceived(authority: configuration.targetURL.authority))) }
    }

    /// The request as the handler got it; over HTTP, `ppg-conformance run --target` with `--only` sends it again.
    public func reproduction(of deliveries: [Delivery]) -> String {
        "ppg-conformance run --target URL --project-id \(configuration.projectID) --public-url "
            + "\(configuration.publicURL) --only '\(deliveries.first?.vectorID ?? "")' --scheme "
            + "\(configuration.profile.scheme.rawValue) --encoding \(configuration.profile.encoding.rawValue)"
    }
}
