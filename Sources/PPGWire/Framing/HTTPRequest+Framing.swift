extension HTTPRequest {
    /// Where a message's head ends in its bytes: the index after the blank line, or `nil` before one arrives.
    /// - Parameter bytes: A message's bytes.
    /// - Returns: The length of the head, blank line included.
    package static func headLength(in bytes: [UInt8]) -> Int? {
        HTTPHead.end(in: bytes, from: 0)
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

    /// Parses one complete request as captured: request line, header fields, then a body framed by
    /// Content-Length, chunked, or (neither) everything that follows.
    /// - Parameter raw: The request's bytes.
    /// - Returns: The request.
    /// - Throws: `FramingError` of kind `malformed` naming what is wrong.
    package static func parse(raw: [UInt8]) throws(FramingError) -> HTTPRequest {
        // The server's own framing, without its size caps: a capture is read as `serve` reads the wire.
        var framer = RequestFramer(limits: .unbounded)
        framer.append(raw)
        switch framer.next() {
        case .request(var request, _, _):
            // A capture without Content-Length or chunked framing keeps what follows the head as its body.
            let declared = request.headers.contains("Content-Length") || request.headers.contains("Transfer-Encoding")
            if !declared, let end = HTTPHead.end(in: raw, from: 0) { request.body = Array(raw[end...]) }
            return request
        case .refuse(_, _, let note):
            throw FramingError(.malformed, note)
        case .needMore, .sendContinue:
            throw FramingError(.truncated, "the request ends early (no blank line, or a short body)")
        }
    }
}
