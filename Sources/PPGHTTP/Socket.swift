#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A non-blocking TCP socket driven with `poll`, so every call honours a deadline. Used from one thread at a time.
final class Socket {
    private(set) var descriptor: Int32
    /// Set once a TLS handshake has completed: every byte then goes through it.
    var tls: TLSSession?

    init(descriptor: Int32) {
        self.descriptor = descriptor
        Self.configure(descriptor)
    }

    deinit { close() }

    static func configure(_ descriptor: Int32) {
        let flags = fcntl(descriptor, F_GETFL, 0)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        var one: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
            _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    func close() {
        if descriptor >= 0 {
            _ = systemClose(descriptor)
            descriptor = -1
        }
    }

    /// Resolves a host (name, IPv4 or bracketed IPv6) and port to TCP addresses; the caller frees the list.
    static func resolve(host: String, port: Int, passive: Bool) throws(HTTPError) -> UnsafeMutablePointer<addrinfo> {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        if passive { hints.ai_flags = AI_PASSIVE }
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw HTTPError(
                kind: .resolve, message: "cannot resolve '\(name)': \(String(cString: gai_strerror(status)))")
        }
        return first
    }

    /// Connects to a host (name, IPv4 or bracketed IPv6) and port, trying each resolved address in turn.
    static func connect(host: String, port: Int, deadline: Deadline) throws(HTTPError) -> Socket {
        let first = try resolve(host: host, port: port, passive: false)
        defer { freeaddrinfo(first) }
        return try connect(to: first, host: host, port: port, deadline: deadline)
    }

    /// Connects to the first of already resolved addresses that accepts (a client reconnecting often resolves once).
    static func connect(
        to first: UnsafeMutablePointer<addrinfo>, host: String, port: Int, deadline: Deadline
    ) throws(HTTPError) -> Socket {
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while true {
            let started = try startConnect(from: cursor, host: host, port: port)
            if started.connected { return started.socket }
            var pollDescriptor = pollfd(fd: started.socket.descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pollDescriptor, 1, deadline.millisecondsLeft)
            if ready == 0 {
                throw HTTPError(kind: .timeout, message: "connecting to \(host):\(port) timed out")
            }
            let failure = ready > 0 ? started.socket.connectError() : String(cString: strerror(errno))
            guard let failure else { return started.socket }
            guard started.next != nil else {
                throw HTTPError(kind: .connectFailed, message: "cannot connect to \(host):\(port): \(failure)")
            }
            cursor = started.next
        }
    }

    /// Starts a connect without waiting, to the first address from `first` on that does not fail at once.
    /// - Returns: The socket; whether it is connected already (if not, it becomes writable once the connect completes
    ///   or fails, and `connectError()` tells which); the addresses left to try should it fail.
    /// - Throws: `HTTPError` of kind `connectFailed` when every address fails at once.
    static func startConnect(
        from first: UnsafeMutablePointer<addrinfo>?, host: String, port: Int
    ) throws(HTTPError) -> (socket: Socket, connected: Bool, next: UnsafeMutablePointer<addrinfo>?) {
        var lastError = "no address"
        var cursor = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard descriptor >= 0 else { continue }
            let candidate = Socket(descriptor: descriptor)
            if systemConnect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                return (candidate, true, cursor)
            }
            if errno == EINPROGRESS { return (candidate, false, cursor) }
            lastError = String(cString: strerror(errno))
        }
        throw HTTPError(kind: .connectFailed, message: "cannot connect to \(host):\(port): \(lastError)")
    }

    /// How a connect started without waiting ended, once the socket is writable: `nil` when it is connected, else
    /// the reason it is not.
    func connectError() -> String? {
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length) == 0 else {
            return String(cString: strerror(errno))
        }
        return socketError == 0 ? nil : String(cString: strerror(socketError))
    }

    /// Sends every byte before the deadline.
    func send(_ bytes: [UInt8], deadline: Deadline) throws(HTTPError) {
        try deadline.check("sending")
        if let tls { return try tls.send(bytes, socket: self, deadline: deadline) }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                systemSend(descriptor, raw.baseAddress.unsafelyUnwrapped + offset, bytes.count - offset)
            }
            if sent > 0 {
                offset += sent
                continue
            }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                try wait(for: Int16(POLLOUT), deadline: deadline, what: "sending")
                continue
            }
            throw HTTPError(
                kind: .reset, message: "connection closed while sending: \(String(cString: strerror(errno)))")
        }
    }

    /// Receives up to `maximum` bytes; an empty result means the peer closed its side.
    func receive(maximum: Int, deadline: Deadline) throws(HTTPError) -> [UInt8] {
        // Checked before every read, not only when poll waits: a peer that always has bytes waiting (1xx answers,
        // trailer fields or chunk extensions without end) never makes poll wait.
        try deadline.check("waiting for data")
        if let tls { return try tls.receive(maximum: maximum, socket: self, deadline: deadline) }
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                recv(descriptor, raw.baseAddress, maximum, 0)
            }
            if count >= 0 { return Array(buffer.prefix(count)) }
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                try wait(for: Int16(POLLIN), deadline: deadline, what: "waiting for data")
                continue
            }
            if errno == ECONNRESET {
                throw HTTPError(kind: .reset, message: "connection reset by peer")
            }
            throw HTTPError(kind: .reset, message: "receive failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Whether the peer has closed or sent something, without waiting: used before reusing a kept-alive connection.
    func isReadableOrClosed() -> Bool {
        if tls?.hasPending == true { return true }
        var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&pollDescriptor, 1, 0) != 0
    }

    func shutdownWrite() {
        _ = shutdown(descriptor, Int32(SHUT_WR))
    }

    func wait(for events: Int16, deadline: Deadline, what: String) throws(HTTPError) {
        var pollDescriptor = pollfd(fd: descriptor, events: events, revents: 0)
        let ready = poll(&pollDescriptor, 1, deadline.millisecondsLeft)
        if ready == 0 { throw HTTPError(kind: .timeout, message: "timed out \(what)") }
        if ready < 0 && errno != EINTR {
            throw HTTPError(kind: .reset, message: "poll failed: \(String(cString: strerror(errno)))")
        }
    }
}

// The libc names are shadowed by methods; these keep call sites unambiguous.
@inline(__always) func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
        Glibc.close(descriptor)
    #else
        Darwin.close(descriptor)
    #endif
}

@inline(__always) func systemBind(
    _ descriptor: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t
)
    -> Int32
{
    #if canImport(Glibc)
        Glibc.bind(descriptor, address, length)
    #else
        Darwin.bind(descriptor, address, length)
    #endif
}

@inline(__always) func systemConnect(
    _ descriptor: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t
)
    -> Int32
{
    #if canImport(Glibc)
        Glibc.connect(descriptor, address, length)
    #else
        Darwin.connect(descriptor, address, length)
    #endif
}

@inline(__always) func systemSend(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.send(descriptor, pointer, count, Int32(MSG_NOSIGNAL))
    #else
        Darwin.send(descriptor, pointer, count, 0)
    #endif
}
