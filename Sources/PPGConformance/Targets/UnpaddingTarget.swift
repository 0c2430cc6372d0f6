import PPGVectors
import PPGWire

/// A target seen through a receiver that takes base64 signatures only without their `=` padding: every
/// `X-PPG-Signature` value is sent with its trailing `=` dropped. Where such a receiver refuses every validly signed
/// delivery, its other bugs never reach the wire; the corpus sent through this shows them.
struct UnpaddingTarget: ConformanceTarget {
    let inner: any ConformanceTarget

    var name: String { inner.name }
    var takesSignatureVectors: Bool { inner.takesSignatureVectors }
    var judgesAsVerifier: Bool { inner.judgesAsVerifier }

    func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer { try inner.verify(vector) }

    func digest(_ message: [UInt8]) -> String? { inner.digest(message) }

    func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer] {
        try inner.deliver(deliveries.map(Self.unpadded))
    }

    func skipReason(for deliveries: [Delivery]) -> String? { inner.skipReason(for: deliveries) }

    func reproduction(of deliveries: [Delivery]) -> String { inner.reproduction(of: deliveries.map(Self.unpadded)) }

    func requestText(of deliveries: [Delivery]) -> String { inner.requestText(of: deliveries.map(Self.unpadded)) }

    /// The delivery with each signature value's trailing `=` dropped.
    static func unpadded(_ delivery: Delivery) -> Delivery {
        var unpadded = delivery
        unpadded.request.headers = HTTPFields(
            delivery.request.headers.map { field in
                HTTPFields.matches(field, HTTPFields.signatureName)
                    ? HTTPField(name: field.name, value: Self.unpadded(field.value)) : field
            })
        return unpadded
    }

    /// A signature value without its trailing `=` (Perl's `hmac_sha1_base64` writes it so).
    static func unpadded(_ value: String) -> String {
        String(value.reversed().drop { $0 == "=" }.reversed())
    }
}
