import PPGWire

/// How a JSON library writes a parsed body back: the members of the re-serialisation family. A receiver that
/// parses the body and signs what its library writes differs from the raw body in one of these ways, and each way
/// is a reading the diagnosis can confirm on the wire (SPEC.md R6: json-body signs the raw bytes).
public enum JSONStyle: String, Sendable, Hashable, CaseIterable {
    /// `JSON.stringify(JSON.parse(body))`: compact, only the required escapes, numbers through doubles.
    case javascript = "JavaScript's JSON.stringify"
    /// Python's `json.dumps` as called without options: `", "` and `": "`, non-ASCII and DEL as `\uXXXX`.
    case pythonDefault = "Python's json.dumps"
    /// `json.dumps(..., separators=(",", ":"))`: compact, non-ASCII and DEL as `\uXXXX`.
    case pythonCompact = "Python's json.dumps with separators=(',', ':')"
    /// `json.dumps(..., separators=(",", ":"), ensure_ascii=False)`: compact, non-ASCII as written.
    case pythonCompactUnicode = "Python's json.dumps with separators=(',', ':') and ensure_ascii=False"
    /// Go's `json.Marshal` of a `map[string]any`: keys sorted, `<` `>` `&` U+2028 U+2029 escaped, numbers as
    /// float64.
    case goMap = "Go's json.Marshal of a map"
    /// PHP's `json_encode` without flags: `/` as `\/`, non-ASCII as `\uXXXX`.
    case phpDefault = "PHP's json_encode"
    /// `json_encode($data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)`.
    case phpUnescaped = "PHP's json_encode with JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE"
    /// Ruby's `JSON.generate` / `to_json`: compact, non-ASCII as written, integers kept.
    case ruby = "Ruby's to_json"

    /// What this member does to a body, for a person.
    public var effect: String {
        switch self {
        case .javascript: "compact, only the required escapes, numbers through doubles"
        case .pythonDefault: "', ' and ': ' between members, non-ASCII and DEL as \\u escapes"
        case .pythonCompact: "compact, non-ASCII and DEL as \\u escapes"
        case .pythonCompactUnicode: "compact, non-ASCII as written"
        case .goMap: "keys sorted, '<' as \\u003c ('>' '&' U+2028 U+2029 too), numbers through float64"
        case .phpDefault: "'/' as '\\/', non-ASCII as \\u escapes"
        case .phpUnescaped: "compact, '/' and non-ASCII as written"
        case .ruby: "compact, non-ASCII as written"
        }
    }

    var separators: (member: String, name: String) { self == .pythonDefault ? (", ", ": ") : (",", ":") }
    /// The first scalar written as a `\u` escape where the library writes only ASCII: Python's `ensure_ascii`
    /// escapes everything outside `' '...'~'`, DEL included; PHP's default escapes from U+0080 (both measured here).
    var firstEscaped: UInt32? {
        switch self {
        case .pythonDefault, .pythonCompact: 0x7F
        case .phpDefault: 0x80
        default: nil
        }
    }
    var sortsKeys: Bool { self == .goMap }
    var htmlSafe: Bool { self == .goMap }
    var escapesSlash: Bool { self == .phpDefault }
    /// Whether integers are kept exactly (arbitrary-precision or 64-bit integers) rather than through doubles.
    var keepsIntegers: Bool {
        [.pythonDefault, .pythonCompact, .pythonCompactUnicode, .phpDefault, .phpUnescaped, .ruby]
            .contains(self)
    }

    /// A parsed body written back in this style. Duplicate names keep the first's place and the last's value, as
    /// every one of these libraries' maps do.
    /// - Parameters:
    ///   - value: The parsed body.
    ///   - source: The bytes it was parsed from (for number texts).
    /// - Returns: The bytes the library writes.
    func encode(_ value: JSONValue, source: [UInt8]) -> [UInt8] {
        var out = ""
        write(value, source: source, to: &out)
        return Array(out.utf8)
    }

    private func write(_ value: JSONValue, source: [UInt8], to out: inout String) {
        switch value.kind {
        case .object(let members):
            var names: [String] = []
            var values: [String: JSONValue] = [:]
            for member in members {
                let name = member.nameString
                if values[name] == nil { names.append(name) }
                values[name] = member.value
            }
            if sortsKeys { names.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } }
            out += "{"
            for (index, name) in names.enumerated() {
                if index > 0 { out += separators.member }
                writeString(name, to: &out)
                out += separators.name
                if let member = values[name] { write(member, source: source, to: &out) }
            }
            out += "}"
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += separators.member }
                write(element, source: source, to: &out)
            }
            out += "]"
        case .string(let bytes): writeString(String(decoding: bytes, as: UTF8.self), to: &out)
        case .number: out += number(String(decoding: source[value.span], as: UTF8.self))
        case .bool(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        }
    }

    /// A number as the library writes it back: an integer's digits where it keeps integers (PHP only within 64
    /// bits), otherwise the double its parser made, in the library's own notation (measured against each library:
    /// where it switches to an exponent, how it pads one, whether a whole double keeps `.0`, what `-0` becomes).
    private func number(_ text: String) -> String {
        let integer = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        let isPHP = self == .phpDefault || self == .phpUnescaped
        if integer && keepsIntegers && (!isPHP || Int64(text) != nil) {
            // Python, PHP and Ruby keep an integer's digits; `-0` is the integer 0.
            return text == "-0" ? "0" : text
        }
        guard let value = Double(text), value.isFinite, let double = ShortestDouble(value) else { return text }
        // JavaScript alone writes -0 as 0.
        let sign = double.negative && !(self == .javascript && double.digits == "0") ? "-" : ""
        let (fixed, wholeSuffix, pointOne, pad): (ClosedRange<Int>, Bool, Bool, Int) =
            switch self {
            case .javascript, .goMap: (-6...20, false, false, 1)
            case .pythonDefault, .pythonCompact, .pythonCompactUnicode: (-4...15, true, false, 2)
            case .ruby: (-4...14, true, true, 2)
            case .phpDefault, .phpUnescaped: (-4...16, false, true, 1)
            }
        if double.digits == "0" || fixed.contains(double.exponent) {
            let written = double.fixed
            return sign + written + (wholeSuffix && !written.contains(".") ? ".0" : "")
        }
        return sign + double.scientific(pointOne: pointOne, exponentDigits: pad)
    }

    private func writeString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escapesSlash: out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            // A `where` binds only the last pattern of a case: the HTML-safe set is tested on its own.
            case _ where htmlSafe && ["<", ">", "&", "\u{2028}", "\u{2029}"].contains(scalar):
                out += escape(scalar)
            default:
                if scalar.value < 0x20 || firstEscaped.map({ scalar.value >= $0 }) == true {
                    out += escape(scalar)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `\uXXXX` in lowercase hex, a surrogate pair past the BMP.
    private func escape(_ scalar: Unicode.Scalar) -> String {
        String(scalar).utf16.map { unit in
            "\\u" + Hex.encode([UInt8(unit >> 8), UInt8(truncatingIfNeeded: unit)])
        }.joined()
    }
}

/// A finite double's shortest decimal digits and exponent (`d.ddd × 10^exponent`), taken from Swift's own shortest
/// form, which every library here agrees with on the digits; only the notation differs.
struct ShortestDouble {
    var negative: Bool
    /// The significant digits, without leading or trailing zeros; `"0"` for zero.
    var digits: String
    /// The power of ten of the first digit.
    var exponent: Int

    init?(_ value: Double) {
        negative = value.sign == .minus
        let text = value.magnitude.description
        let parts = text.split(separator: "e", omittingEmptySubsequences: false)
        guard let mantissa = parts.first, parts.count <= 2 else { return nil }
        let power = parts.count == 2 ? Int(parts[1]) : 0
        guard let power else { return nil }
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = pieces.first.map(String.init) ?? ""
        let fraction = pieces.count > 1 ? String(pieces[1]) : ""
        let all = whole + fraction
        let leading = all.prefix { $0 == "0" }.count
        let significant = all.dropFirst(leading).trimmingSuffix { $0 == "0" }
        digits = significant.isEmpty ? "0" : significant
        exponent = significant.isEmpty ? 0 : whole.count - 1 - leading + power
    }

    /// The digits without an exponent: `1000`, `0.0001`, `123.456`.
    var fixed: String {
        guard digits != "0" else { return "0" }
        if exponent < 0 { return "0." + String(repeating: "0", count: -exponent - 1) + digits }
        if exponent + 1 >= digits.count { return digits + String(repeating: "0", count: exponent + 1 - digits.count) }
        let point = digits.index(digits.startIndex, offsetBy: exponent + 1)
        return digits[..<point] + "." + digits[point...]
    }

    /// With an exponent: `1e+23` (JavaScript), `1e-07` (Python), `1.0e-07` (Ruby), `1.0e-7` (PHP).
    func scientific(pointOne: Bool, exponentDigits: Int) -> String {
        let first = String(digits.prefix(1))
        let rest = digits.dropFirst()
        let mantissa = rest.isEmpty ? (pointOne ? first + ".0" : first) : first + "." + rest
        let magnitude = String(abs(exponent))
        let padded = String(repeating: "0", count: max(0, exponentDigits - magnitude.count)) + magnitude
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + padded
    }
}
