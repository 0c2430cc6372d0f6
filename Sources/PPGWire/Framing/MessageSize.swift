/// Message sizes as RFC 9112 writes them: digits only, so `-1`, `+5`, `0x10` and overflow are malformed rather
/// than a negative count that traps a read.
package enum MessageSize {
    /// A `Content-Length` value: 1*DIGIT, at most 15 digits.
    package static func contentLength(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 15, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// The length every `Content-Length` field of a message gives: each field a comma-separated list, each item
    /// digits only, and all items the same number (RFC 9110 §8.6 lets a recipient take `5, 5` as 5); `nil` for no
    /// field, an invalid item, or two different numbers. Requests and responses read it alike.
    package static func contentLength(fields: [String]) -> Int? {
        let items = fields.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { item in
            String(item.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        }
        guard let first = items.first, let length = contentLength(first) else { return nil }
        return items.allSatisfy({ contentLength($0) == length }) ? length : nil
    }

    /// A status code: exactly three digits, 100 to 999 (RFC 9110 §15). `+20`, `2000`, ` 20` are not one.
    package static func statusCode(_ text: some Collection<UInt8>) -> Int? {
        guard text.count == 3, text.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let code = text.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return code >= 100 ? code : nil
    }

    /// A chunk-size line: 1*HEXDIG, then optional white space and `;` extensions; at most 15 digits.
    package static func chunkSize(_ line: some Collection<UInt8>) -> Int? {
        var value = 0
        var digits = 0
        var index = line.startIndex
        while index != line.endIndex, let digit = Hex.value(line[index]).map(Int.init) {
            guard digits < 15 else { return nil }
            value = value * 16 + digit
            digits += 1
            index = line.index(after: index)
        }
        guard digits > 0 else { return nil }
        let rest = line[index...].drop { $0 == 0x20 || $0 == 0x09 }
        guard rest.isEmpty || rest.first == UInt8(ascii: ";") else { return nil }
        return value
    }
}
