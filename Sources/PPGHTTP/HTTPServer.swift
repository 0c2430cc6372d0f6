import Foundation

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An HTTP/1.1 server of our own over POSIX sockets: a thread per connection (bounded), keep-alive, caps on head and
/// body sizes, deadlines for idle and slow clients. Malformed input gets a 4xx and a closed connection, never a
/// crash.
public final class HTTPServer: @unchecked Sendable {
    /// Limits and addresses.
    public struct Configuration: Sendable {
        /// The host: a name, an IPv4 address or a bracketed IPv6 address.
        public var host: String
        /// 0 picks a free port; `start()` returns the one bound.
        public var port: Int
        /// The largest request body read (larger ones get 413).
        public var maximumBodyBytes: Int
        /// The largest header section read (larger ones get 431).
        public var maximumHeadBytes: Int
        /// How long a kept-alive connection may sit idle.
        public var idleTimeout: Double
        /// How long one request may take to arrive once its first byte has.
        public var requestTimeout: Double
        /// Connections served at once; more wait in the backlog.
        public var maximumConnections: Int

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 8080, maximumBodyBytes: Int = 1 << 20,
            maximumHeadBytes: Int = 16_384, idleTimeout: Double = 5, requestTimeout: Double = 10,
            maximumConnections: Int = 256
        ) {
            self.host = host
            self.port = port
            self.maximumBodyBytes = maximumBodyBytes
            self.maximumHeadBytes = maximumHeadBytes
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.maximumConnections = maximumConnections
        }
    }

    /// Answers one request.
    public typealias Handler = @Sendable (HTTPServerRequest) -> HTTPServerResponse
    /// Told of every answered request (and of refused ones), for a log line.
    public typealias Logger = @Sendable (HTTPServerRequest?, HTTPServerResponse) -> Void

    /// The receiver's configuration.
    public let configuration: Configuration
    private let handler: Handler
    private let logger: Logger?
    private let lock = NSLock()
    private var listener: Int32 = -1
    private var stopping = false
    private var active = 0
    private var acceptThread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    /// Creates a server.
    /// - Parameters:
    ///   - configuration: Addresses and limits.
    ///   - handler: Answers each request.
    ///   - logger: Called after each response.
    public init(configuration: Configuration, handler: @escaping Handler, logger: Logger? = nil) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
    }

    /// Binds, listens and starts accepting on a thread of its own.
    /// - Returns: The bound port.
    /// - Throws: `HTTPError` when the address cannot be bound.
    @discardableResult
    public func start() throws(HTTPError) -> Int {
        let info = try Socket.resolve(host: configuration.host, port: configuration.port, passive: true)
        defer { freeaddrinfo(info) }
        let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard descriptor >= 0 else { throw HTTPError(kind: .system, message: "socket() failed") }
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = systemClose(descriptor)
            throw HTTPError(
                kind: .system, message: "cannot listen on \(configuration.host):\(configuration.port): \(reason)")
        }
        guard listen(descriptor, 512) == 0 else {
            _ = systemClose(descriptor)
            throw HTTPError(kind: .system, message: "listen() failed: \(String(cString: strerror(errno)))")
        }
        listener = descriptor
        let port = Self.boundPort(descriptor)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "ppg-http-accept"
        acceptThread = thread
        thread.start()
        return port
    }

    static func boundPort(_ descriptor: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
        }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    /// Stops accepting; connections in progress finish their current request.
    public func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
    }

    /// Blocks until the accept loop has ended after `stop()`.
    public func wait() {
        finished.wait()
        finished.signal()
    }

    /// How many connections are open now.
    public var activeConnections: Int {
        lock.lock()
        defer { lock.unlock() }
        return active
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func acceptLoop() {
        defer {
            _ = systemClose(listener)
            finished.signal()
        }
        while !isStopping {
            var pollDescriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, 100) > 0 else { continue }
            if activeConnections >= configuration.maximumConnections {
                usleep(1000)
                continue
            }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
            }
            guard client >= 0 else { continue }
            lock.lock()
            active += 1
            lock.unlock()
            let peer = Self.describe(address)
            let thread = Thread { [self] in
                serve(Socket(descriptor: client), peer: peer)
                lock.lock()
                active -= 1
                lock.unlock()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    static func describe(_ address: sockaddr_storage) -> String {
        var copy = address
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let result = withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo(
                    $0, socklen_t(MemoryLayout<sockaddr_storage>.size), &host, socklen_t(host.count),
                    &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard result == 0 else { return "?" }
        func text(_ characters: [CChar]) -> String {
            String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return text(host) + ":" + text(service)
    }

    private func refuse(_ socket: Socket, _ status: Int, _ reason: String, _ note: String) {
        let response = HTTPServerResponse(
            status: status, reason: reason,
            headers: [(name: "Content-Type", value: "text/plain")],
            body: Array("\(note)\n".utf8), logNote: note)
        try? socket.send(response.serialized(keepAlive: false), deadline: .after(1))
        logger?(nil, response)
    }

    /// One connection: requests until the client closes, a limit is hit or the server stops.
    private func serve(_ socket: Socket, peer: String) {
        var reader = MessageReader(socket: socket)
        defer { socket.close() }
        while !isStopping {
            let head: [UInt8]
            let requestDeadline: Deadline
            do {
                let firstByte = Deadline.after(configuration.idleTimeout)
                requestDeadline = .after(configuration.idleTimeout + configuration.requestTimeout)
                guard
                    let read = try reader.readHead(
                        limit: configuration.maximumHeadBytes,
                        firstByteDeadline: firstByte, deadline: requestDeadline)
                else {
                    return
                }
                head = read
            } catch {
                switch error.kind {
                case .tooLarge: refuse(socket, 431, "Request Header Fields Too Large", error.message)
                case .timeout where reader.hasBufferedBytes: refuse(socket, 408, "Request Timeout", error.message)
                default: break
                }
                return
            }
            guard let parsed = try? ParsedHead.parse(head), parsed.startLine.count == 3 else {
                refuse(socket, 400, "Bad Request", "malformed request head")
                return
            }
            let (method, target, version) = (parsed.startLine[0], parsed.startLine[1], parsed.startLine[2])
            guard version == "HTTP/1.1" || version == "HTTP/1.0", !method.isEmpty,
                method.utf8.allSatisfy({ ParsedHead.tokenCharacters.contains($0) }),
                target.hasPrefix("/") || target == "*" || target.contains("://")
            else {
                refuse(socket, 400, "Bad Request", "malformed request line")
                return
            }
            guard target.utf8.count <= 8192 else {
                refuse(socket, 414, "URI Too Long", "request-target over 8192 bytes")
                return
            }
            var request = HTTPServerRequest(
                method: method, target: target, version: version,
                headers: parsed.headers, body: [], peer: peer)
            request.rawHead = head
            func values(_ name: String) -> [String] {
                parsed.headers.filter { $0.name.lowercased() == name }.map(\.value)
            }
            let lengths = values("content-length")
            let encodings = values("transfer-encoding")
            if !encodings.isEmpty && !lengths.isEmpty {
                refuse(socket, 400, "Bad Request", "both Content-Length and Transfer-Encoding")
                return
            }
            if values("expect").contains(where: { $0.lowercased() == "100-continue" }) {
                let declared = lengths.first.flatMap { Int($0) } ?? 0
                if declared <= configuration.maximumBodyBytes {
                    try? socket.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), deadline: requestDeadline)
                }
            }
            do {
                if !encodings.isEmpty {
                    guard encodings.count == 1, encodings[0].lowercased() == "chunked" else {
                        refuse(socket, 400, "Bad Request", "unsupported Transfer-Encoding")
                        return
                    }
                    request.body = try reader.readChunked(
                        limit: configuration.maximumBodyBytes, deadline: requestDeadline)
                } else if let lengthText = lengths.first {
                    guard Set(lengths).count == 1, let length = Int(lengthText), length >= 0,
                        lengthText.allSatisfy(\.isNumber)
                    else {
                        refuse(socket, 400, "Bad Request", "invalid Content-Length")
                        return
                    }
                    guard length <= configuration.maximumBodyBytes else {
                        refuse(
                            socket, 413, "Content Too Large",
                            "body of \(length) bytes is over \(configuration.maximumBodyBytes)")
                        return
                    }
                    request.body = try reader.readExactly(length, deadline: requestDeadline)
                }
            } catch {
                switch error.kind {
                case .tooLarge: refuse(socket, 413, "Content Too Large", error.message)
                case .malformed: refuse(socket, 400, "Bad Request", error.message)
                case .timeout: refuse(socket, 408, "Request Timeout", error.message)
                default: break
                }
                return
            }
            let connectionTokens = values("connection").joined(separator: ",").lowercased()
            let keepAlive =
                !connectionTokens.contains("close")
                && (version == "HTTP/1.1" || connectionTokens.contains("keep-alive")) && !isStopping
            let response = handler(request)
            logger?(request, response)
            do {
                try socket.send(
                    response.serialized(keepAlive: keepAlive), deadline: .after(configuration.requestTimeout))
            } catch {
                return
            }
            if !keepAlive { return }
        }
    }
}
