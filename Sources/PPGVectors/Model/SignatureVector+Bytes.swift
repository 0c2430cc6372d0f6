import PPGSignature
import PPGWire

extension SignatureVector {
    /// The key's bytes.
    public var keyBytes: [UInt8] {
        if let keyHex { return Hex.decode(keyHex) ?? [] }
        return Array((key ?? "").utf8)
    }

    /// The body's bytes.
    public var bodyBytes: [UInt8] {
        if let bodyBase64 { return Base64.decode(bodyBase64) ?? [] }
        return Array((body ?? "").utf8)
    }

    /// The signing input's bytes, or `nil` when the vector says none exists (an unreadable url-params body).
    public var signingInputBytes: [UInt8]? {
        if let signingInputBase64 { return Base64.decode(signingInputBase64) }
        return signingInput.map { Array($0.utf8) }
    }

    /// The request the vector describes, as header fields: Content-Type (when given), then the signature.
    public var headers: HTTPFields {
        var headers: HTTPFields = []
        if let contentType { headers.append(name: "Content-Type", value: contentType) }
        headers.append(name: signatureHeaderName, value: signature)
        return headers
    }

    /// The profile the vector is written for.
    public var profile: SignatureProfile { SignatureProfile(scheme: scheme, encoding: encoding) }
}

extension DigestVector {
    /// The full message bytes, repeated as the vector says.
    public var messageBytes: [UInt8] {
        let unit: [UInt8] =
            if let messageBase64 { Base64.decode(messageBase64) ?? [] } else { Array((message ?? "").utf8) }
        let count = self.repeat ?? 1
        var out: [UInt8] = []
        out.reserveCapacity(unit.count * count)
        for _ in 0..<count { out += unit }
        return out
    }
}
