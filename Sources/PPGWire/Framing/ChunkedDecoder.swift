/// Decodes a chunked body (RFC 9112 §7.1) incrementally from a buffer that grows as bytes arrive: the one chunk
/// decoder, used by the request framer and the response framer alike. Chunk-size lines are `MessageSize`'s rule,
/// extensions are skipped, trailer fields read and dropped; data, framing and every line are bounded by
/// `FramingLimits` before anything is kept.
package struct ChunkedDecoder: Sendable {
    /// What the bytes so far amount to.
    package enum Progress: Sendable, Equatable {
        /// More bytes are needed.
        case needMore
        /// The last chunk and the trailer section have arrived.
        case complete
        /// The body is not acceptable.
        case failed(FramingError)
    }

    private enum State: Sendable {
        case sizeLine
        case data(remaining: Int)
        case dataEnd
        case trailers
        case done
    }

    let limits: FramingLimits
    /// Whether decoded data is kept (a server's request, `run`'s response) or skipped (`load` counts statuses).
    let keepsBody: Bool
    private var state = State.sizeLine
    private var framing = 0
    private var decoded = 0
    /// The data so far, when kept.
    package private(set) var body: [UInt8] = []

    /// Creates a decoder for one body.
    /// - Parameters:
    ///   - limits: The bounds.
    ///   - keepsBody: Whether to keep the data.
    package init(limits: FramingLimits, keepsBody: Bool) {
        self.limits = limits
        self.keepsBody = keepsBody
    }

    /// Decodes from `cursor` on, moving it past what it consumed.
    /// - Parameters:
    ///   - buffer: The bytes received.
    ///   - cursor: Where this body's undecoded bytes start; moved forward.
    /// - Returns: The progress.
    package mutating func decode(_ buffer: [UInt8], cursor: inout Int) -> Progress {
        while true {
            switch state {
            case .done:
                return .complete
            case .sizeLine:
                let line: Range<Int>
                switch Self.line(
                    buffer, from: cursor, limit: limits.maximumChunkLineBytes, bareLF: limits.acceptsBareLF)
                {
                case .incomplete: return .needMore
                case .tooLong: return fail(.malformed, "chunk size line over \(limits.maximumChunkLineBytes) bytes")
                case .bareLF: return fail(.malformed, "chunk size line ending in a bare LF")
                case .complete(let content, let next):
                    line = content
                    if let failure = countFraming(next - cursor) { return failure }
                    cursor = next
                }
                guard let size = MessageSize.chunkSize(buffer[line]) else {
                    let shown = OutsideText.escape(buffer[line], for: .ascii(limit: 20))
                    return fail(.malformed, "invalid chunk size line '\(shown)'")
                }
                guard size <= limits.maximumBodyBytes - decoded else {
                    return fail(.tooLarge, "body over \(limits.maximumBodyBytes) bytes")
                }
                state = size == 0 ? .trailers : .data(remaining: size)
            case .data(let remaining):
                let available = min(remaining, buffer.count - cursor)
                if keepsBody { body.append(contentsOf: buffer[cursor..<cursor + available]) }
                cursor += available
                decoded += available
                guard available == remaining else {
                    state = .data(remaining: remaining - available)
                    return .needMore
                }
                state = .dataEnd
            case .dataEnd:
                if limits.acceptsBareLF, cursor < buffer.count, buffer[cursor] == 10 {
                    cursor += 1
                    state = .sizeLine
                    continue
                }
                guard buffer.count - cursor >= 2 else {
                    if cursor < buffer.count && buffer[cursor] != 13 {
                        return fail(.malformed, "chunk not followed by CRLF")
                    }
                    return .needMore
                }
                guard buffer[cursor] == 13 && buffer[cursor + 1] == 10 else {
                    return fail(.malformed, "chunk not followed by CRLF")
                }
                cursor += 2
                state = .sizeLine
            case .trailers:
                switch Self.line(
                    buffer, from: cursor, limit: limits.maximumTrailerLineBytes, bareLF: limits.acceptsBareLF)
                {
                case .incomplete: return .needMore
                case .tooLong: return fail(.malformed, "trailer line over \(limits.maximumTrailerLineBytes) bytes")
                case .bareLF: return fail(.malformed, "trailer line ending in a bare LF")
                case .complete(let content, let next):
                    if let failure = countFraming(next - cursor) { return failure }
                    cursor = next
                    if content.isEmpty { state = .done }
                }
            }
        }
    }

    private mutating func countFraming(_ bytes: Int) -> Progress? {
        framing += bytes
        guard framing > limits.maximumFramingBytes else { return nil }
        return fail(.tooLarge, "chunk extensions and trailer fields over \(limits.maximumFramingBytes) bytes")
    }

    private func fail(_ kind: FramingError.Kind, _ message: String) -> Progress {
        .failed(FramingError(kind, message))
    }

    private enum Line {
        case incomplete, tooLong, bareLF
        case complete(Range<Int>, next: Int)
    }

    /// The line from `index`: its content without the line end, and where the next begins.
    private static func line(_ buffer: [UInt8], from index: Int, limit: Int, bareLF: Bool) -> Line {
        var end = index
        while end < buffer.count && buffer[end] != 10 {
            end += 1
            if end - index > limit { return .tooLong }
        }
        guard end < buffer.count else { return .incomplete }
        if end > index && buffer[end - 1] == 13 { return .complete(index..<end - 1, next: end + 1) }
        return bareLF ? .complete(index..<end, next: end + 1) : .bareLF
    }
}
