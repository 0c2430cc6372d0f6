/// Incremental HTTP/1.1 request framing (RFC 9112): bytes in as they arrive, whole requests or a refusal out.
/// The event-driven server keeps one per connection; `HTTPRequest.parse(raw:)` runs captured bytes through
/// one, so a capture is read exactly as `serve` reads the wire. Heads are `HTTPHead`'s, chunked bodies
/// `ChunkedDecoder`'s, every bound a `FramingLimits`'. It never traps on any input: sizes are parsed from digits
/// only, and every count is bounded by the limits before anything is allocated for it.
package struct RequestFramer: Sendable {
    /// What the bytes so far amount to.
    package enum Event: Sendable {
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
    private struct Pending: Sendable {
        var request: HTTPRequest
        var head: [UInt8]
        var keepAlive: Bool
        var framing: Framing
        var expectsContinue: Bool
    }

    private enum Framing: Sendable {
        case length(Int)
        /// `cursor` is where the decoder resumes in `buffer`.
        case chunked(cursor: Int, decoder: ChunkedDecoder)
    }

    package let limits: FramingLimits
    package private(set) var buffer: [UInt8] = []
    /// Bytes before this index belong to requests already returned.
    private var start = 0
    private var scanFrom = 0
    private var pending: Pending?

    /// Creates a framer.
    /// - Parameter limits: The bounds; a server's by default.
    package init(limits: FramingLimits = FramingLimits()) {
        self.limits = limits
    }

    /// Drops every byte not yet returned: the connection is closing, and what follows is not read.
    package mutating func discardBuffered() {
        buffer = []
        start = 0
        scanFrom = 0
        pending = nil
    }

    /// Whether part of a request has arrived and the rest has not.
    package var hasPartialRequest: Bool { pending != nil || start < buffer.count }

    /// Bytes held for requests not yet returned.
    package var bufferedBytes: Int { buffer.count - start }

    /// Adds bytes as received.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    /// Adds bytes as received.
    package mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// The next request, refusal or interim answer the buffered bytes make, or `needMore`.
    package mutating func next() -> Event {
        if pending == nil {
            // RFC 9112 §2.2: empty lines before a request line are ignored.
            while start < buffer.count && (buffer[start] == 13 || buffer[start] == 10) { start += 1 }
            scanFrom = max(scanFrom, start)
            // A request line starts with a method token: anything else (a TLS ClientHello, another protocol) is
            // refused at its first byte instead of waiting for a head that will never come.
            if start < buffer.count && !HTTPHead.isToken(buffer[start]) {
                return .refuse(status: 400, reason: "Bad Request", note: "not an HTTP request line")
            }
            guard let end = HTTPHead.end(in: buffer, from: scanFrom) else {
                if buffer.count - start > limits.maximumHeadBytes { return headTooLarge() }
                scanFrom = max(start, buffer.count - 3)
                compactIfIdle()
                return .needMore
            }
            guard end - start <= limits.maximumHeadBytes else { return headTooLarge() }
            let head = Array(buffer[start..<end])
            start = end
            scanFrom = end
            switch Self.readHead(head, limits: limits) {
            case .failure(let refusal):
                return .refuse(status: refusal.status, reason: refusal.reason, note: refusal.note)
            case .success(var parsed):
                if case .chunked = parsed.framing {
                    parsed.framing = .chunked(cursor: start, decoder: ChunkedDecoder(limits: limits, keepsBody: true))
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
        case .chunked(var cursor, var decoder):
            let progress = decoder.decode(buffer, cursor: &cursor)
            current.framing = .chunked(cursor: cursor, decoder: decoder)
            switch progress {
            case .failed(let error):
                return error.kind == .tooLarge
                    ? .refuse(status: 413, reason: "Content Too Large", note: error.message)
                    : .refuse(status: 400, reason: "Bad Request", note: error.message)
            case .needMore:
                return interimAnswer(&current)
            case .complete:
                current.request.body = decoder.body
                start = cursor
            }
        }
        pending = nil
        scanFrom = start
        compactIfIdle()
        return .request(current.request, head: current.head, keepAlive: current.keepAlive)
    }

    private func headTooLarge() -> Event {
        .refuse(
            status: 431, reason: "Request Header Fields Too Large",
            note: "header section over \(limits.maximumHeadBytes) bytes")
    }

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
        } else if start > 65_536 && pending == nil {
            buffer.removeFirst(start)
            scanFrom -= start
            start = 0
        }
    }

    /// Parses and checks a head: request line, fields, framing.
    private static func readHead(_ head: [UInt8], limits: FramingLimits) -> Result<Pending, Refusal> {
        func bad(_ note: String) -> Result<Pending, Refusal> {
            .failure(Refusal(status: 400, reason: "Bad Request", note: note))
        }
        guard let parsed = try? HTTPHead.parse(head), parsed.startLine.count == 3 else {
            return bad("malformed request head")
        }
        let (method, target, version) = (parsed.startLine[0], parsed.startLine[1], parsed.startLine[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0", !method.isEmpty,
            method.utf8.allSatisfy(HTTPHead.isToken),
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
        let request = HTTPRequest(method: method, target: target, version: version, headers: parsed.fields, body: [])
        func values(_ name: String) -> [String] {
            parsed.fields.all(name)
        }
        let lengths = values("content-length")
        let encodings = values("transfer-encoding")
        if !encodings.isEmpty && !lengths.isEmpty { return bad("both Content-Length and Transfer-Encoding") }
        let framing: Framing
        if !encodings.isEmpty {
            guard encodings.count == 1, ASCII.equalsIgnoringCase(encodings[0], "chunked") else {
                return bad("unsupported Transfer-Encoding")
            }
            framing = .chunked(cursor: 0, decoder: ChunkedDecoder(limits: limits, keepsBody: true))
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
    package static func isValidHost(_ value: String) -> Bool {
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
}
