import PPGSignature
import PPGVectors
import PPGWire

/// Deliveries and vectors as failure reports show them: the request as sent, the signing input, the body cut short.
enum DeliveryText {
    /// What a delivery's header was signed over, as `sign --json` shows it, with how a must-reject header departs
    /// from SPEC.md's signature.
    static func signedText(_ delivery: Delivery, profile: SignatureProfile) -> String {
        func bytes(_ input: [UInt8]) -> String {
            if let text = String(validating: input.prefix(300), as: UTF8.self) {
                return "\"" + OutsideText.escape(text, for: .line) + "\""
                    + (input.count > 300 ? "… (\(input.count) bytes)" : "")
            }
            return "base64 " + Base64.encode(Array(input.prefix(225)))
                + (input.count > 225 ? "… (\(input.count) bytes)" : "")
        }
        var text =
            (delivery.step > 0 ? "delivery \(delivery.step + 1): " : "")
            + "SPEC.md's signing input (\(profile)): \(bytes(delivery.signing.specInput))"
        if let departure = delivery.signing.departure { text += "; the header sent: \(departure)" }
        if let other = delivery.signing.signedInput { text += ", signing input \(bytes(other))" }
        return text
    }

    /// A readable rendering of a delivery for failure reports.
    static func describe(_ delivery: Delivery) -> String {
        let request = delivery.request
        var lines = ["\(request.method) \(request.target) \(request.version)"]
        for header in request.headers { lines.append("\(header.name): \(header.value)") }
        lines.append("")
        lines.append(bodyPreview(request.body))
        lines.append("(signed URL: \(delivery.signedURL))")
        return lines.joined(separator: "\n")
    }

    static func describe(_ vector: SignatureVector) -> String {
        var lines = ["\(vector.method) \(vector.url)"]
        for header in vector.headers { lines.append("\(header.name): \(header.value)") }
        lines.append("")
        lines.append(bodyPreview(vector.bodyBytes))
        lines.append("(key: \(vector.key ?? "hex " + (vector.keyHex ?? "")); \(vector.profile))")
        return lines.joined(separator: "\n")
    }

    static func bodyPreview(_ body: [UInt8]) -> String {
        let limit = 600
        let shown = String(decoding: body.prefix(limit), as: UTF8.self)
        return body.count > limit ? shown + "… (\(body.count) bytes in all)" : shown
    }
}
