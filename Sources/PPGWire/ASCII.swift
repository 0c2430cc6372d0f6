// ASCII helpers every layer needs: hexadecimal, RFC 4648 base64, case-insensitive comparison of tokens.

/// Lowercase hexadecimal.
package enum Hex {
    package static let digits: [UInt8] = Array("0123456789abcdef".utf8)

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

    package static func value(_ char: UInt8) -> UInt8? {
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

/// ASCII case and white space, without Foundation and without allocating where it can: field names and tokens
/// are compared on every request.
package enum ASCII {
    package static func lowercased(_ bytes: [UInt8]) -> [UInt8] {
        // Not generic, and in place: signatures and media types are lowercased on every delivery.
        var out = bytes
        for index in out.indices where out[index] >= UInt8(ascii: "A") && out[index] <= UInt8(ascii: "Z") {
            out[index] += 32
        }
        return out
    }

    /// Removes leading and trailing SP and HTAB, the optional white space of RFC 9110 §5.6.3.
    package static func trimmingWhitespace(_ bytes: [UInt8]) -> [UInt8] {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return Array(bytes[first...last])
    }

    /// Compares ASCII case-insensitively without allocating: header names are compared on every request.
    package static func equalsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        // Not generic, so callers in other modules get this loop rather than an unspecialised one.
        var left = lhs
        var right = rhs
        return left.withUTF8 { a in
            right.withUTF8 { b in
                guard a.count == b.count else { return false }
                for index in 0..<a.count where a[index] != b[index] {
                    let folded = a[index] | 0x20
                    guard folded == b[index] | 0x20, folded >= 0x61, folded <= 0x7A else { return false }
                }
                return true
            }
        }
    }

    /// Whether bytes spell a lowercase ASCII word, compared case-insensitively, without allocating: framing asks
    /// it for every field name of every response.
    package static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        var index = bytes.startIndex
        for byte in UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount) {
            let have = bytes[index]
            guard have == byte || (have >= 65 && have <= 90 && have + 32 == byte) else { return false }
            index += 1
        }
        return true
    }

    /// Whether bytes hold a lowercase ASCII word anywhere, compared case-insensitively.
    package static func containsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        let count = lowercase.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        for offset in bytes.startIndex...(bytes.endIndex - count)
        where equalsIgnoringCase(bytes[offset..<offset + count], lowercase) {
            return true
        }
        return false
    }

    package static func equalsIgnoringCase(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        lhs.utf8.count == rhs.utf8.count
            && zip(lhs.utf8, rhs.utf8).allSatisfy { pair in
                let (left, right) = pair
                return left == right || (left | 0x20 == right | 0x20 && (0x61...0x7A).contains(left | 0x20))
            }
    }
}
