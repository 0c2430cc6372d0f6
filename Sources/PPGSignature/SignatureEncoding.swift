import PPGWire

/// How the 20-byte HMAC is written into the `X-PPG-Signature` header. PushPushGo does not say; see SPEC.md R7.
public enum SignatureEncoding: String, Sendable, Hashable, CaseIterable, Codable {
    /// Lowercase hexadecimal, 40 characters. The default.
    case hex
    /// RFC 4648 base64, standard alphabet, padded: 28 characters.
    case base64

    /// The number of characters a correct header value has.
    public var encodedLength: Int {
        switch self {
        case .hex: 40
        case .base64: 28
        }
    }

    /// Encodes bytes in this encoding.
    /// - Parameter bytes: The bytes, usually a digest.
    /// - Returns: The text, ASCII only.
    public func encode(_ bytes: some Sequence<UInt8>) -> String {
        switch self {
        case .hex: Hex.encode(bytes)
        case .base64: Base64.encode(Array(bytes))
        }
    }

    /// Encodes a digest in this encoding.
    /// - Parameter digest: The digest.
    /// - Returns: The text, ASCII only.
    public func encode(_ digest: SHA1.Digest) -> String {
        encode(digest.bytes)
    }
}
