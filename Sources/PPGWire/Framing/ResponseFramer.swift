/// Incremental HTTP/1.1 response framing (RFC 9112): bytes in as they arrive, whole responses or a failure out,
/// without waiting on a socket. The one response reader: `run`'s blocking client keeps whole responses, the
/// event-loop client of `load` and `fuzz` only statuses (bodies are skipped as they arrive). Heads are
/// `HTTPHead`'s, chunked bodies `ChunkedDecoder`'s, every bound a `FramingLimits`'.
package struct ResponseFramer: Sendable {
    /// What a reader keeps of each response.
    package enum Mode: Sendable {
        /// Status, reason, fields and body.
        case whole
        /// The status alone: fields are checked and read for framing only, bodies skipped.
        case statusOnly
    }

    /// What the buffered bytes hold next.
    package enum Next: Sendable {
        /// Not a whole response yet.
        case needMore
        /// A final response (in `statusOnly` mode with no fields and no body), and whether the server closes the
        /// connection after it.
        case response(HTTPResponse, closes: Bool)
        /// The bytes are not an acceptable HTTP/1.x response: close the connection.
        case failed(FramingError)
    }

    private enum State: Sendable {
        case head
        case length(remaining: Int)
        case chunked(ChunkedDecoder)
        case untilClose
    }

    package let mode: Mode
    package let limits: FramingLimits
    /// Whether the next response answers a HEAD request, which has no body whatever its fields say (RFC 9110
    /// §9.3.2). Reset once that response is framed.
    package var answersHEAD = false
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanFrom = 0
    private var state = State.head
    private var response = HTTPResponse(status: 0, reason: "")
    private var closes = false
    private var interim = 0

    /// Creates a framer for one connection.
    /// - Parameters:
    ///   - mode: What to keep.
    ///   - limits: The bounds; a client's by default.
    package init(mode: Mode, limits: FramingLimits = .client()) {
        self.mode = mode
        self.limits = limits
    }

    /// Bytes received and not yet framed.
    package var hasBufferedBytes: Bool { start < buffer.count }

    /// Whether a response has started and not finished.
    package var inResponse: Bool {
        if case .head = state { return hasBufferedBytes }
        return true
    }

    /// Adds bytes as received.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes as received.
    package mutating func append(_ bytes: [UInt8]) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Drops framed bytes: all of them when every byte is framed, else once they are many (the chunk decoder keeps
    /// no index into the buffer, so this is safe in any state).
    private mutating func compact() {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanFrom = 0
        } else if start > 32_768 {
            buffer.removeFirst(start)
            scanFrom = max(0, scanFrom - start)
            start = 0
        }
    }

    /// The peer closed: a response framed by the close is complete; any other partial one, or none at all, is
    /// truncated.
    /// - Returns: The response, or why there is none.
    package mutating func finishAtClose() -> Next {
        switch state {
        case .untilClose:
            state = .head
            start = buffer.count
            return finish()
        case .head:
            if start == buffer.count {
                return .failed(FramingError(.truncated, "connection closed before any response"))
            }
            return .failed(FramingError(.truncated, "connection closed in the middle of a header section"))
        case .length(let remaining):
            return .failed(FramingError(.truncated, "connection closed with \(remaining) body bytes still to come"))
        case .chunked:
            return .failed(FramingError(.truncated, "connection closed inside a chunked body"))
        }
    }

    /// The next response the buffered bytes make, or `needMore`, or a failure.
    package mutating func next() -> Next {
        while true {
            switch state {
            case .head:
                // A peer whose first bytes are not `HTTP/` is not speaking HTTP: said at once, not at the deadline.
                let compared = min(buffer.count - start, 5)
                if !buffer[start..<start + compared].elementsEqual(Self.prefix.prefix(compared)) {
                    let shown = OutsideText.escape(buffer[start...].prefix(40), for: .ascii(limit: 40))
                    return .failed(FramingError(.malformed, "not HTTP: the answer begins '\(shown)'"))
                }
                guard let end = HTTPHead.end(in: buffer, from: max(start, scanFrom)) else {
                    if buffer.count - start > limits.maximumHeadBytes {
                        return .failed(FramingError(.tooLarge, "header section over \(limits.maximumHeadBytes) bytes"))
                    }
                    scanFrom = max(start, buffer.count - 3)
                    return .needMore
                }
                guard end - start <= limits.maximumHeadBytes else {
                    return .failed(FramingError(.tooLarge, "header section over \(limits.maximumHeadBytes) bytes"))
                }
                let head = start..<end
                start = end
                scanFrom = end
                if let failure = readHead(head) { return .failed(failure) }
                if response.status < 200 && response.status != 101 {
                    interim += 1
                    if interim > limits.maximumInterimResponses {
                        return .failed(
                            FramingError(
                                .malformed, "more than \(limits.maximumInterimResponses) interim (1xx) responses"))
                    }
                    state = .head
                    continue
                }
                interim = 0
                if case .length(0) = state { return finish() }
            case .length(let remaining):
                let available = min(remaining, buffer.count - start)
                if mode == .whole { response.body.append(contentsOf: buffer[start..<start + available]) }
                start += available
                guard available == remaining else {
                    state = .length(remaining: remaining - available)
                    return .needMore
                }
                return finish()
            case .chunked(var decoder):
                let progress = decoder.decode(buffer, cursor: &start)
                state = .chunked(decoder)
                switch progress {
                case .needMore: return .needMore
                case .failed(let error): return .failed(error)
                case .complete:
                    response.body = decoder.body
                    return finish()
                }
            case .untilClose:
                if mode == .whole {
                    guard response.body.count + buffer.count - start <= limits.maximumBodyBytes else {
                        return .failed(FramingError(.tooLarge, "body over \(limits.maximumBodyBytes) bytes"))
                    }
                    response.body.append(contentsOf: buffer[start...])
                }
                start = buffer.count
                return .needMore
            }
        }
    }

    private static let prefix = Array("HTTP/".utf8)

    private mutating func finish() -> Next {
        state = .head
        answersHEAD = false
        let done = response
        response = HTTPResponse(status: 0, reason: "")
        return .response(done, closes: closes)
    }

    /// Reads the status line and the framing fields; sets `state` to the body's framing.
    private mutating func readHead(_ range: Range<Int>) -> FramingError? {
        var length: Int?
        var lengthFields: [String] = []
        var chunked = false
        var connectionClose = false
        var keepAlive = false
        var fields: HTTPFields = []
        let keepsFields = mode == .whole
        let line: Range<Int>
        do {
            line = try HTTPHead.scan(buffer, range) { name, value in
                if keepsFields {
                    fields.append(
                        name: String(decoding: buffer[name], as: UTF8.self),
                        value: String(decoding: buffer[value], as: UTF8.self))
                }
                if ASCII.equalsIgnoringCase(buffer[name], "content-length") {
                    lengthFields.append(String(decoding: buffer[value], as: UTF8.self))
                } else if ASCII.equalsIgnoringCase(buffer[name], "transfer-encoding") {
                    chunked = ASCII.containsIgnoringCase(buffer[value], "chunked")
                } else if ASCII.equalsIgnoringCase(buffer[name], "connection") {
                    connectionClose = connectionClose || ASCII.containsIgnoringCase(buffer[value], "close")
                    keepAlive = keepAlive || ASCII.containsIgnoringCase(buffer[value], "keep-alive")
                }
            }
        } catch {
            return FramingError(.malformed, "not an HTTP response: \(error.message)")
        }
        // "HTTP/1.x NNN[ reason]": three digits, then a space or the end of the line — `2000` is not 200.
        let shown = OutsideText.escape(buffer[line].prefix(40), for: .ascii(limit: 40))
        let minor = line.count > 7 ? buffer[line.lowerBound + 7] : 0
        guard line.count >= 12, buffer[line.lowerBound..<line.lowerBound + 7].elementsEqual("HTTP/1.".utf8),
            minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1"), buffer[line.lowerBound + 8] == 0x20,
            let status = MessageSize.statusCode(buffer[line.lowerBound + 9..<line.lowerBound + 12]),
            line.count == 12 || buffer[line.lowerBound + 12] == 0x20
        else { return FramingError(.malformed, "not an HTTP/1.x status line: '\(shown)'") }
        let reason =
            line.count > 13 ? String(decoding: buffer[line.lowerBound + 13..<line.upperBound], as: UTF8.self) : ""
        response = HTTPResponse(status: status, reason: keepsFields ? reason : "", headers: fields)
        if !lengthFields.isEmpty {
            // RFC 9112 §6.3: several Content-Length values that differ make the framing unknowable.
            guard let number = MessageSize.contentLength(fields: lengthFields) else {
                let distinct = Set(
                    lengthFields.flatMap { $0.split(separator: ",") }.map {
                        String(decoding: ASCII.trimmingWhitespace(Array($0.utf8)), as: UTF8.self)
                    })
                let text = OutsideText.escape(lengthFields.joined(separator: ", "), for: .ascii(limit: 20))
                return FramingError(
                    .malformed,
                    "invalid Content-Length '\(text)'"
                        + (distinct.count > 1 ? " (\(distinct.count) different values)" : ""))
            }
            length = number
        }
        closes = connectionClose || (minor == UInt8(ascii: "0") && !keepAlive)
        // RFC 9112 §6.3: no body after HEAD, 1xx, 204 and 304, whatever the fields say.
        if answersHEAD || status < 200 || status == 204 || status == 304 {
            state = .length(remaining: 0)
        } else if chunked {
            state = .chunked(ChunkedDecoder(limits: limits, keepsBody: mode == .whole))
        } else if let length {
            guard length <= limits.maximumBodyBytes else {
                return FramingError(.tooLarge, "response body of \(length) bytes is over \(limits.maximumBodyBytes)")
            }
            state = .length(remaining: length)
        } else {
            state = .untilClose
            closes = true
        }
        return nil
    }
}
