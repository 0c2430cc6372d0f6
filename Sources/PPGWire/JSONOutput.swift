/// An ordered JSON value for writing: vector files in canonical form, `--json` outputs and reports.
///
/// Members keep the order they were given in, so that output is stable and reads like the format reference.
public enum JSONOutput: Sendable, Equatable {
    case object([(String, JSONOutput)])
    case array([JSONOutput])
    case string(String)
    /// A number as its exact text.
    case number(String)
    case bool(Bool)
    case null

    /// A whole number.
    /// - Parameter value: The number.
    /// - Returns: The JSON number.
    public static func integer(_ value: Int) -> JSONOutput { .number(String(value)) }

    /// A fractional number written with a `.` and at most `decimals` places, whatever the locale.
    /// - Parameters:
    ///   - value: The number.
    ///   - decimals: How many decimal places at most.
    /// - Returns: The JSON number.
    public static func decimal(_ value: Double, decimals: Int = 3) -> JSONOutput {
        .number(formatDecimal(value, decimals: decimals))
    }

    public static func == (lhs: JSONOutput, rhs: JSONOutput) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let a), .array(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    /// The member named `name`, if this is an object that has one.
    public subscript(name: String) -> JSONOutput? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == name }?.1
    }

    /// Renders the value.
    /// - Parameter pretty: Canonical multi-line form (two-space indent; arrays of scalars, or of arrays of
    ///   scalars, on one line) or compact.
    /// - Returns: The JSON text, without a trailing newline.
    public func rendered(pretty: Bool = true) -> String {
        var out = ""
        write(to: &out, indent: pretty ? 0 : nil)
        return out
    }

    var isScalar: Bool {
        switch self {
        case .object, .array: false
        default: true
        }
    }

    var isInline: Bool {
        switch self {
        case .object(let members): members.isEmpty
        case .array(let elements):
            elements.allSatisfy { element in
                if case .array(let inner) = element { return inner.allSatisfy(\.isScalar) }
                return element.isScalar
            }
        default: true
        }
    }

    func write(to out: inout String, indent: Int?, spaced: Bool = false) {
        switch self {
        case .string(let text): Self.writeString(text, to: &out)
        case .number(let text): out += text
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let elements):
            guard let indent, !isInline else {
                let spaced = spaced || indent != nil
                out += "["
                for (offset, element) in elements.enumerated() {
                    if offset > 0 { out += spaced ? ", " : "," }
                    // Inline arrays in pretty output stay spaced all the way down.
                    element.write(to: &out, indent: nil, spaced: spaced)
                }
                out += "]"
                return
            }
            let pad = String(repeating: " ", count: indent + 2)
            out += "[\n"
            for (offset, element) in elements.enumerated() {
                out += pad
                element.write(to: &out, indent: indent + 2)
                out += offset + 1 < elements.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            guard let indent, !members.isEmpty else {
                out += "{"
                for (offset, member) in members.enumerated() {
                    if offset > 0 { out += "," }
                    Self.writeString(member.0, to: &out)
                    out += ":"
                    member.1.write(to: &out, indent: nil)
                }
                out += "}"
                return
            }
            let pad = String(repeating: " ", count: indent + 2)
            out += "{\n"
            for (offset, member) in members.enumerated() {
                out += pad
                Self.writeString(member.0, to: &out)
                out += ": "
                member.1.write(to: &out, indent: indent + 2)
                out += offset + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// Minimal escaping: quote, backslash and control characters (and DEL, for visibility); everything else raw,
    /// or with `asciiOnly` every non-ASCII character as `\uXXXX` (UTF-16 units, so astral ones as a pair).
    package static func writeString(_ text: String, to out: inout String, asciiOnly: Bool = false) {
        // Escaped as bytes and appended once: appending scalar by scalar to a String cost more than the rest of
        // writing a body.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        writeString(text, to: &bytes, asciiOnly: asciiOnly)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// ``writeString(_:to:asciiOnly:)`` appending the literal's UTF-8 to bytes, for writers that build bytes.
    package static func writeString(_ text: String, to bytes: inout [UInt8], asciiOnly: Bool = false) {
        func escaped(_ letter: UInt8) {
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(letter)
        }
        func unit(_ value: UInt16) {
            escaped(UInt8(ascii: "u"))
            for shift in [12, 8, 4, 0] as [UInt16] { bytes.append(Hex.digits[Int((value >> shift) & 0x0F)]) }
        }
        func escape(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: "\""): escaped(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): escaped(UInt8(ascii: "\\"))
            case UInt8(ascii: "\n"): escaped(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): escaped(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): escaped(UInt8(ascii: "t"))
            case 0x08: escaped(UInt8(ascii: "b"))
            case 0x0C: escaped(UInt8(ascii: "f"))
            case 0x00...0x1F, 0x7F: unit(UInt16(byte))
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        if asciiOnly {
            for scalar in text.unicodeScalars {
                guard scalar.value >= 0x80 else {
                    escape(UInt8(truncatingIfNeeded: scalar.value))
                    continue
                }
                for value in scalar.utf16 { unit(value) }
            }
        } else {
            // UTF-8 past ASCII is copied as it is: none of its bytes is a quote, a backslash or a control.
            for byte in text.utf8 { escape(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// Formats a number with a `.` and at most `decimals` places, independent of the C locale.
/// - Parameters:
///   - value: The number.
///   - decimals: How many decimal places at most (trailing zeros are kept, so widths are stable).
/// - Returns: The text.
public func formatDecimal(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "0" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9.0e15 else { return String(Int64(value)) }
    let whole = Int64(scaled)
    let sign = value < 0 && whole != 0 ? "-" : ""
    let integerPart = whole / Int64(scale)
    guard decimals > 0 else { return sign + String(integerPart) }
    var fraction = String(whole % Int64(scale))
    fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
    return sign + String(integerPart) + "." + fraction
}

extension JSONValue {
    /// The value as an ordered output value, numbers kept as written, for canonical re-rendering.
    package func output(source: [UInt8]) -> JSONOutput {
        switch kind {
        case .object(let members): .object(members.map { ($0.nameString, $0.value.output(source: source)) })
        case .array(let elements): .array(elements.map { $0.output(source: source) })
        case .string(let bytes): .string(String(decoding: bytes, as: UTF8.self))
        case .number: .number(String(decoding: source[span], as: UTF8.self))
        case .bool(let value): .bool(value)
        case .null: .null
        }
    }
}
