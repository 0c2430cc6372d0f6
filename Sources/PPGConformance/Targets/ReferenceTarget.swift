import PPGSignature
import PPGVectors

/// The in-process reference: signature vectors through the reference verifier, receiver vectors through the
/// reference receiver, no sockets.
public struct ReferenceTarget: ConformanceTarget {
    /// The receiver's configuration.
    public let configuration: ReceiverConfiguration
    let receiver: ReferenceReceiver

    /// The configuration the in-process run uses: a fixed projectId and public URL.
    /// - Parameter profile: Scheme and encoding.
    /// - Returns: The configuration.
    public static func defaultConfiguration(profile: SignatureProfile) -> ReceiverConfiguration {
        let url = RawURL(scheme: "https", host: "hooks.example.com", path: "/ppg/webhook")
        return ReceiverConfiguration(projectID: "5f2a8b3c9d1e4f6a7b8c9d0e", targetURL: url, profile: profile)
    }

    /// Creates the target.
    /// - Parameter configuration: What the reference receiver is configured with.
    public init(configuration: ReceiverConfiguration) {
        self.configuration = configuration
        self.receiver = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL,
            profile: configuration.profile)
    }

    public var name: String { "reference" }
    public var takesSignatureVectors: Bool { true }

    public func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer {
        let verifier = SignatureVerifier(key: vector.keyBytes, profile: vector.profile)
        switch verifier.verify(url: vector.url, headers: vector.headers, body: vector.bodyBytes) {
        case .success: return .accept
        case .failure(let failure): return .reject(failure.description)
        }
    }

    public func digest(_ message: [UInt8]) -> String? {
        SignatureEncoding.hex.encode(SHA1.hash(message))
    }

    public func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryResponse] {
        deliveries.map { delivery in
            let request = ReceivedRequest(
                method: delivery.method, target: delivery.requestTarget,
                headers: delivery.headers, body: delivery.body)
            let response = receiver.respond(to: request)
            return DeliveryResponse(
                status: response.status,
                bodyPrefix: String(decoding: response.body.prefix(200), as: UTF8.self))
        }
    }

    public func reproduction(of deliveries: [Delivery]) -> String {
        "ppg-conformance run --only '\(deliveries.first?.vectorID ?? "")' --scheme \(configuration.profile.scheme.rawValue) "
            + "--encoding \(configuration.profile.encoding.rawValue)"
    }
}
