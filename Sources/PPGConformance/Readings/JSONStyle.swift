import PPGWire

/// How a JSON library writes a parsed body back: the members of the re-serialisation family. A receiver that
/// parses the body and signs what its library writes differs from the raw body in one of these ways, and each way
/// is a reading the diagnosis can confirm on the wire (SPEC.md R6: json-body signs the raw bytes).
public enum JSONStyle: String, Sendable, Hashable, CaseIterable {
    /// `JSON.stringify(JSON.parse(body))`: compact, only the required escapes, numbers through doubles.
    case javascript = "JavaScript's JSON.stringify"
    /// Python's `json.dumps` as called without options: `", "` and `": "`, non-ASCII as `\uXXXX`.
    case pythonDefault = "Python's json.dumps"
    /// `json.dumps(..., separators=(",", ":"))`: compact, non-ASCII as `\uXXXX`.
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
        case .pythonDefault: "', ' and ': ' between members, non-ASCII as \\u escapes"
        case .pythonCompact: "compact, non-ASCII as \\u escapes"
        case .pythonCompactUnicode: "compact, non-ASCII as written"
        case .goMap: "keys sorted, '<' as \\u003c ('>' '&' U+2028 U+2029 too), numbers through float64"
        case .phpDefault: "'/' as '\\/', non-ASCII as \\u escapes"
        case .phpUnescaped: "compact, '/' and non-ASCII as written"
        case .ruby: "compact, non-ASCII as written"
        }
    }

    var separators: (member: String, name: String) { self == .pythonDefault ? (", ", ": ") : (",", ":") }
    var asciiOnly: Bool { [.pythonDefault, .pythonCompact, .phpDefault].contains(self) }
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

    private func number(_ text: String) -> String {
        let integer = !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        if integer && keepsIntegers {
            // Python, PHP and Ruby keep an integer's digits; `-0` is the integer 0.
            return text == "-0" ? "0" : text
        }
        let double = SignedMessage.throughDouble(text)
        // Python and Ruby write a float that is whole with `.0`; PHP with serialize_precision -1 too.
        if keepsIntegers && !double.contains(where: { $0 == "." || $0 == "e" || $0 == "E" || $0 == "n" }) {
            return double + ".0"
        }
        return double
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
                if scalar.value < 0x20 || (asciiOnly && scalar.value >= 0x80) {
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
