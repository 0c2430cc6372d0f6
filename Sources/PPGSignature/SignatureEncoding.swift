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

/// Lowercase hexadecimal.
package enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    package static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hexadecimal of either case; `nil` for odd lengths or other characters.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    package static func value(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// RFC 4648 base64 with the standard alphabet and padding.
package enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    package static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((chunk >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let chunk = UInt32(bytes[index]) << 16
            out.append(alphabet[Int((chunk >> 18) & 63)])
            out.append(alphabet[Int((chunk >> 12) & 63)])
            out.append(contentsOf: Array("==".utf8))
        } else if rest == 2 {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(alphabet[Int((chunk >> 18) & 63)])
            out.append(alphabet[Int((chunk >> 12) & 63)])
            out.append(alphabet[Int((chunk >> 6) & 63)])
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded standard base64, ignoring nothing; `nil` for anything else. Non-zero trailing bits are
    /// rejected so that every byte string has exactly one accepted text.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 4 * 3)
        var index = 0
        while index < utf8.count {
            let isLast = index + 4 == utf8.count
            var chunk: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let char = utf8[index + offset]
                if char == UInt8(ascii: "=") && isLast && offset >= 2 {
                    padding += 1
                    chunk <<= 6
                    continue
                }
                guard padding == 0, let value = value(char) else { return nil }
                chunk = chunk << 6 | UInt32(value)
            }
            let produced = [
                UInt8(truncatingIfNeeded: chunk >> 16), UInt8(truncatingIfNeeded: chunk >> 8),
                UInt8(truncatingIfNeeded: chunk),
            ]
            if padding == 2 && chunk & 0xFFFF != 0 { return nil }
            if padding == 1 && chunk & 0xFF != 0 { return nil }
            out.append(contentsOf: produced.prefix(3 - padding))
            index += 4
        }
        return out
    }

    static func value(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): char - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): char - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
