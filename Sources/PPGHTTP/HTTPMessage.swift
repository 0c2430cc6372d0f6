import PPGWire

extension HTTPRequest {
    /// Where a message's head ends in its bytes: the index after the blank line, or `nil` before one arrives.
    /// - Parameter bytes: A message's bytes.
    /// - Returns: The length of the head, blank line included.
    public static func headLength(in bytes: [UInt8]) -> Int? {
        MessageReader.headEnd(in: bytes, from: 0)
    }

    /// The bytes of this request as the harness sends it: `Host` first and `Content-Length` last unless the fields
    /// carry them, an empty value written `Name:` as curl writes it.
    /// - Parameters:
    ///   - host: The `Host` value, used unless the headers carry one.
    ///   - chunked: Send the body with `Transfer-Encoding: chunked`, in two chunks where it can.
    /// - Returns: The request as sent.
    public func serialized(host: String, chunked: Bool = false) -> [UInt8] {
        // Bytes appended, not text concatenated: `load` serialises up to 131,072 requests before its clock starts.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(
            128 + target.utf8.count + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
                + body.count)
        func line(_ parts: String...) {
            for part in parts { bytes.append(contentsOf: part.utf8) }
            bytes.append(contentsOf: [13, 10])
        }
        line(method, " ", target, " ", version)
        if !headers.contains("Host") { line("Host: ", host) }
        for header in headers { line(header.name, header.value.isEmpty ? ":" : ": ", header.value) }
        if chunked {
            if !headers.contains("Transfer-Encoding") { line("Transfer-Encoding: chunked") }
        } else if !headers.contains("Content-Length") && (!body.isEmpty || method != "GET") {
            line("Content-Length: ", String(body.count))
        }
        bytes.append(contentsOf: [13, 10])
        if chunked {
            // Two chunks when possible, so that a receiver reading only the first is caught.
            let half = body.count / 2
            for piece in [body[..<half], body[half...]] where !piece.isEmpty {
                bytes += Array(String(piece.count, radix: 16).utf8) + [13, 10] + piece + [13, 10]
            }
            bytes += Array("0\r\n\r\n".utf8)
        } else {
            bytes += body
        }
        return bytes
    }
}

extension HTTPResponse {
    /// The bytes of this response as the server sends it; Content-Length and Connection are added.
    /// - Parameters:
    ///   - keepAlive: Whether the connection stays open.
    ///   - toHEAD: Whether it answers a HEAD request, which gets the fields without the content.
    /// - Returns: The response as sent.
    public func serialized(keepAlive: Bool, toHEAD: Bool = false) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason)\r\n"
        for header in headers { text += "\(header.name): \(header.value)\r\n" }
        text += "Content-Length: \(body.count)\r\n"
        text += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        text += "\r\n"
        // RFC 9110 §9.3.2: the answer to HEAD has the fields the GET answer would have, and no content.
        return toHEAD ? Array(text.utf8) : Array(text.utf8) + body
    }
}

/// Reads HTTP/1.1 framing from a socket with one buffer, honouring caps and deadlines.
struct MessageReader {
    let socket: Socket
    private(set) var buffer: [UInt8] = []

    init(socket: Socket) {
        self.socket = socket
    }

    /// Whether bytes are already buffered (a pipelined request, or junk after a response).
    var hasBufferedBytes: Bool { !buffer.isEmpty }

    private mutating func fill(deadline: Deadline) throws(HTTPError) -> Bool {
        let bytes = try socket.receive(maximum: 65_536, deadline: deadline)
        if bytes.isEmpty { return false }
        buffer += bytes
        return true
    }

    /// Reads up to and including the blank line that ends a head; `nil` when the peer closed before any byte.
    /// With `expectedStart` (a client reading a response: `HTTP/`), a peer whose first bytes differ is not
    /// speaking HTTP, and is told at once rather than after the deadline.
    mutating func readHead(
        limit: Int, firstByteDeadline: Deadline, deadline: Deadline, expectedStart: [UInt8] = []
    ) throws(HTTPError) -> [UInt8]? {
        var searchFrom = 0
        while true {
            let compared = min(buffer.count, expectedStart.count)
            if buffer[..<compared].elementsEqual(expectedStart[..<compared]) == false {
                throw HTTPError(
                    kind: .malformed,
                    message: "not HTTP: the answer begins '\(OutsideText.escape(buffer, for: .ascii(limit: 40)))'")
            }
            if let end = Self.headEnd(in: buffer, from: searchFrom) {
                guard end <= limit else {
                    throw HTTPError(kind: .tooLarge, message: "header section over \(limit) bytes")
                }
                let head = Array(buffer[..<end])
                buffer.removeFirst(end)
                return head
            }
            if buffer.count > limit { throw HTTPError(kind: .tooLarge, message: "header section over \(limit) bytes") }
            searchFrom = max(0, buffer.count - 3)
            let filled = try fill(deadline: buffer.isEmpty ? firstByteDeadline : deadline)
            if !filled {
                if buffer.isEmpty { return nil }
                throw HTTPError(kind: .reset, message: "connection closed in the middle of a header section")
            }
        }
    }

    static func headEnd(in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = max(0, start)
        while index + 3 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                return index + 4
            }
            index += 1
        }
        return nil
    }

    mutating func readExactly(_ count: Int, deadline: Deadline) throws(HTTPError) -> [UInt8] {
        while buffer.count < count {
            guard try fill(deadline: deadline) else {
                throw HTTPError(kind: .reset, message: "connection closed after \(buffer.count) of \(count) body bytes")
            }
        }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    mutating func readToEnd(limit: Int, deadline: Deadline) throws(HTTPError) -> [UInt8] {
        while try fill(deadline: deadline) {
            if buffer.count > limit { throw HTTPError(kind: .tooLarge, message: "body over \(limit) bytes") }
        }
        defer { buffer.removeAll() }
        return buffer
    }

    private mutating func readLine(limit: Int, deadline: Deadline) throws(HTTPError) -> [UInt8] {
        while true {
            if let end = buffer.firstIndex(of: 10) {
                var line = Array(buffer[..<end])
                buffer.removeFirst(end + 1)
                if line.last == 13 { line.removeLast() }
                return line
            }
            if buffer.count > limit { throw HTTPError(kind: .malformed, message: "chunk line over \(limit) bytes") }
            guard try fill(deadline: deadline) else {
                throw HTTPError(kind: .reset, message: "connection closed inside a chunked body")
            }
        }
    }

    /// Framing bytes (chunk-size lines with their extensions, trailer fields) a chunked body may carry besides its
    /// data: a server that sends more is not answering, it is streaming.
    static let maximumFramingBytes = 65_536

    /// Decodes a chunked body, trailers skipped; chunk-size lines and trailers together are bounded too.
    mutating func readChunked(limit: Int, deadline: Deadline) throws(HTTPError) -> [UInt8] {
        var body: [UInt8] = []
        var framing = 0
        func count(_ line: [UInt8]) throws(HTTPError) {
            framing += line.count + 2
            if framing > Self.maximumFramingBytes {
                throw HTTPError(
                    kind: .tooLarge,
                    message: "chunk extensions and trailer fields over \(Self.maximumFramingBytes) bytes")
            }
        }
        while true {
            let line = try readLine(limit: 1024, deadline: deadline)
            try count(line)
            guard let size = MessageSize.chunkSize(line) else {
                throw HTTPError(
                    kind: .malformed,
                    message: "invalid chunk size line '\(OutsideText.escape(line, for: .ascii(limit: 20)))'")
            }
            if size == 0 {
                while true {
                    let trailer = try readLine(limit: 8192, deadline: deadline)
                    try count(trailer)
                    if trailer.isEmpty { return body }
                }
            }
            guard body.count + size <= limit else {
                throw HTTPError(kind: .tooLarge, message: "body over \(limit) bytes")
            }
            body += try readExactly(size, deadline: deadline)
            guard try readLine(limit: 2, deadline: deadline).isEmpty else {
                throw HTTPError(kind: .malformed, message: "chunk not followed by CRLF")
            }
        }
    }
}

/// The start line and fields of a head.
struct ParsedHead {
    var startLine: [String]
    var headers: HTTPFields

    static let tokenCharacters = Set(
        "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    /// Parses a head (everything up to and including CRLF CRLF), strictly: no obsolete line folding, token names.
    static func parse(_ head: [UInt8]) throws(HTTPError) -> ParsedHead {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < head.count {
            let byte = head[index]
            if byte == 13 && index + 1 < head.count && head[index + 1] == 10 {
                lines.append(current)
                current = []
                index += 2
                continue
            }
            if byte == 10 || byte == 13 || byte == 0 {
                throw HTTPError(kind: .malformed, message: "bare CR, LF or NUL in the head")
            }
            current.append(byte)
            index += 1
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first, !first.isEmpty else {
            throw HTTPError(kind: .malformed, message: "empty start line")
        }
        let startLine = first.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        var headers: HTTPFields = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
                throw HTTPError(kind: .malformed, message: "a header line without a name and ':'")
            }
            let name = line[..<colon]
            guard name.allSatisfy({ tokenCharacters.contains($0) }) else {
                throw HTTPError(kind: .malformed, message: "invalid character in a header name")
            }
            // Optional white space around the value is not part of it (RFC 9110 §5.5).
            var start = colon + 1
            var end = line.count
            while start < end && (line[start] == 0x20 || line[start] == 0x09) { start += 1 }
            while end > start && (line[end - 1] == 0x20 || line[end - 1] == 0x09) { end -= 1 }
            headers.append(
                name: String(decoding: name, as: UTF8.self), value: String(decoding: line[start..<end], as: UTF8.self))
        }
        return ParsedHead(startLine: startLine, headers: headers)
    }
}

extension HTTPRequest {
    /// Parses one complete request as captured: request line, header fields, then a body framed by
    /// Content-Length, chunked, or (neither) everything that follows.
    /// - Parameter raw: The request's bytes.
    /// - Returns: The request.
    /// - Throws: `HTTPError` of kind `malformed` naming what is wrong.
    public static func parse(raw: [UInt8]) throws(HTTPError) -> HTTPRequest {
        // The server's own framing, without its size caps: a capture is read as `serve` reads the wire.
        var framer = RequestFramer(
            limits: RequestFramer.Limits(
                maximumHeadBytes: Int.max / 2, maximumBodyBytes: Int.max / 2, maximumTargetBytes: Int.max / 2,
                checksHost: false))
        framer.append(raw)
        switch framer.next() {
        case .request(var request, _, _):
            // A capture without Content-Length or chunked framing keeps what follows the head as its body.
            let declared = request.headers.contains("Content-Length") || request.headers.contains("Transfer-Encoding")
            if !declared, let end = MessageReader.headEnd(in: raw, from: 0) { request.body = Array(raw[end...]) }
            return request
        case .refuse(_, _, let note):
            throw HTTPError(kind: .malformed, message: note)
        case .needMore, .sendContinue:
            throw HTTPError(kind: .malformed, message: "the request ends early (no blank line, or a short body)")
        }
    }
}
