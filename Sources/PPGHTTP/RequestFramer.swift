/// Incremental HTTP/1.1 request framing (RFC 9112): bytes in as they arrive, whole requests or a refusal out.
/// The event-driven server keeps one per connection; `HTTPRequest.parse(raw:)` runs captured bytes through
/// one, so a capture is read exactly as `serve` reads the wire. It never traps on any input: sizes are parsed from
/// digits only, and every count is bounded by the limits before anything is allocated for it.
import PPGWire

struct RequestFramer {
    /// What a connection may send.
    struct Limits {
        /// The largest head (request line and fields): larger gets 431.
        var maximumHeadBytes: Int
        /// The largest body: larger gets 413.
        var maximumBodyBytes: Int
        /// The largest request-target: larger gets 414.
        var maximumTargetBytes = 8192
        /// Whether a request must carry one valid Host (RFC 9112 §3.2) and use the asterisk-form only with
        /// OPTIONS: a server's rules, not a capture reader's, which reads what was sent whatever it was.
        var checksHost = true
    }

    /// What the bytes so far amount to.
    enum Event {
        /// A whole request, with its head byte for byte as received; `keepAlive` says whether the connection may
        /// carry another.
        case request(HTTPRequest, head: [UInt8], keepAlive: Bool)
        /// The client asked `Expect: 100-continue` and its body has not arrived: the interim answer is due.
        case sendContinue
        /// A request that is not acceptable: answer with this status and close.
        case refuse(status: Int, reason: String, note: String)
        /// More bytes are needed.
        case needMore
    }

    /// A head read, its body still to come.
    private struct Pending {
        var request: HTTPRequest
        var head: [UInt8]
        var keepAlive: Bool
        var framing: Framing
        var expectsContinue: Bool
    }

    private enum Framing {
        case length(Int)
        /// `cursor` is where the next chunk-size line starts in `buffer`; `inTrailers` once the last chunk is read.
        case chunked(cursor: Int, body: [UInt8], inTrailers: Bool)
    }

    let limits: Limits
    private(set) var buffer: [UInt8] = []
    /// Bytes before this index belong to requests already returned.
    private var start = 0
    private var scanFrom = 0
    private var pending: Pending?

    init(limits: Limits) {
        self.limits = limits
    }

    /// Drops every byte not yet returned: the connection is closing, and what follows is not read.
    mutating func discardBuffered() {
        buffer = []
        start = 0
        scanFrom = 0
        pending = nil
    }

    /// Whether part of a request has arrived and the rest has not.
    var hasPartialRequest: Bool { pending != nil || start < buffer.count }

    /// Bytes held for requests not yet returned.
    var bufferedBytes: Int { buffer.count - start }

    /// Adds bytes as received.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    /// Adds bytes as received.
    mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// The next request, refusal or interim answer the buffered bytes make, or `needMore`.
    mutating func next() -> Event {
        if pending == nil {
            // RFC 9112 §2.2: empty lines before a request line are ignored.
            while start < buffer.count && (buffer[start] == 13 || buffer[start] == 10) { start += 1 }
            scanFrom = max(scanFrom, start)
            // A request line starts with a method token: anything else (a TLS ClientHello, another protocol) is
            // refused at its first byte instead of waiting for a head that will never come.
            if start < buffer.count && !ParsedHead.tokenCharacters.contains(buffer[start]) {
                return .refuse(status: 400, reason: "Bad Request", note: "not an HTTP request line")
            }
            guard let end = headEnd() else {
                if buffer.count - start > limits.maximumHeadBytes {
                    return .refuse(
                        status: 431, reason: "Request Header Fields Too Large",
                        note: "header section over \(limits.maximumHeadBytes) bytes")
                }
                scanFrom = max(start, buffer.count - 3)
                compactIfIdle()
                return .needMore
            }
            guard end - start <= limits.maximumHeadBytes else {
                return .refuse(
                    status: 431, reason: "Request Header Fields Too Large",
                    note: "header section over \(limits.maximumHeadBytes) bytes")
            }
            let head = Array(buffer[start..<end])
            start = end
            scanFrom = end
            switch Self.readHead(head, limits: limits) {
            case .failure(let refusal):
                return .refuse(status: refusal.status, reason: refusal.reason, note: refusal.note)
            case .success(var parsed):
                if case .chunked = parsed.framing {
                    parsed.framing = .chunked(cursor: start, body: [], inTrailers: false)
                }
                pending = parsed
            }
        }
        guard var current = pending else { return .needMore }
        switch current.framing {
        case .length(let length):
            guard buffer.count - start >= length else { return interimAnswer(&current) }
            current.request.body = Array(buffer[start..<(start + length)])
            start += length
        case .chunked(var cursor, var body, var inTrailers):
            let result = Self.readChunks(
                buffer, cursor: &cursor, body: &body, inTrailers: &inTrailers, limit: limits.maximumBodyBytes)
            current.framing = .chunked(cursor: cursor, body: body, inTrailers: inTrailers)
            switch result {
            case .some(.refuse(let status, let reason, let note)):
                return .refuse(status: status, reason: reason, note: note)
            case .some: break
            case .none:
                // Chunk extensions and trailer fields count against the request's bound like its data: the raw
                // bytes held for this body stay under the body limit and a little framing.
                if buffer.count - start > limits.maximumBodyBytes + Self.maximumFramingBytes {
                    return .refuse(
                        status: 413, reason: "Content Too Large",
                        note: "chunked body with its framing over \(limits.maximumBodyBytes) bytes")
                }
                return interimAnswer(&current)
            }
            current.request.body = body
            start = cursor
        }
        pending = nil
        scanFrom = start
        compactIfIdle()
        return .request(current.request, head: current.head, keepAlive: current.keepAlive)
    }

    /// Framing bytes (chunk-size lines with their extensions, trailer fields) a chunked body may carry besides its
    /// data before it is refused.
    static let maximumFramingBytes = 65_536

    /// `sendContinue` once, when the client waits for it; otherwise `needMore`.
    private mutating func interimAnswer(_ current: inout Pending) -> Event {
        if current.expectsContinue {
            current.expectsContinue = false
            pending = current
            return .sendContinue
        }
        pending = current
        return .needMore
    }

    /// Frees the bytes of requests already returned, so an idle kept-alive connection holds no memory.
    private mutating func compactIfIdle() {
        if start == buffer.count {
            buffer = []
            start = 0
            scanFrom = 0
        } else if start > 65_536 {
            buffer.removeFirst(start)
            scanFrom -= start
            start = 0
        }
    }

    private func headEnd() -> Int? {
        var index = scanFrom
        while index + 3 < buffer.count {
            if buffer[index + 3] != 10 {
                index += buffer[index + 3] == 13 ? 1 : 4
                continue
            }
            if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 { return index + 4 }
            index += 1
        }
        return nil
    }

    /// Parses and checks a head: request line, fields, framing.
    private static func readHead(_ head: [UInt8], limits: Limits) -> Result<Pending, Refusal> {
        func bad(_ note: String) -> Result<Pending, Refusal> {
            .failure(Refusal(status: 400, reason: "Bad Request", note: note))
        }
        guard let parsed = try? ParsedHead.parse(head), parsed.startLine.count == 3 else {
            return bad("malformed request head")
        }
        let (method, target, version) = (parsed.startLine[0], parsed.startLine[1], parsed.startLine[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0", !method.isEmpty,
            method.utf8.allSatisfy({ ParsedHead.tokenCharacters.contains($0) }),
            target.hasPrefix("/") || target == "*" || RawURL.isAbsoluteForm(target)
        else {
            return bad("malformed request line")
        }
        guard target.utf8.count <= limits.maximumTargetBytes else {
            return .failure(
                Refusal(
                    status: 414, reason: "URI Too Long",
                    note: "request-target over \(limits.maximumTargetBytes) bytes"))
        }
        let request = HTTPRequest(method: method, target: target, version: version, headers: parsed.headers, body: [])
        func values(_ name: String) -> [String] {
            parsed.headers.all(name)
        }
        let lengths = values("content-length")
        let encodings = values("transfer-encoding")
        if !encodings.isEmpty && !lengths.isEmpty { return bad("both Content-Length and Transfer-Encoding") }
        let framing: Framing
        if !encodings.isEmpty {
            guard encodings.count == 1, ASCII.equalsIgnoringCase(encodings[0], "chunked") else {
                return bad("unsupported Transfer-Encoding")
            }
            framing = .chunked(cursor: 0, body: [], inTrailers: false)
        } else if let first = lengths.first {
            guard !first.isEmpty, let length = MessageSize.contentLength(fields: lengths) else {
                return bad("invalid Content-Length")
            }
            guard length <= limits.maximumBodyBytes else {
                return .failure(
                    Refusal(
                        status: 413, reason: "Content Too Large",
                        note: "body of \(length) bytes is over \(limits.maximumBodyBytes)"))
            }
            framing = .length(length)
        } else {
            framing = .length(0)
        }
        // RFC 9112 §3.2: a 1.1 request has exactly one Host, and a Host value is a valid authority.
        let hosts = values("host")
        if limits.checksHost {
            if version == "HTTP/1.1" && hosts.isEmpty { return bad("no Host header field") }
            if hosts.count > 1 { return bad("\(hosts.count) Host header fields") }
            if let host = hosts.first, !isValidHost(host) { return bad("invalid Host header field") }
            // RFC 9112 §3.2.4: the asterisk-form is only for OPTIONS.
            if target == "*" && method != "OPTIONS" { return bad("asterisk-form request-target for \(method)") }
        }
        // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
        if version == "HTTP/1.0" && !encodings.isEmpty { return bad("Transfer-Encoding in an HTTP/1.0 request") }
        let connection = values("connection").joined(separator: ",").lowercased()
        let keepAlive =
            !connection.contains("close") && (version == "HTTP/1.1" || connection.contains("keep-alive"))
        // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored.
        let expectsContinue =
            version == "HTTP/1.1" && values("expect").contains { ASCII.equalsIgnoringCase($0, "100-continue") }
        return .success(
            Pending(
                request: request, head: head, keepAlive: keepAlive, framing: framing, expectsContinue: expectsContinue))
    }

    /// Whether a Host value is `uri-host [":" port]` (RFC 3986 §3.2.2): an IP literal in brackets, or a name of
    /// unreserved, sub-delim and percent characters; the port digits only. An empty value is allowed (§3.2).
    static func isValidHost(_ value: String) -> Bool {
        var bytes = Substring(value).utf8[...]
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = bytes[bytes.index(after: bytes.startIndex)..<close]
            guard !literal.isEmpty,
                literal.allSatisfy({ Hex.value($0) != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return false }
            bytes = bytes[bytes.index(after: close)...]
        } else {
            let name = bytes.prefix { $0 != UInt8(ascii: ":") }
            guard name.allSatisfy(isNameCharacter) else { return false }
            bytes = bytes[name.endIndex...]
        }
        guard let colon = bytes.first else { return true }
        guard colon == UInt8(ascii: ":") else { return false }
        let port = bytes.dropFirst()
        return port.count <= 5 && port.allSatisfy { (0x30...0x39).contains($0) }
    }

    private static let nameCharacters = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=%".utf8)

    private static func isNameCharacter(_ byte: UInt8) -> Bool { nameCharacters.contains(byte) }

    /// A refusal as `readHead` reports it.
    private struct Refusal: Error {
        var status: Int
        var reason: String
        var note: String
    }

    /// Decodes chunks from `cursor` on (`cursor` 0 means the body starts at the current request's start, which
    /// the caller has set): `nil` when more bytes are needed, `.request` (a placeholder) when the body and its
    /// trailers are complete, `.refuse` for a malformed or oversized body.
    private static func readChunks(
        _ buffer: [UInt8], cursor: inout Int, body: inout [UInt8], inTrailers: inout Bool, limit: Int
    ) -> ChunkResult? {
        /// The line from `index`: `.incomplete` until its LF arrives, `.tooLong` past `limit` bytes.
        func line(from index: Int, limit: Int) -> Line {
            var end = index
            while end < buffer.count && buffer[end] != 10 {
                end += 1
                if end - index > limit { return .tooLong }
            }
            guard end < buffer.count else { return .incomplete }
            let content = buffer[index..<end]
            // Chunk lines end in CRLF, as the head's lines must: a bare LF is refused, not guessed at.
            guard content.last == 13 else { return .bareLF }
            return .complete(content.dropLast(), next: end + 1)
        }
        while true {
            if inTrailers {
                switch line(from: cursor, limit: 8192) {
                case .incomplete: return nil
                case .tooLong: return .refuse(400, "Bad Request", "trailer line over 8192 bytes")
                case .bareLF: return .refuse(400, "Bad Request", "trailer line ending in a bare LF")
                case .complete(let content, let next):
                    cursor = next
                    if content.isEmpty { return .complete }
                }
                continue
            }
            let content: ArraySlice<UInt8>
            let next: Int
            switch line(from: cursor, limit: 1024) {
            case .incomplete: return nil
            case .tooLong: return .refuse(400, "Bad Request", "chunk size line over 1024 bytes")
            case .bareLF: return .refuse(400, "Bad Request", "chunk size line ending in a bare LF")
            case .complete(let text, let after):
                content = text
                next = after
            }
            guard let size = MessageSize.chunkSize(content) else {
                return .refuse(400, "Bad Request", "invalid chunk size line")
            }
            guard body.count + size <= limit else {
                return .refuse(413, "Content Too Large", "body over \(limit) bytes")
            }
            if size == 0 {
                cursor = next
                inTrailers = true
                continue
            }
            guard buffer.count >= next + size + 2 else { return nil }
            guard buffer[next + size] == 13 && buffer[next + size + 1] == 10 else {
                return .refuse(400, "Bad Request", "chunk not followed by CRLF")
            }
            body.append(contentsOf: buffer[next..<(next + size)])
            cursor = next + size + 2
        }
    }

    private enum Line {
        case incomplete, tooLong, bareLF
        case complete(ArraySlice<UInt8>, next: Int)
    }

    private enum ChunkResult {
        case complete
        case refuse(Int, String, String)
    }
}

/// Message sizes as RFC 9112 writes them: digits only, so `-1`, `+5`, `0x10` and overflow are malformed rather
/// than a negative count that traps a read.
enum MessageSize {
    /// A `Content-Length` value: 1*DIGIT, at most 15 digits.
    static func contentLength(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 15, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// The length every `Content-Length` field of a message gives: each field a comma-separated list, each item
    /// digits only, and all items the same number (RFC 9110 §8.6 lets a recipient take `5, 5` as 5); `nil` for no
    /// field, an invalid item, or two different numbers. Requests and responses read it alike.
    static func contentLength(fields: [String]) -> Int? {
        let items = fields.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { item in
            String(item.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        }
        guard let first = items.first, let length = contentLength(first) else { return nil }
        return items.allSatisfy({ contentLength($0) == length }) ? length : nil
    }

    /// A status code: exactly three digits, 100 to 999 (RFC 9110 §15). `+20`, `2000`, ` 20` are not one.
    static func statusCode(_ text: some Collection<UInt8>) -> Int? {
        guard text.count == 3, text.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let code = text.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return code >= 100 ? code : nil
    }

    /// A chunk-size line: 1*HEXDIG, then optional white space and `;` extensions; at most 15 digits.
    static func chunkSize(_ line: some Collection<UInt8>) -> Int? {
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
