/// The head of an HTTP/1.1 message (RFC 9112 §2): its start line and fields, read strictly — CRLF line ends, no
/// obsolete line folding, token field names, no NUL. The one reader of heads: requests (`RequestFramer`), responses
/// (`ResponseFramer`) and captured files go through it.
package struct HTTPHead: Sendable {
    /// The start line split at its first two spaces: method, target, version; or version, status, reason.
    package var startLine: [String]
    /// The fields, in order, values without their optional white space.
    package var fields: HTTPFields

    /// Whether a byte is a `tchar` (RFC 9110 §5.6.2): a table, since framing asks it for every byte of a name.
    package static func isToken(_ byte: UInt8) -> Bool { tokenTable[Int(byte)] }

    private static let tokenTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8 {
            table[Int(byte)] = true
        }
        return table
    }()

    /// The one end-of-head search: where the blank line that ends a head finishes, searching from `start`.
    /// - Parameters:
    ///   - bytes: The bytes received.
    ///   - start: Where to search from (a caller that searched before resumes 3 bytes before its end).
    /// - Returns: The index after CRLF CRLF, or `nil` before one has arrived.
    package static func end(in bytes: [UInt8], from start: Int) -> Int? {
        var index = max(0, start)
        let count = bytes.count
        while index + 3 < count {
            // Look at the fourth byte first: unless it is LF the blank line cannot end there, and unless it is CR
            // it cannot start within the next three bytes either.
            let fourth = bytes[index + 3]
            if fourth != 10 {
                index += fourth == 13 ? 1 : 4
                continue
            }
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 { return index + 4 }
            index += 1
        }
        return nil
    }

    /// Visits the fields of a head without building them: the name and value (optional white space removed) of
    /// each field line after the start line, checked as `parse` checks them.
    /// - Parameters:
    ///   - head: The bytes.
    ///   - range: The head, up to and including CRLF CRLF.
    ///   - field: Called with each field's name and value ranges in `head`.
    /// - Returns: The start line's range (without its CRLF).
    /// - Throws: `FramingError` of kind `malformed` naming what is wrong.
    package static func scan(
        _ head: [UInt8], _ range: Range<Int>, field: (Range<Int>, Range<Int>) -> Void
    ) throws(FramingError) -> Range<Int> {
        var lineStart = range.lowerBound
        var startLine: Range<Int>?
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = head[index]
            if byte == 13, index + 1 < range.upperBound, head[index + 1] == 10 {
                let line = lineStart..<index
                index += 2
                lineStart = index
                if startLine == nil {
                    guard !line.isEmpty else { throw FramingError(.malformed, "empty start line") }
                    startLine = line
                    continue
                }
                if line.isEmpty { break }
                try scanField(head, line, field)
                continue
            }
            if byte == 10 || byte == 13 || byte == 0 {
                throw FramingError(.malformed, "bare CR, LF or NUL in the head")
            }
            index += 1
        }
        guard let startLine else { throw FramingError(.malformed, "empty start line") }
        return startLine
    }

    private static func scanField(
        _ head: [UInt8], _ line: Range<Int>, _ field: (Range<Int>, Range<Int>) -> Void
    ) throws(FramingError) {
        var colon = line.lowerBound
        while colon < line.upperBound && head[colon] != UInt8(ascii: ":") {
            // RFC 9112 §5.1: no white space between a name and its colon; a name is a token.
            guard isToken(head[colon]) else { throw FramingError(.malformed, "invalid character in a header name") }
            colon += 1
        }
        guard colon < line.upperBound, colon > line.lowerBound else {
            throw FramingError(.malformed, "a header line without a name and ':'")
        }
        // Optional white space around the value is not part of it (RFC 9110 §5.5).
        var start = colon + 1
        var end = line.upperBound
        while start < end && (head[start] == 0x20 || head[start] == 0x09) { start += 1 }
        while end > start && (head[end - 1] == 0x20 || head[end - 1] == 0x09) { end -= 1 }
        field(line.lowerBound..<colon, start..<end)
    }

    /// Parses a head, everything up to and including CRLF CRLF.
    /// - Parameter head: The bytes.
    /// - Returns: The start line and fields.
    /// - Throws: `FramingError` of kind `malformed`.
    package static func parse(_ head: [UInt8]) throws(FramingError) -> HTTPHead {
        try parse(head, 0..<head.count)
    }

    /// Parses the head at `range` of `bytes`.
    package static func parse(_ bytes: [UInt8], _ range: Range<Int>) throws(FramingError) -> HTTPHead {
        var fields: HTTPFields = []
        let line = try scan(bytes, range) { name, value in
            fields.append(
                name: String(decoding: bytes[name], as: UTF8.self), value: String(decoding: bytes[value], as: UTF8.self)
            )
        }
        let startLine = bytes[line].split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        return HTTPHead(startLine: startLine, fields: fields)
    }
}
