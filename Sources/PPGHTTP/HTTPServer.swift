import Foundation
import PPGWire
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An HTTP/1.1 server of our own over POSIX sockets, event-driven: a few loop threads (two per core, at most 16:
/// measured on loopback with serve's request log, two per core answer more than one per core — a loop's sends and
/// its clients' wake-ups interleave — and four per core less, the loops and the log writer contending) each multiplex their connections with epoll (kqueue on Apple platforms), so an idle or
/// slow client costs a file descriptor and its few buffered bytes, not a thread, and a valid request is answered at once whatever else
/// is connected. Keep-alive and pipelining, caps on head and body sizes, deadlines for idle and slow clients, a
/// budget for bytes buffered across connections. Malformed input gets a 4xx and a closed connection, never a crash
/// and never a 5xx.
///
/// Memory: a request holds at most `maximumHeadBytes + maximumBodyBytes` (plus one read of 64 KiB); once the
/// bytes buffered for unfinished requests — and for requests handed to handler threads, until they are answered —
/// pass `maximumBufferedBytes`, connections in the middle of a request are not read until others finish, except one
/// per loop that reads on to the end of its request (so partial requests cannot starve each other), and the total
/// stays under that budget plus one request per loop and 64 KiB per connection being read.
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
        /// Connections open at once; past it the longest-idle connection is closed to make room, and a new one is
        /// refused only when none is idle.
        public var maximumConnections: Int
        /// Bytes buffered for unfinished requests across all connections before slow ones are no longer read.
        public var maximumBufferedBytes: Int
        /// Threads of their own for a handler that blocks (file I/O): 0 runs the handler on the loop thread, which
        /// suits a handler that only computes; with N > 0 a loop hands each request to one of N threads and serves
        /// its other connections meanwhile, and a connection waits for its answer before its next request is read.
        public var handlerThreads: Int
        /// The number of event loops; `nil` for two per core, at most 16.
        public var loops: Int?

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 8080, maximumBodyBytes: Int = 1 << 20,
            maximumHeadBytes: Int = 16_384, idleTimeout: Double = 5, requestTimeout: Double = 10,
            maximumConnections: Int = 20_000, maximumBufferedBytes: Int = 64 << 20, handlerThreads: Int = 0,
            loops: Int? = nil
        ) {
            self.host = host
            self.port = port
            self.maximumBodyBytes = maximumBodyBytes
            self.maximumHeadBytes = maximumHeadBytes
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.maximumConnections = maximumConnections
            self.maximumBufferedBytes = maximumBufferedBytes
            self.handlerThreads = handlerThreads
            self.loops = loops
        }
    }

    /// What the transport knows of one exchange besides the request itself: who sent it, its head byte for byte,
    /// and the note the handler leaves for the log line (never sent).
    public struct Context: Sendable {
        /// The peer's address, for logs.
        public var peer: String
        /// The head exactly as received: request line and fields, up to and including the blank line; empty for a
        /// refusal the server answered itself.
        public var head: [UInt8]
        /// What was decided, for the log line: the handler's note, or the server's reason for a refusal.
        public var logNote: String

        /// Creates a context.
        /// - Parameters:
        ///   - peer: The peer's address.
        ///   - head: The head as received.
        ///   - logNote: The note for the log line.
        public init(peer: String = "", head: [UInt8] = [], logNote: String = "") {
            self.peer = peer
            self.head = head
            self.logNote = logNote
        }
    }

    /// Answers one request; may leave a note for the log line in the context.
    public typealias Handler = @Sendable (HTTPRequest, inout Context) -> HTTPResponse
    /// Told of every answered request (and, with no request, of refused ones), for a log line.
    public typealias Logger = @Sendable (HTTPRequest?, Context, HTTPResponse) -> Void

    /// The receiver's configuration.
    public let configuration: Configuration
    let handler: Handler
    let logger: Logger?
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)
    /// Connections open across all loops.
    let openConnections = Atomic<Int>(0)
    /// Bytes buffered for unfinished requests across all loops.
    let bufferedBytes = Atomic<Int>(0)

    private struct State {
        var listener: Int32 = -1
        /// Each loop's wake-up, signalled on stop.
        var wakeups: [Wakeup] = []
        /// The loops' own listeners besides the first (SO_REUSEPORT), closed with it.
        var extraListeners: [Int32] = []
        var loops = 0
        /// Where a blocking handler runs, when the configuration asks for threads of its own.
        var handlerThreads: HandlerThreads?
    }

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

    /// Binds and listens, without answering yet: the port is known (with port 0, the one picked) before the
    /// handler can be asked anything. `start()` binds first if this was not called.
    /// - Returns: The bound port.
    /// - Throws: `HTTPError` when the address cannot be bound.
    @discardableResult
    public func bind() throws(HTTPError) -> Int {
        let bound = state.withLock { $0.listener }
        if bound >= 0 { return Self.boundPort(bound) }
        let descriptor = try listener(port: configuration.port, exclusive: true)
        state.withLock { $0.listener = descriptor }
        return Self.boundPort(descriptor)
    }

    /// A non-blocking listening socket on the configured host. On Linux it is bound with `SO_REUSEPORT`, so that
    /// every loop gets a listener of its own on the same port and the kernel spreads new connections over them,
    /// instead of every loop waking on one socket for each connection.
    /// - Parameter exclusive: Refuse a port another listener already holds: a second `serve` on a port must fail
    ///   ("address in use"), not silently share it through `SO_REUSEPORT`.
    private func listener(port: Int, exclusive: Bool = false) throws(HTTPError) -> Int32 {
        let info = try Socket.resolve(host: configuration.host, port: port, passive: true)
        defer { freeaddrinfo(info) }
        func open(reusePort: Bool) -> Int32 {
            let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard descriptor >= 0 else { return descriptor }
            var one: Int32 = 1
            _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            #if os(Linux)
                if reusePort {
                    _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
                }
            #endif
            return descriptor
        }
        func refused() -> HTTPError {
            HTTPError(
                kind: .system,
                message:
                    "cannot listen on \(configuration.host):\(configuration.port): \(String(cString: strerror(errno)))")
        }
        if exclusive && port != 0 {
            // Bound without SO_REUSEPORT, then closed before the real bind: it fails only if the port is taken.
            let probe = open(reusePort: false)
            let free = probe >= 0 && systemBind(probe, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0
            let error = refused()
            if probe >= 0 { _ = systemClose(probe) }
            guard free else { throw error }
        }
        let descriptor = open(reusePort: true)
        guard descriptor >= 0 else { throw HTTPError(kind: .system, message: "socket() failed") }
        guard systemBind(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = systemClose(descriptor)
            throw HTTPError(
                kind: .system, message: "cannot listen on \(configuration.host):\(configuration.port): \(reason)")
        }
        guard listen(descriptor, 4096) == 0 else {
            _ = systemClose(descriptor)
            throw HTTPError(kind: .system, message: "listen() failed: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL, 0) | O_NONBLOCK)
        return descriptor
    }

    /// Event loops when the configuration names none: two per core, at least two, at most 16.
    static func defaultLoops(cores: Int) -> Int { min(16, 2 * max(1, cores)) }

    /// Binds (unless `bind()` was called), listens and starts the loop threads.
    /// - Returns: The bound port.
    /// - Throws: `HTTPError` when the address cannot be bound.
    @discardableResult
    public func start() throws(HTTPError) -> Int {
        let port = try bind()
        let descriptor = state.withLock { $0.listener }
        Self.raiseDescriptorLimit()
        let count = max(
            1, configuration.loops ?? Self.defaultLoops(cores: ProcessInfo.processInfo.activeProcessorCount))
        let handlerThreads =
            configuration.handlerThreads > 0 ? HandlerThreads(count: configuration.handlerThreads, server: self) : nil
        // A listener per loop where the system spreads connections over them (SO_REUSEPORT on Linux); where one
        // cannot be made, the loops share the first.
        var listeners = [descriptor]
        #if os(Linux)
            for _ in 1..<count {
                guard let extra = try? listener(port: port) else { break }
                listeners.append(extra)
            }
        #endif
        var loops: [ServerLoop] = []
        for index in 0..<count {
            do {
                loops.append(
                    try ServerLoop(
                        server: self, listener: listeners[index % listeners.count], handlerThreads: handlerThreads))
            } catch {
                for listener in listeners { _ = systemClose(listener) }
                handlerThreads?.stop()
                throw error
            }
        }
        state.withLock {
            $0.loops = count
            $0.wakeups = loops.map(\.wakeup)
            $0.extraListeners = Array(listeners.dropFirst())
            $0.handlerThreads = handlerThreads
        }
        for (index, loop) in loops.enumerated() {
            let thread = Thread { [self] in
                loop.run()
                loopEnded()
            }
            thread.name = "ppg-http-loop-\(index)"
            thread.start()
        }
        return port
    }

    /// Lets the process open as many descriptors as its hard limit allows: idle clients cost one each.
    static func raiseDescriptorLimit() {
        #if canImport(Glibc)
            let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = min(limit.rlim_max, 1 << 20)
        _ = setrlimit(resource, &limit)
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

    /// Stops accepting; requests in progress finish (within their deadlines), idle connections are closed.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        for wakeup in state.withLock({ $0.wakeups }) { wakeup.signal() }
    }

    /// Blocks until every loop has ended after `stop()`.
    public func wait() {
        finished.wait()
        finished.signal()
    }

    /// How many connections are open now.
    public var activeConnections: Int { openConnections.load(ordering: .relaxed) }

    /// Read by every loop on every turn, so an atomic rather than the state's lock.
    private let stopping = Atomic<Bool>(false)

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    private func loopEnded() {
        let last = state.withLock { state -> Bool in
            state.loops -= 1
            return state.loops == 0
        }
        if last {
            state.withLock {
                _ = systemClose($0.listener)
                for listener in $0.extraListeners { _ = systemClose(listener) }
                $0.handlerThreads?.stop()
            }
            finished.signal()
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

}
