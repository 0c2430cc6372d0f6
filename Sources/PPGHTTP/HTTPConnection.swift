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
    private var framer = ResponseFramer(mode: .whole)
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
        framer = ResponseFramer(mode: .whole)
    }

    /// Connects now, to find out whether anything listens.
    /// - Throws: `HTTPError` when nothing accepts the connection.
    public func open() throws(HTTPError) {
        close()
        let deadline = Deadline.after(connectTimeout)
        let opened = try Socket.connect(host: host, port: port, deadline: deadline)
        if let tls { opened.tls = try TLSSession(socket: opened, hostname: host, options: tls, deadline: deadline) }
        socket = opened
        framer = ResponseFramer(mode: .whole)
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
        if let current = socket, current.isReadableOrClosed() || framer.hasBufferedBytes {
            // The server closed the kept-alive connection (or sent stray bytes): start afresh.
            close()
        }
        if socket == nil { try open() }
        guard let socket else { throw HTTPError(kind: .connectFailed, message: "not connected") }
        var framer = ResponseFramer(mode: .whole, limits: .client(maximumBodyBytes: maximumResponseBytes))
        do throws(HTTPError) {
            do throws(HTTPError) {
                try socket.send(bytes, deadline: deadline)
            } catch  where error.kind == .reset {
                // The server may have answered early (a 413 before the body) and closed: its answer, when one
                // arrived, is the answer (RFC 9112 §9.3); a reset with nothing to read stays a reset.
                if let early = try? Self.readResponse(from: socket, &framer, method: method, deadline: .after(0.2)) {
                    close()
                    return early.response
                }
                throw error
            }
            let (response, closes) = try Self.readResponse(from: socket, &framer, method: method, deadline: deadline)
            self.framer = framer
            if closes { close() }
            return response
        } catch {
            close()
            throw error
        }
    }

    /// Reads one response from a socket through the one response framer, however the peer splits or drips it.
    /// - Parameters:
    ///   - socket: The connection.
    ///   - framer: The connection's framer: bytes after the response stay in it for the next one.
    ///   - method: The request's method (the answer to HEAD has no body).
    ///   - deadline: When the whole response must have arrived.
    /// - Returns: The response, and whether the server closes the connection after it.
    /// - Throws: `HTTPError` for a timeout, a reset, an answer that is not HTTP/1.x or one over the limits.
    static func readResponse(
        from socket: Socket, _ framer: inout ResponseFramer, method: String, deadline: Deadline
    ) throws(HTTPError) -> (response: HTTPResponse, closes: Bool) {
        framer.answersHEAD = method == "HEAD"
        while true {
            switch framer.next() {
            case .response(let response, let closes): return (response, closes)
            case .failed(let error): throw HTTPError(error)
            case .needMore:
                let bytes = try socket.receive(maximum: 65_536, deadline: deadline)
                if bytes.isEmpty {
                    switch framer.finishAtClose() {
                    case .response(let response, _): return (response, true)
                    case .failed(let error): throw HTTPError(error)
                    case .needMore: throw HTTPError(kind: .reset, message: "connection closed")
                    }
                }
                framer.append(bytes)
            }
        }
    }
}
