/// Finds whole HTTP/1.1 responses in the bytes a client connection has received, without waiting on the socket:
/// the incremental counterpart of `HTTPConnection.readResponse` for a client on an event loop. Only the status
/// and the framing are kept (a load generator judges by status); bodies are skipped as they arrive.

struct ResponseFramer {
    /// What the buffered bytes hold next.
    enum Next: Equatable {
        /// Not a whole response yet.
        case needMore
        /// A final response: its status, and whether the server closes the connection after it.
        case response(status: Int, closes: Bool)
        /// The connection's bytes are not HTTP/1.x responses: close it.
        case malformed(String)
    }

    /// Where a response's body is framed.
    private enum Body {
        case head
        case length(Int)
        case chunkSize
        case chunkData(Int)
        case chunkDataEnd
        case trailers
        case untilClose
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private var state = Body.head
    private var status = 0
    private var closes = false
    private var interim = 0
    let maximumHeadBytes = 65_536
    let maximumBodyBytes: Int

    init(maximumBodyBytes: Int = 1 << 20) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Bytes received and not yet framed.
    var hasBufferedBytes: Bool { start < buffer.count }

    /// Whether a response has started and not finished.
    var inResponse: Bool {
        if case .head = state { return hasBufferedBytes }
        return true
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 32_768 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The peer closed: a response framed by the close is complete, any other partial one is not.
    mutating func finishAtClose() -> Next {
        if case .untilClose = state {
            state = .head
            start = buffer.count
            return .response(status: status, closes: true)
        }
        return .needMore
    }

    mutating func next() -> Next {
        while true {
            switch state {
            case .head:
                guard let end = headEnd() else {
                    if buffer.count - start > maximumHeadBytes { return .malformed("response head over 64 KiB") }
                    return .needMore
                }
                let head = start..<end
                start = end + 4
                if let problem = parseHead(head) { return .malformed(problem) }
                if status < 200 && status != 101 {
                    interim += 1
                    // A real server sends one or two interim answers; a stream of them is not an answer.
                    if interim > HTTPConnection.maximumInterimResponses {
                        return .malformed("more than \(HTTPConnection.maximumInterimResponses) interim responses")
                    }
                    state = .head
                    continue
                }
                interim = 0
                if status == 204 || status == 304 || status == 101 {
                    state = .head
                    return .response(status: status, closes: closes)
                }
                if case .length(0) = state {
                    state = .head
                    return .response(status: status, closes: closes)
                }
            case .length(let remaining):
                if let left = skip(remaining) {
                    state = .length(left)
                    return .needMore
                }
                state = .head
                return .response(status: status, closes: closes)
            case .chunkSize:
                guard let lineEnd = lineEnd() else { return lineTooLong() }
                // The one chunk-size rule every reader uses: hex digits, then nothing or `;` extensions.
                guard let size = MessageSize.chunkSize(buffer[start..<lineEnd]) else {
                    return .malformed("invalid chunk size line")
                }
                guard size <= maximumBodyBytes else { return .malformed("chunk of \(size) bytes is over the limit") }
                start = lineEnd + 2
                state = size == 0 ? .trailers : .chunkData(size)
            case .chunkData(let remaining):
                if let left = skip(remaining) {
                    state = .chunkData(left)
                    return .needMore
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard buffer.count - start >= 2 else { return .needMore }
                guard buffer[start] == 13 && buffer[start + 1] == 10 else {
                    return .malformed("chunk data not followed by CRLF")
                }
                start += 2
                state = .chunkSize
            case .trailers:
                guard let lineEnd = lineEnd() else { return lineTooLong() }
                let empty = lineEnd == start
                start = lineEnd + 2
                if empty {
                    state = .head
                    return .response(status: status, closes: closes)
                }
            case .untilClose:
                start = buffer.count
                return .needMore
            }
        }
    }

    /// Skips `count` body bytes: what is left to skip when fewer have arrived, nil once all are skipped.
    private mutating func skip(_ count: Int) -> Int? {
        let available = buffer.count - start
        guard available >= count else {
            start = buffer.count
            return count - available
        }
        start += count
        return nil
    }

    private func lineTooLong() -> Next {
        buffer.count - start > 4096 ? .malformed("chunk line over 4 KiB") : .needMore
    }

    private func headEnd() -> Int? {
        var index = start
        let count = buffer.count
        while index + 3 < count {
            if buffer[index + 3] != 10 {
                index += buffer[index + 3] == 13 ? 1 : 4
                continue
            }
            if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 { return index }
            index += 1
        }
        return nil
    }

    private func lineEnd() -> Int? {
        var index = start
        while index + 1 < buffer.count {
            if buffer[index] == 13 && buffer[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    /// Reads the status and the framing fields; sets `state` to the body's framing.
    private mutating func parseHead(_ range: Range<Int>) -> String? {
        // "HTTP/1.x NNN"
        let prefix: [UInt8] = Array("HTTP/1.".utf8)
        guard range.count >= 12, buffer[range.lowerBound..<range.lowerBound + 7].elementsEqual(prefix) else {
            return "not an HTTP/1.x status line"
        }
        let minor = buffer[range.lowerBound + 7]
        guard minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1"), buffer[range.lowerBound + 8] == 32 else {
            return "not an HTTP/1.x status line"
        }
        // Three digits and then a space or the end of the line: `2000` is not 200.
        let afterCode = range.lowerBound + 12
        guard let code = MessageSize.statusCode(buffer[range.lowerBound + 9..<afterCode]),
            afterCode == range.upperBound || buffer[afterCode] == 32 || buffer[afterCode] == 13
        else { return "status is not three digits" }
        status = code
        var length: Int?
        var chunked = false
        var connectionClose = false
        var keepAlive = false
        var lineStart = range.lowerBound
        while lineStart < range.upperBound, buffer[lineStart] != 10 { lineStart += 1 }
        lineStart += 1
        while lineStart < range.upperBound {
            var lineStop = lineStart
            while lineStop < range.upperBound && buffer[lineStop] != 13 { lineStop += 1 }
            if let colon = buffer[lineStart..<lineStop].firstIndex(of: UInt8(ascii: ":")) {
                let name = lineStart..<colon
                var valueStart = colon + 1
                while valueStart < lineStop && (buffer[valueStart] == 32 || buffer[valueStart] == 9) { valueStart += 1 }
                var valueStop = lineStop
                while valueStop > valueStart && (buffer[valueStop - 1] == 32 || buffer[valueStop - 1] == 9) {
                    valueStop -= 1
                }
                let value = valueStart..<valueStop
                if named(name, "content-length") {
                    // The rule requests and the blocking client use: lists of one number, 15 digits at most.
                    let text = String(decoding: buffer[value], as: UTF8.self)
                    guard let number = MessageSize.contentLength(fields: [text]), length == nil || length == number
                    else { return "invalid Content-Length" }
                    length = number
                } else if named(name, "transfer-encoding") {
                    chunked = contains(value, "chunked")
                } else if named(name, "connection") {
                    connectionClose = connectionClose || contains(value, "close")
                    keepAlive = keepAlive || contains(value, "keep-alive")
                }
            }
            lineStart = lineStop + 2
        }
        closes = connectionClose || (minor == UInt8(ascii: "0") && !keepAlive)
        if chunked {
            state = .chunkSize
        } else if let length {
            guard length <= maximumBodyBytes else { return "response body of \(length) bytes is over the limit" }
            state = .length(length)
        } else {
            state = .untilClose
            closes = true
        }
        return nil
    }

    /// Whether the bytes in `range` spell a lowercase name, compared case-insensitively.
    private func named(_ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        var index = range.lowerBound
        for byte in UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount) {
            let have = buffer[index]
            guard have == byte || (have >= 65 && have <= 90 && have + 32 == byte) else { return false }
            index += 1
        }
        return true
    }

    /// Whether a field value holds a lowercase word, compared case-insensitively.
    private func contains(_ range: Range<Int>, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard range.count >= count else { return false }
        for offset in range.lowerBound...(range.upperBound - count)
        where named(offset..<offset + count, word) {
            return true
        }
        return false
    }
}
