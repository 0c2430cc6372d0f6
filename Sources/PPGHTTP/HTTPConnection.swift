/// An HTTP/1.1 client connection of our own: requests go out byte for byte as given, one at a time, on a kept-alive
/// connection that is reopened when the server closed it. No redirects are followed. Not thread-safe: one
/// connection per thread.
import PPGWire

public final class HTTPConnection {
    /// The host: a name, an IPv4 address or a bracketed IPv6 address.
    public let host: String
    /// The port.
    public let port: Int
    /// How long connecting may take (the TLS handshake included).
    public var connectTimeout: Double
    /// TLS (https), or `nil` for plain HTTP.
    public let tls: TLSOptions?
    private var socket: Socket?
    private var reader: MessageReader?
    /// How many TCP connections this object has opened, for tests of keep-alive reuse.
    public private(set) var connectionsOpened = 0

    /// Creates a connection; it connects on the first request.
    /// - Parameters:
    ///   - host: A name, an IPv4 address or a bracketed IPv6 address.
    ///   - port: The port.
    ///   - connectTimeout: Seconds connecting (and the TLS handshake) may take.
    ///   - tls: TLS options for an https server; plain HTTP when `nil`.
    public init(host: String, port: Int, connectTimeout: Double = 5, tls: TLSOptions? = nil) {
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        self.tls = tls
    }

    deinit { close() }

    /// Closes the connection.
    public func close() {
        socket?.close()
        socket = nil
        reader = nil
    }

    /// Connects now, to find out whether anything listens.
    /// - Throws: `HTTPError` when nothing accepts the connection.
    public func open() throws(HTTPError) {
        close()
        let deadline = Deadline.after(connectTimeout)
        let opened = try Socket.connect(host: host, port: port, deadline: deadline)
        if let tls { opened.tls = try TLSSession(socket: opened, hostname: host, options: tls, deadline: deadline) }
        socket = opened
        reader = MessageReader(socket: opened)
        connectionsOpened += 1
    }

    /// The `Host` header value sent unless a request carries one; by default `host:port`.
    public lazy var hostHeader: String = "\(host):\(port)"

    /// Sends a request and reads its response.
    /// - Parameters:
    ///   - request: The request.
    ///   - chunked: Send its body with `Transfer-Encoding: chunked`.
    ///   - timeout: Seconds the whole exchange may take, however the server drips its bytes.
    ///   - maximumResponseBytes: The largest response body read before giving up.
    /// - Returns: The response.
    /// - Throws: `HTTPError` for timeouts, resets, non-HTTP answers and oversized responses.
    public func send(
        _ request: HTTPRequest, chunked: Bool = false, timeout: Double, maximumResponseBytes: Int = 1 << 20
    )
        throws(HTTPError) -> HTTPResponse
    {
        try send(
            serialized: request.serialized(host: hostHeader, chunked: chunked), method: request.method,
            timeout: timeout, maximumResponseBytes: maximumResponseBytes)
    }

    /// Sends request bytes already serialised (for load generation, where building them per request would be
    /// measured too) and reads the response.
    /// - Parameters:
    ///   - bytes: The whole request.
    ///   - method: Its method, for response framing (HEAD has no body).
    ///   - timeout: Seconds the exchange may take.
    ///   - maximumResponseBytes: The largest response body read.
    /// - Returns: The response.
    /// - Throws: `HTTPError` as `send(_:timeout:maximumResponseBytes:)`.
    public func send(
        serialized bytes: [UInt8], method: String, timeout: Double, maximumResponseBytes: Int = 1 << 20
    )
        throws(HTTPError) -> HTTPResponse
    {
        let deadline = Deadline.after(timeout)
        if let current = socket, current.isReadableOrClosed() || reader?.hasBufferedBytes == true {
            // The server closed the kept-alive connection (or sent stray bytes): start afresh.
            close()
        }
        if socket == nil { try open() }
        guard let socket, var reader else { throw HTTPError(kind: .connectFailed, message: "not connected") }
        do throws(HTTPError) {
            do throws(HTTPError) {
                try socket.send(bytes, deadline: deadline)
            } catch  where error.kind == .reset {
                // The server may have answered early (a 413 before the body) and closed: its answer, when one
                // arrived, is the answer (RFC 9112 §9.3); a reset with nothing to read stays a reset.
                if let early = try? Self.readResponse(
                    &reader, method: method, deadline: .after(0.2), limit: maximumResponseBytes)
                {
                    close()
                    return early.response
                }
                throw error
            }
            let (response, closes) = try Self.readResponse(
                &reader, method: method, deadline: deadline,
                limit: maximumResponseBytes)
            self.reader = reader
            if closes { close() }
            return response
        } catch {
            close()
            throw error
        }
    }

    /// The most interim (1xx) responses read before the final one.
    static let maximumInterimResponses = 16

    static func readResponse(
        _ reader: inout MessageReader, method: String, deadline: Deadline, limit: Int
    )
        throws(HTTPError) -> (response: HTTPResponse, closes: Bool)
    {
        var interim = 0
        while true {
            guard
                let head = try reader.readHead(
                    limit: 65_536, firstByteDeadline: deadline, deadline: deadline, expectedStart: Array("HTTP/".utf8))
            else {
                throw HTTPError(kind: .reset, message: "connection closed before any response")
            }
            let parsed: ParsedHead
            do {
                parsed = try ParsedHead.parse(head)
            } catch {
                throw HTTPError(kind: .malformed, message: "not an HTTP response: \(error.message)")
            }
            let line = parsed.startLine
            guard line.count >= 2, line[0] == "HTTP/1.1" || line[0] == "HTTP/1.0",
                let status = MessageSize.statusCode(Array(line[1].utf8))
            else {
                let shown = OutsideText.escape(head.prefix(while: { $0 != 13 && $0 != 10 }), for: .ascii(limit: 40))
                throw HTTPError(kind: .malformed, message: "not an HTTP/1.x status line: '\(shown)'")
            }
            if status >= 100 && status < 200 && status != 101 {
                // A real server sends one or two interim answers; a stream of them is not an answer at all.
                interim += 1
                if interim > maximumInterimResponses {
                    throw HTTPError(
                        kind: .malformed, message: "more than \(maximumInterimResponses) interim (1xx) responses")
                }
                continue
            }
            var response = HTTPResponse(
                status: status, reason: line.count > 2 ? line[2] : "", headers: parsed.headers)
            let connection = response.header("Connection")?.lowercased() ?? ""
            var closes =
                connection.contains("close")
                || (line[0] == "HTTP/1.0" && !connection.contains("keep-alive"))
            if method == "HEAD" || status == 204 || status == 304 || status == 101 { return (response, closes) }
            if let encoding = response.header("Transfer-Encoding"), encoding.lowercased().contains("chunked") {
                response.body = try reader.readChunked(limit: limit, deadline: deadline)
            } else if let lengthText = response.header("Content-Length") {
                // RFC 9112 §6.3: several Content-Length values that differ make the framing unknowable.
                guard let length = MessageSize.contentLength(fields: parsed.headers.all("Content-Length")) else {
                    // The distinct values are counted only for the message, on the refusal path.
                    let lengths = Set(
                        parsed.headers.all("Content-Length").flatMap {
                            $0.split(separator: ",").map {
                                String(decoding: ASCII.trimmingWhitespace(Array($0.utf8)), as: UTF8.self)
                            }
                        })
                    throw HTTPError(
                        kind: .malformed,
                        message: "invalid Content-Length '\(OutsideText.escape(lengthText, for: .ascii(limit: 20)))'"
                            + (lengths.count > 1 ? " (\(lengths.count) different values)" : ""))
                }
                guard length <= limit else {
                    throw HTTPError(kind: .tooLarge, message: "response body of \(length) bytes is over \(limit)")
                }
                response.body = try reader.readExactly(length, deadline: deadline)
            } else {
                response.body = try reader.readToEnd(limit: limit, deadline: deadline)
                closes = true
            }
            return (response, closes)
        }
    }
}
