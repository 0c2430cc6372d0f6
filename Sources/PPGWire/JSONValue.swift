/// A strict RFC 8259 JSON parser that keeps each value's byte span in the source.
///
/// The url-params signing input needs a member's text exactly as sent (`1.50` stays `1.50`, a nested object is
/// its own bytes), which re-serialising parsers lose; the vector loader needs spans for line:column errors.
package struct JSONValue: Sendable {
    package enum Kind: Sendable {
        case object([JSONMember])
        case array([JSONValue])
        /// The decoded string as UTF-8 bytes.
        case string([UInt8])
        case number
        case bool(Bool)
        case null
    }

    package var kind: Kind
    /// Byte offsets of the value in the parsed text.
    package var span: Range<Int>

    package var typeName: String {
        switch kind {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }
}

package struct JSONMember: Sendable {
    /// The decoded member name as UTF-8 bytes.
    package var name: [UInt8]
    package var nameSpan: Range<Int>
    package var value: JSONValue

    package var nameString: String { String(decoding: name, as: UTF8.self) }
}

/// Why a text is not JSON, and where.
package struct JSONParseError: Error, Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case unexpectedEnd, unexpectedCharacter, invalidEscape, loneSurrogate, invalidUTF8, controlCharacter
        case invalidNumber, trailingData, tooDeep, byteOrderMark
    }

    package var kind: Kind
    /// Byte offset of the problem.
    package var offset: Int
    package var message: String
}

/// The decoded value of a top-level string member of a JSON object body, e.g. a delivery's `projectId`.
/// - Parameters:
///   - name: The member name.
///   - body: The body bytes.
/// - Returns: The string, or `nil` when the body is not a JSON object or the member is absent or not a string.
package func jsonStringMember(_ name: String, in body: [UInt8]) -> String? {
    guard let value = try? JSONParser.parse(body), case .object(let members) = value.kind,
        let member = members.first(where: { $0.nameString == name }),
        case .string(let bytes) = member.value.kind
    else { return nil }
    return String(decoding: bytes, as: UTF8.self)
}

/// Line and column (both from 1, columns in bytes) of a byte offset.
package func jsonLocation(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
    var line = 1
    var column = 1
    for byte in bytes.prefix(offset) {
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }
    return (line, column)
}

package struct JSONParser {
    /// Nesting deeper than this is refused, so that hostile input cannot exhaust the stack.
    package static let maximumDepth = 256

    private let bytes: [UInt8]
    private var index = 0
    /// The top-level member whose array elements go to `visit` one by one instead of into the tree.
    private var streamed: (name: [UInt8], visit: (JSONValue) -> Void)?

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one JSON text; white space around it is allowed, anything else after it is not.
    /// - Parameter bytes: The text as UTF-8.
    /// - Returns: The value with spans.
    package static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseText()
    }

    /// The whole text as one value: no byte order mark before it, only white space around it.
    private mutating func parseText() throws(JSONParseError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw JSONParseError(kind: .byteOrderMark, offset: 0, message: "byte order mark before the JSON text")
        }
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if index != bytes.count {
            throw error(.trailingData, "unexpected data after the JSON value")
        }
        return value
    }

    /// Parses a JSON text as `parse` does, except that the elements of one array member of the top-level object are
    /// handed to `visit` as each is parsed and not kept: a report of a million outcomes is read in the memory of one.
    /// - Parameters:
    ///   - bytes: The text as UTF-8.
    ///   - member: The top-level member whose elements are streamed; its value in the tree is an empty array.
    ///   - visit: Called with each element, in order.
    /// - Returns: The value with spans, without the streamed elements.
    package static func parse(
        _ bytes: [UInt8], streaming member: String, _ visit: (JSONValue) -> Void
    ) throws(JSONParseError) -> JSONValue {
        try withoutActuallyEscaping(visit) { visit throws(JSONParseError) in
            var parser = JSONParser(bytes: bytes)
            parser.streamed = (Array(member.utf8), visit)
            return try parser.parseText()
        }
    }

    private func error(_ kind: JSONParseError.Kind, _ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(kind: kind, offset: offset ?? index, message: message)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + Hex.encode([byte])
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error(.unexpectedEnd, "unexpected end of JSON, expected a value") }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { throw error(.tooDeep, "JSON nested too deeply") }
            return try parseObject(depth: depth)
        case UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { throw error(.tooDeep, "JSON nested too deeply") }
            return try parseArray(depth: depth)
        case UInt8(ascii: "\""):
            let decoded = try parseString()
            return JSONValue(kind: .string(decoded), span: start..<index)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return JSONValue(kind: .bool(true), span: start..<index)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return JSONValue(kind: .bool(false), span: start..<index)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return JSONValue(kind: .null, span: start..<index)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try parseNumber()
            return JSONValue(kind: .number, span: start..<index)
        default:
            throw error(.unexpectedCharacter, "unexpected \(describe(bytes[index])), expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        guard index + count <= bytes.count, bytes[index..<(index + count)].elementsEqual(expected) else {
            throw error(.unexpectedCharacter, "invalid literal, expected '\(literal)'")
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        let start = index
        index += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return JSONValue(kind: .object(members), span: start..<index)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error(.unexpectedEnd, "unexpected end of JSON in an object") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw error(.unexpectedCharacter, "unexpected \(describe(bytes[index])), expected a member name")
            }
            let nameStart = index
            let name = try parseString()
            let nameSpan = nameStart..<index
            skipWhitespace()
            guard index < bytes.count else { throw error(.unexpectedEnd, "unexpected end of JSON in an object") }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw error(.unexpectedCharacter, "unexpected \(describe(bytes[index])), expected ':'")
            }
            index += 1
            skipWhitespace()
            let value: JSONValue
            if depth == 0, let streamed, name == streamed.name, index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                value = try parseArray(depth: depth + 1, each: streamed.visit)
            } else {
                value = try parseValue(depth: depth + 1)
            }
            members.append(JSONMember(name: name, nameSpan: nameSpan, value: value))
            skipWhitespace()
            guard index < bytes.count else { throw error(.unexpectedEnd, "unexpected end of JSON in an object") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return JSONValue(kind: .object(members), span: start..<index)
            default:
                throw error(.unexpectedCharacter, "unexpected \(describe(bytes[index])), expected ',' or '}'")
            }
        }
    }

    /// An array; with `each`, its elements go there one by one and the value holds none.
    private mutating func parseArray(
        depth: Int, each: ((JSONValue) -> Void)? = nil
    ) throws(JSONParseError) -> JSONValue {
        let start = index
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return JSONValue(kind: .array(elements), span: start..<index)
        }
        while true {
            skipWhitespace()
            let element = try parseValue(depth: depth + 1)
            if let each { each(element) } else { elements.append(element) }
            skipWhitespace()
            guard index < bytes.count else { throw error(.unexpectedEnd, "unexpected end of JSON in an array") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return JSONValue(kind: .array(elements), span: start..<index)
            default:
                throw error(.unexpectedCharacter, "unexpected \(describe(bytes[index])), expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(JSONParseError) {
        let start = index
        func digits(_ parser: inout JSONParser) -> Int {
            var count = 0
            while parser.index < parser.bytes.count,
                parser.bytes[parser.index] >= UInt8(ascii: "0"), parser.bytes[parser.index] <= UInt8(ascii: "9")
            {
                parser.index += 1
                count += 1
            }
            return count
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index < bytes.count && bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits(&self) == 0 {
            throw error(.invalidNumber, "invalid number", at: start)
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw error(.invalidNumber, "invalid number: no digits after '.'") }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard digits(&self) > 0 else { throw error(.invalidNumber, "invalid number: no digits in exponent") }
        }
    }

    private mutating func hexQuad() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error(.unexpectedEnd, "unexpected end of JSON in a \\u escape") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = Hex.value(bytes[index + offset]) else {
                throw error(.invalidEscape, "invalid \\u escape", at: index + offset)
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | (scalar >> 12) & 0x3F))
            out.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Length of the well-formed UTF-8 sequence at `index` (RFC 3629: no overlongs, no surrogates), or nil.
    private func utf8SequenceLength() -> Int? {
        let lead = bytes[index]
        let count: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: count = 2
        case 0xE0: count = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: count = 3
        case 0xED: count = 3; high = 0x9F
        case 0xF0: count = 4; low = 0x90
        case 0xF1...0xF3: count = 4
        case 0xF4: count = 4; high = 0x8F
        default: return nil
        }
        guard index + count <= bytes.count else { return nil }
        guard bytes[index + 1] >= low && bytes[index + 1] <= high else { return nil }
        for offset in 2..<max(2, count) where bytes[index + offset] & 0xC0 != 0x80 { return nil }
        return count
    }

    private mutating func parseString() throws(JSONParseError) -> [UInt8] {
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error(.unexpectedEnd, "unexpected end of JSON in a string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return out
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error(.unexpectedEnd, "unexpected end of JSON in an escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let escapeStart = index - 2
                    let unit = try hexQuad()
                    if unit >= 0xD800 && unit < 0xDC00 {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else {
                            throw error(.loneSurrogate, "unpaired surrogate in a \\u escape", at: escapeStart)
                        }
                        index += 2
                        let second = try hexQuad()
                        guard second >= 0xDC00 && second < 0xE000 else {
                            throw error(.loneSurrogate, "unpaired surrogate in a \\u escape", at: escapeStart)
                        }
                        Self.appendUTF8(0x10000 + ((unit - 0xD800) << 10) + (second - 0xDC00), to: &out)
                    } else if unit >= 0xDC00 && unit < 0xE000 {
                        throw error(.loneSurrogate, "unpaired surrogate in a \\u escape", at: escapeStart)
                    } else {
                        Self.appendUTF8(unit, to: &out)
                    }
                default:
                    throw error(.invalidEscape, "invalid escape '\\\(describe(escape))'", at: index - 2)
                }
            case 0..<0x20:
                throw error(.controlCharacter, "unescaped control character in a string")
            case 0x20..<0x80:
                // A run of plain ASCII, appended at once: most of a webhook's strings are nothing else.
                let end = bytes.withUnsafeBufferPointer { buffer in
                    var end = index + 1
                    while end < buffer.count {
                        let next = buffer[end]
                        guard next >= 0x20 && next < 0x80 && next != UInt8(ascii: "\"") && next != UInt8(ascii: "\\")
                        else { break }
                        end += 1
                    }
                    return end
                }
                out.append(contentsOf: bytes[index..<end])
                index = end
            default:
                guard let length = utf8SequenceLength() else { throw error(.invalidUTF8, "invalid UTF-8 in a string") }
                out.append(contentsOf: bytes[index..<(index + length)])
                index += length
            }
        }
    }
}
