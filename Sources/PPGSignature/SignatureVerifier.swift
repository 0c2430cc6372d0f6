import PPGWire

/// The name of the header that carries the signature.
public let signatureHeaderName = HTTPFields.signatureName

/// Signs deliveries the way PushPushGo does under one profile.
public struct Signer: Sendable {
    /// The profile used.
    public let profile: SignatureProfile
    let mac: HMACSHA1

    /// Creates a signer.
    /// - Parameters:
    ///   - key: The key bytes; for PushPushGo, the UTF-8 bytes of the projectId.
    ///   - profile: Scheme and encoding.
    public init(key: some Sequence<UInt8>, profile: SignatureProfile = .default) {
        self.profile = profile
        self.mac = HMACSHA1(key: key)
    }

    /// Creates a signer keyed with a projectId.
    /// - Parameters:
    ///   - projectID: The projectId the receiver is configured with.
    ///   - profile: Scheme and encoding.
    public init(projectID: String, profile: SignatureProfile = .default) {
        self.init(key: projectID.utf8, profile: profile)
    }

    /// The header value for a signing input already built.
    /// - Parameter signingInput: The bytes to sign.
    /// - Returns: The encoded HMAC.
    public func signature(forSigningInput signingInput: [UInt8]) -> String {
        profile.encoding.encode(mac.authenticationCode(for: signingInput))
    }

    /// The header value for a delivery.
    /// - Parameters:
    ///   - url: The webhook URL as configured, with the delivery's query.
    ///   - body: The body bytes.
    ///   - contentType: The `Content-Type` value, if any.
    /// - Returns: The encoded HMAC.
    /// - Throws: `SigningInputError` when the url-params scheme cannot read the body.
    public func signature(url: String, body: [UInt8], contentType: String?) throws(SigningInputError) -> String {
        let input = try SigningInput.make(scheme: profile.scheme, url: url.utf8, body: body, contentType: contentType)
        return signature(forSigningInput: input)
    }
}

/// Why a delivery was rejected.
public struct VerificationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of rejection, in the order the verifier checks them.
    public enum Kind: String, Sendable, Equatable, CaseIterable, Codable {
        /// No `X-PPG-Signature` header.
        case missingSignature = "missing"
        /// More than one `X-PPG-Signature` header.
        case multipleSignatures = "several"
        /// The header is present but empty.
        case emptySignature = "empty"
        /// The value has characters outside the encoding's alphabet.
        case malformedSignature = "malformed"
        /// The value has the wrong number of characters for the encoding.
        case wrongLength = "wrong-length"
        /// The url-params scheme could not read the body.
        case unreadableBody = "unreadable-body"
        /// Well formed, but not the signature of this delivery under this key.
        case mismatch
    }

    /// What went wrong.
    public var kind: Kind
    /// One line for a person.
    public var message: String

    /// Creates a failure.
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - message: One line for a person.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

/// Verifies `X-PPG-Signature` headers as SPEC.md R8 requires: the key is the configured projectId (never the
/// body's), exactly one header, constant-time comparison.
public struct SignatureVerifier: Sendable {
    let signer: Signer

    /// The profile verified against.
    public var profile: SignatureProfile { signer.profile }

    /// Creates a verifier.
    /// - Parameters:
    ///   - key: The key bytes, the configured projectId's UTF-8 bytes for PushPushGo.
    ///   - profile: Scheme and encoding.
    public init(key: some Sequence<UInt8>, profile: SignatureProfile = .default) {
        self.signer = Signer(key: key, profile: profile)
    }

    /// Creates a verifier for the projectId the receiver is configured with.
    /// - Parameters:
    ///   - projectID: The configured projectId.
    ///   - profile: Scheme and encoding.
    public init(projectID: String, profile: SignatureProfile = .default) {
        self.init(key: projectID.utf8, profile: profile)
    }

    /// Verifies a delivery.
    /// - Parameters:
    ///   - url: The URL as configured in PushPushGo, with the query as received.
    ///   - headers: The request's header fields in order; names are matched case-insensitively.
    ///   - body: The body bytes as received.
    /// - Returns: Success, or the reason for rejection.
    public func verify(
        url: String, headers: HTTPFields, body: [UInt8]
    )
        -> Result<Void, VerificationFailure>
    {
        let contentType = headers.contentType
        switch Self.presentedSignature(in: headers) {
        case .failure(let failure): return .failure(failure)
        case .success(let value): return verify(signature: value, url: url, body: body, contentType: contentType)
        }
    }

    /// The one `X-PPG-Signature` value of a request (SPEC.md R8.1): a missing header and several headers are
    /// failures.
    /// - Parameter headers: The request's header fields; names are matched case-insensitively.
    /// - Returns: The value as received, or why there is none.
    public static func presentedSignature(
        in headers: HTTPFields
    ) -> Result<String, VerificationFailure> {
        let values = headers.signatureValues
        guard !values.isEmpty else {
            return .failure(VerificationFailure(kind: .missingSignature, message: "no \(signatureHeaderName) header"))
        }
        guard values.count == 1 else {
            return .failure(
                VerificationFailure(
                    kind: .multipleSignatures, message: "\(values.count) \(signatureHeaderName) headers, expected one"))
        }
        return .success(values[0])
    }

    /// Verifies one presented header value.
    /// - Parameters:
    ///   - signature: The `X-PPG-Signature` value; surrounding SP/HTAB is ignored as RFC 9110 requires.
    ///   - url: The URL as configured, with the query as received.
    ///   - body: The body bytes.
    ///   - contentType: The `Content-Type` value, if any.
    /// - Returns: Success, or the reason for rejection.
    public func verify(
        signature: String, url: String, body: [UInt8], contentType: String?
    )
        -> Result<Void, VerificationFailure>
    {
        let presented = ASCII.trimmingWhitespace(Array(signature.utf8))
        if let failure = Self.checkForm(presented, encoding: profile.encoding) { return .failure(failure) }
        let input: [UInt8]
        do {
            input = try SigningInput.make(scheme: profile.scheme, url: url.utf8, body: body, contentType: contentType)
        } catch {
            return .failure(VerificationFailure(kind: .unreadableBody, message: error.description))
        }
        return Self.compare(presented, Array(signer.signature(forSigningInput: input).utf8), encoding: profile.encoding)
    }

    /// Compares a presented value (already trimmed and of the right form) with the expected one in constant time;
    /// hex case-insensitively (SPEC.md R8.4), base64 exactly.
    /// - Parameters:
    ///   - presented: The presented value's bytes.
    ///   - expected: The expected value's bytes.
    ///   - encoding: The encoding both are written in.
    /// - Returns: Success, or a mismatch.
    public static func compare(
        _ presented: [UInt8], _ expected: [UInt8], encoding: SignatureEncoding
    ) -> Result<Void, VerificationFailure> {
        let comparable = encoding == .hex ? ASCII.lowercased(presented) : presented
        guard constantTimeEquals(comparable, expected) else {
            return .failure(VerificationFailure(kind: .mismatch, message: "signature does not match"))
        }
        return .success(())
    }

    /// Why a presented value (trimmed) cannot be a signature in an encoding — empty, outside the
    /// alphabet, the wrong length, non-canonical base64 — or `nil` when its form is right.
    /// - Parameters:
    ///   - presented: The presented value's bytes, trimmed.
    ///   - encoding: The encoding it must be written in.
    /// - Returns: The failure, if any.
    public static func checkForm(_ presented: [UInt8], encoding: SignatureEncoding) -> VerificationFailure? {
        if presented.isEmpty {
            return VerificationFailure(kind: .emptySignature, message: "\(signatureHeaderName) is empty")
        }
        let inAlphabet: Bool =
            switch encoding {
            case .hex: presented.allSatisfy { Hex.value($0) != nil }
            case .base64: presented.allSatisfy { Base64.value($0) != nil || $0 == UInt8(ascii: "=") }
            }
        if !inAlphabet {
            return VerificationFailure(kind: .malformedSignature, message: "characters outside \(encoding.rawValue)")
        }
        if presented.count != encoding.encodedLength {
            return VerificationFailure(
                kind: .wrongLength,
                message: "\(presented.count) characters, expected \(encoding.encodedLength) for \(encoding.rawValue)")
        }
        if encoding == .base64 && Base64.decode(String(decoding: presented, as: UTF8.self)) == nil {
            return VerificationFailure(kind: .malformedSignature, message: "not canonical padded base64")
        }
        return nil
    }
}

/// Compares two byte strings in time that depends only on their lengths. Internal, as swift-crypto keeps its own:
/// callers compare MACs through ``SignatureVerifier`` or ``SHA1/Digest``'s `==`, which are constant-time too.
func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
    return difference == 0
}
