import PPGSignature
import PPGVectors
import PPGWire

/// A receiver in-process, no sockets: the reference by default (signature vectors through its verification step,
/// receiver vectors through the whole receiver), or any receiver — the diagnosis runs each mutant this way.
public struct ReferenceTarget: ConformanceTarget {
    /// The receiver's configuration.
    public let configuration: ReceiverConfiguration
    let receiver: any Receiver
    public let name: String
    public let takesSignatureVectors: Bool
    public let judgesAsVerifier: Bool

    /// The configuration the in-process run uses: a fixed projectId and public URL.
    /// - Parameter profile: Scheme and encoding.
    /// - Returns: The configuration.
    public static func defaultConfiguration(profile: SignatureProfile) -> ReceiverConfiguration {
        let url = RawURL(scheme: "https", host: "hooks.example.com", path: "/ppg/webhook")
        return ReceiverConfiguration(projectID: "5f2a8b3c9d1e4f6a7b8c9d0e", targetURL: url, profile: profile)
    }

    /// Creates the reference target.
    /// - Parameter configuration: What the reference receiver is configured with.
    public init(configuration: ReceiverConfiguration) {
        self.init(
            configuration: configuration,
            receiver: ReferenceReceiver(
                projectID: configuration.projectID, publicURL: configuration.publicURL,
                profile: configuration.profile))
    }

    /// Creates a target for any receiver, judged as another target is (a verifier over a pipe, or a receiver).
    /// - Parameters:
    ///   - configuration: What the receiver is configured with.
    ///   - receiver: The receiver.
    ///   - name: How reports name it.
    ///   - takesSignatureVectors: Whether signature and digest vectors are run.
    ///   - judgesAsVerifier: Whether receiver vectors are judged as for a verifier library.
    public init(
        configuration: ReceiverConfiguration, receiver: any Receiver, name: String = "reference",
        takesSignatureVectors: Bool = true, judgesAsVerifier: Bool = false
    ) {
        self.configuration = configuration
        self.receiver = receiver
        self.name = name
        self.takesSignatureVectors = takesSignatureVectors
        self.judgesAsVerifier = judgesAsVerifier
    }

    /// The vector's request through the receiver's signature check alone, under the vector's profile and key.
    public func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer {
        var pipeline = receiver.pipeline
        pipeline.rule.scheme = vector.scheme
        pipeline.rule.encoding = vector.encoding
        let request = HTTPRequest(
            method: vector.method, target: RawURL(vector.url)?.requestTarget ?? "/", headers: vector.headers,
            body: vector.bodyBytes)
        let message = SignedMessage(request, configuredURL: vector.url)
        switch pipeline.verify(request, message: message, configuredKey: vector.keyBytes) {
        case .success: return .accept
        case .failure(let failure): return .reject(failure.description)
        }
    }

    public func digest(_ message: [UInt8]) -> String? {
        SignatureEncoding.hex.encode(SHA1.hash(message))
    }

    /// Each delivery as the receiver would read it from the wire: with the `Host` the HTTP client sends.
    public func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer] {
        deliveries.map { delivery in
            .response(
                receiver.respond(to: delivery.requestAsReceived(authority: configuration.targetURL.authority)).response)
        }
    }

    public func reproduction(of deliveries: [Delivery]) -> String {
        "ppg-conformance run --only '\(deliveries.first?.vectorID ?? "")' --scheme "
            + "\(configuration.profile.scheme.rawValue) "
            + "--encoding \(configuration.profile.encoding.rawValue)"
    }
}
