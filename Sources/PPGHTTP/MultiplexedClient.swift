import Foundation
import PPGWire

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a ``MultiplexedClientDriver`` hands its loop next.
public enum MultiplexedClientStep: Sendable {
    /// Send these whole request bytes. `tag` comes back with the answer; `intended` is when the request was meant
    /// to go out (latency is measured from it, so a server that falls behind a schedule is not flattered), or nil
    /// for now.
    case send(bytes: [UInt8], tag: Int, intended: Deadline?)
    /// Nothing is due before this time.
    case wait(until: Deadline)
    /// Send nothing more: the loop ends once the requests in flight are answered or time out.
    case stop
}

/// Feeds one loop of a ``MultiplexedClient`` with requests and learns their outcomes. Created on the loop's own
/// thread and used only there.
public protocol MultiplexedClientDriver: AnyObject {
    /// The next request, a time to wait for, or the end. Called while a connection has room.
    func next(now: Deadline) -> MultiplexedClientStep
    /// A final response arrived for the request with this tag.
    /// - Parameters:
    ///   - tag: The request's tag.
    ///   - status: The response's status.
    ///   - started: When the request was meant to go out.
    ///   - now: When the response was complete.
    func answered(tag: Int, status: Int, started: Deadline, now: Deadline)
    /// The request with this tag got no answer.
    func failed(tag: Int, error: HTTPError, started: Deadline, now: Deadline)
    /// Bytes arrived that answer no request — a second answer, an answer before any request, garbage after one —
    /// and the connection was closed for them. Nothing was lost, but the peer broke HTTP: a load generator counts it.
    func unsolicited(error: HTTPError, now: Deadline)
    /// The loop has ended: every request is answered or failed.
    func ended()
}

extension MultiplexedClientDriver {
    /// By default nothing is counted.
    public func unsolicited(error: HTTPError, now: Deadline) {}
}

/// An HTTP/1.1 client for volume: many kept-alive connections multiplexed on a few event loops (epoll, kqueue on
/// Apple platforms), one thread per loop instead of one per connection. Each loop asks its driver for requests
/// while a connection has room (one request at a time, or up to `pipeline` with HTTP/1.1 pipelining), writes
/// every connection's new requests with one call each per turn, and frames responses as they arrive. A
/// connection the server closes is reopened on its next request; a request lost to the close of a kept-alive
/// connection before any byte of its answer is sent once more (the race RFC 9112 §9.3.1 describes).
public enum MultiplexedClient {
    /// Where to connect and how hard to drive.
    public struct Options: Sendable {
        /// The host: a name, an IPv4 address or a bracketed IPv6 address.
        public var host: String
        /// The port.
        public var port: Int
        /// TLS (https), or nil for plain HTTP.
        public var tls: TLSOptions?
        /// Connections in all, spread over the loops.
        public var connections: Int
        /// Event loops (threads); at most one per connection.
        public var loops: Int
        /// Requests in flight per connection: 1 waits for each answer, more pipelines.
        public var pipeline: Int
        /// Seconds a request may wait for its answer once sent, and connecting may take.
        public var timeout: Double
        /// Whether a connection carries more than one request. Off, each request has a connection of its own, closed
        /// once answered: a request the server answers without reading all of it (a body refused early) can then
        /// never be read as the start of the next one, nor its answer taken for the next one's.
        public var reuse = true

        /// Creates options.
        public init(
            host: String, port: Int, tls: TLSOptions? = nil, connections: Int, loops: Int, pipeline: Int = 1,
            timeout: Double = 5
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.connections = max(1, connections)
            self.loops = max(1, min(loops, self.connections))
            self.pipeline = max(1, pipeline)
            self.timeout = timeout
        }
    }

    /// Runs the loops until every driver has said stop and its requests are done.
    /// - Parameters:
    ///   - options: Where and how.
    ///   - makeDriver: Called once on each loop's thread with the loop's index and its connection count.
    public static func run(
        _ options: Options,
        makeDriver: @escaping @Sendable (_ loop: Int, _ connections: Int) -> any MultiplexedClientDriver
    ) {
        let group = DispatchGroup()
        for index in 0..<options.loops {
            let share = options.connections / options.loops + (index < options.connections % options.loops ? 1 : 0)
            group.enter()
            let thread = Thread {
                let driver = makeDriver(index, share)
                ClientLoop(options: options, connections: share, driver: driver).run()
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
    }
}

/// One loop of a ``MultiplexedClient``: its connections, its poller, its driver; used by one thread only.
final class ClientLoop {
    typealias InFlight = ClientConnectionState.InFlight

    /// One connection: its state (phase, requests in flight, the retry rule) as a value, and the I/O it needs.
    final class Connection {
        var state = ClientConnectionState(now: .now)
        /// The socket while connecting, shaking hands or open.
        var socket: Socket?
        /// While connecting: the addresses left to try.
        var nextAddresses: UnsafeMutablePointer<addrinfo>?
        var output: [UInt8] = []
        var written = 0
        var framer = ResponseFramer(mode: .statusOnly)
        var watchingWritable = false

        /// The socket, once the connection is open.
        var openSocket: Socket? { state.phase == .open ? socket : nil }
    }

    private let options: MultiplexedClient.Options
    private let driver: any MultiplexedClientDriver
    private let connections: [Connection]
    private var byDescriptor: [Int32: Connection] = [:]
    private let poller: Poller?
    private var readBuffer = [UInt8](repeating: 0, count: 65_536)
    private var retries: [InFlight] = []
    private let timeoutNanoseconds: UInt64

    init(options: MultiplexedClient.Options, connections: Int, driver: any MultiplexedClientDriver) {
        self.options = options
        self.driver = driver
        self.connections = (0..<connections).map { _ in Connection() }
        self.poller = try? Poller()
        timeoutNanoseconds = UInt64(options.timeout * 1e9)
    }

    func run() {
        guard let poller else {
            drainDriver(HTTPError(kind: .system, message: "cannot create a poller"))
            return
        }
        var stopping = false
        var pending: [Connection] = []
        while true {
            var now = Deadline.now
            var wake: Deadline?
            if !stopping || !retries.isEmpty {
                issue(now: now, wake: &wake, touched: &pending, stopping: &stopping)
            }
            for connection in pending { flush(connection) }
            pending.removeAll(keepingCapacity: true)
            if stopping && retries.isEmpty && !connections.contains(where: { !$0.state.inFlight.isEmpty }) { break }
            var waitUntil = Deadline(nanoseconds: now.nanoseconds + 100_000_000)
            var scheduled = false
            if let wake, wake < waitUntil {
                waitUntil = wake
                scheduled = true
            }
            for connection in connections {
                if let expires = connection.state.expires(timeoutNanoseconds: timeoutNanoseconds) {
                    if expires < waitUntil {
                        waitUntil = expires
                        scheduled = false
                    }
                }
            }
            for event in poller.wait(until: waitUntil, precise: scheduled) {
                guard let connection = byDescriptor[event.descriptor] else { continue }
                switch connection.state.phase {
                case .closed: break
                case .connecting: finishConnect(connection)
                case .handshaking: handshake(connection)
                case .open:
                    if event.writable { flush(connection) }
                    if event.readable || event.closed { read(connection) }
                }
            }
            now = .now
            for connection in connections {
                guard connection.state.hasTimedOut(now: now, timeoutNanoseconds: timeoutNanoseconds) else { continue }
                let what =
                    switch connection.state.phase {
                    case .connecting: "connecting to \(options.host):\(options.port) timed out"
                    case .handshaking: TLSSession.handshakeTimeout.message
                    case .closed, .open: "no answer within \(options.timeout) s"
                    }
                close(connection, failing: HTTPError(kind: .timeout, message: what), retrying: false)
            }
        }
        for connection in connections { close(connection, failing: nil, retrying: false) }
        driver.ended()
    }

    /// Whether a connection can take another request now: room in its pipeline, and its last bytes written (a TLS
    /// write must be retried with the same buffer, so nothing is appended while one is pending).
    private func hasRoom(_ connection: Connection) -> Bool {
        connection.state.inFlight.count < options.pipeline && connection.output.isEmpty
    }

    /// Sends requests lost to a close again, then asks the driver for more while connections have room, until it
    /// says stop.
    private func issue(now: Deadline, wake: inout Deadline?, touched: inout [Connection], stopping: inout Bool) {
        for connection in connections where hasRoom(connection) {
            if let retryAt = connection.state.waitsUntil(now: now) {
                if wake.map({ retryAt < $0 }) ?? true { wake = retryAt }
                continue
            }
            var added = false
            while connection.state.inFlight.count < options.pipeline {
                let request: InFlight
                if !retries.isEmpty {
                    request = retries.removeFirst()
                } else if stopping {
                    break
                } else {
                    switch driver.next(now: now) {
                    case .send(let bytes, let tag, let intended):
                        request = InFlight(tag: tag, started: intended ?? now, sent: now, bytes: bytes, retried: false)
                    case .wait(let until):
                        wake = until
                        if added { touched.append(connection) }
                        return
                    case .stop:
                        stopping = true
                        if added { touched.append(connection) }
                        return
                    }
                }
                if connection.state.isClosed && !connect(connection, now: now) {
                    driver.failed(tag: request.tag, error: lastConnectError, started: request.started, now: .now)
                    if case .closed(let retryAt) = connection.state.phase, wake.map({ retryAt < $0 }) ?? true {
                        wake = retryAt
                    }
                    break
                }
                connection.state.enqueue(request, now: now)
                connection.output += request.bytes
                added = true
            }
            if added { touched.append(connection) }
        }
    }

    private var lastConnectError = HTTPError(kind: .connectFailed, message: "not connected")
    /// The server's addresses, resolved on the first connection: a receiver that closes after every answer makes
    /// the loop reconnect for every request.
    private var addresses: UnsafeMutablePointer<addrinfo>?

    deinit {
        if let addresses { freeaddrinfo(addresses) }
    }

    /// Starts connecting without waiting; the requests queued meanwhile go out once the connection is open. `false`
    /// (with `lastConnectError`) when no address can even be tried.
    private func connect(_ connection: Connection, now: Deadline) -> Bool {
        do throws(HTTPError) {
            if addresses == nil {
                addresses = try Socket.resolve(host: options.host, port: options.port, passive: false)
            }
            guard let addresses else { throw HTTPError(kind: .resolve, message: "cannot resolve '\(options.host)'") }
            connection.framer = ResponseFramer(mode: .statusOnly)
            try start(connection, from: addresses)
            return true
        } catch {
            lastConnectError = error
            connection.state.connectRefused(now: now)
            return false
        }
    }

    /// Starts a connect to the first address from `addresses` on that does not fail at once.
    private func start(_ connection: Connection, from addresses: UnsafeMutablePointer<addrinfo>?) throws(HTTPError) {
        let started = try Socket.startConnect(from: addresses, host: options.host, port: options.port)
        byDescriptor[started.socket.descriptor] = connection
        connection.watchingWritable = !started.connected
        poller?.add(started.socket.descriptor, readable: started.connected, writable: !started.connected)
        connection.socket = started.socket
        connection.nextAddresses = started.next
        connection.state.connecting()
        if started.connected { try connected(connection, started.socket) }
    }

    /// The connect completed or failed: on to the handshake or to the next address, or fail its requests.
    private func finishConnect(_ connection: Connection) {
        guard connection.state.phase == .connecting, let socket = connection.socket else { return }
        let next = connection.nextAddresses
        guard let failure = socket.connectError() else {
            do throws(HTTPError) {
                try connected(connection, socket)
            } catch {
                fail(connection, error)
            }
            return
        }
        forget(socket)
        if next != nil {
            do throws(HTTPError) {
                try start(connection, from: next)
                return
            } catch {
                fail(connection, error)
                return
            }
        }
        fail(
            connection,
            HTTPError(kind: .connectFailed, message: "cannot connect to \(options.host):\(options.port): \(failure)"))
    }

    /// The TCP connection is up: shake hands for https, else open.
    private func connected(_ connection: Connection, _ socket: Socket) throws(HTTPError) {
        guard let tls = options.tls else {
            open(connection, socket)
            return
        }
        socket.tls = try TLSSession(socket: socket, hostname: options.host, options: tls)
        connection.state.handshaking()
        handshake(connection)
    }

    /// One handshake step, as far as it goes without waiting.
    private func handshake(_ connection: Connection) {
        guard connection.state.phase == .handshaking, let socket = connection.socket, let tls = socket.tls else {
            return
        }
        switch tls.handshake() {
        case .moved: open(connection, socket)
        case .wantRead: interest(connection, socket, readable: true, writable: false)
        case .wantWrite: interest(connection, socket, readable: true, writable: true)
        case .closed: fail(connection, HTTPError(kind: .tls, message: "the server closed the TLS handshake"))
        case .failed(let message): fail(connection, HTTPError(kind: .tls, message: message))
        }
    }

    private func open(_ connection: Connection, _ socket: Socket) {
        connection.state.opened()
        interest(connection, socket, readable: true, writable: !connection.output.isEmpty)
        flush(connection)
    }

    private func interest(_ connection: Connection, _ socket: Socket, readable: Bool, writable: Bool) {
        connection.watchingWritable = writable
        poller?.update(socket.descriptor, readable: readable, writable: writable)
    }

    /// Drops a socket whose connect failed (the connection tries another address or fails).
    private func forget(_ socket: Socket) {
        poller?.remove(socket.descriptor)
        byDescriptor[socket.descriptor] = nil
        socket.close()
    }

    /// The connection could not be opened: its requests fail, and it is tried again after a pause.
    private func fail(_ connection: Connection, _ error: HTTPError) {
        lastConnectError = error
        close(connection, failing: error, retrying: false, retryAfter: ClientConnectionState.retryNanoseconds)
    }

    private func flush(_ connection: Connection) {
        guard let socket = connection.openSocket else { return }
        while connection.written < connection.output.count {
            let remaining = connection.output.count - connection.written
            if let tls = socket.tls {
                let step = connection.output.withUnsafeBytes { raw in
                    tls.write(raw.baseAddress.unsafelyUnwrapped + connection.written, count: remaining)
                }
                switch step {
                case .moved(let count): connection.written += count
                case .wantRead, .wantWrite:
                    watch(connection, writable: true)
                    return
                case .closed, .failed:
                    close(
                        connection, failing: HTTPError(kind: .reset, message: "connection closed while sending"),
                        retrying: true)
                    return
                }
                continue
            }
            let sent = connection.output.withUnsafeBytes { raw in
                systemSend(socket.descriptor, raw.baseAddress.unsafelyUnwrapped + connection.written, remaining)
            }
            if sent > 0 {
                connection.written += sent
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                watch(connection, writable: true)
                return
            } else {
                let reason = String(cString: strerror(errno))
                // A server may answer and close before it has read the whole request (a body it refuses early):
                // its answer is read before the connection is given up.
                let waiting = connection.state.inFlight.count
                self.read(connection)
                guard connection.openSocket != nil, connection.state.inFlight.count == waiting else { return }
                close(
                    connection,
                    failing: HTTPError(kind: .reset, message: "connection closed while sending: \(reason)"),
                    retrying: true)
                return
            }
        }
        connection.output.removeAll(keepingCapacity: true)
        connection.written = 0
        watch(connection, writable: false)
    }

    private func watch(_ connection: Connection, writable: Bool) {
        guard connection.watchingWritable != writable, let socket = connection.openSocket else { return }
        connection.watchingWritable = writable
        poller?.update(socket.descriptor, readable: true, writable: writable)
    }

    private func read(_ connection: Connection) {
        guard let socket = connection.openSocket else { return }
        while true {
            let count: Int
            if let tls = socket.tls {
                let step = readBuffer.withUnsafeMutableBytes { raw in
                    tls.read(into: raw.baseAddress.unsafelyUnwrapped, count: raw.count)
                }
                switch step {
                case .moved(let moved): count = moved
                case .wantRead, .wantWrite: return
                case .closed: count = 0
                case .failed(let message):
                    close(connection, failing: HTTPError(kind: .reset, message: message), retrying: true)
                    return
                }
            } else {
                count = readBuffer.withUnsafeMutableBytes { raw in
                    recv(socket.descriptor, raw.baseAddress, raw.count, 0)
                }
            }
            if count > 0 {
                readBuffer.withUnsafeBytes { raw in
                    connection.framer.append(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
                }
                if !frame(connection) { return }
                if socket.tls == nil && count < readBuffer.count { return }
            } else if count == 0 {
                if case .response(let response, _) = connection.framer.finishAtClose() {
                    answer(connection, status: response.status)
                }
                close(
                    connection, failing: HTTPError(kind: .reset, message: "connection closed before an answer"),
                    retrying: true)
                return
            } else {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                close(
                    connection,
                    failing: HTTPError(kind: .reset, message: "receive failed: \(String(cString: strerror(errno)))"),
                    retrying: true)
                return
            }
        }
    }

    /// Hands every whole response to the driver. Returns false once the connection is closed.
    private func frame(_ connection: Connection) -> Bool {
        while true {
            switch connection.framer.next() {
            case .needMore:
                return true
            case .failed(let problem):
                // Whatever the framer refused, the connection's bytes are not answers the driver can count.
                close(connection, failing: HTTPError(kind: .malformed, message: problem.message), retrying: false)
                return false
            case .response(let response, let closes):
                let status = response.status
                guard !connection.state.inFlight.isEmpty else {
                    close(
                        connection, failing: HTTPError(kind: .malformed, message: "a response nobody asked for"),
                        retrying: false)
                    return false
                }
                answer(connection, status: status)
                // Closed once answered (`reuse` off): what follows belongs to no request.
                guard connection.openSocket != nil else { return false }
                if closes {
                    close(
                        connection,
                        failing: HTTPError(kind: .reset, message: "the server closed the connection before answering"),
                        retrying: true)
                    return false
                }
            }
        }
    }

    private func answer(_ connection: Connection, status: Int) {
        guard let request = connection.state.answer() else { return }
        driver.answered(tag: request.tag, status: status, started: request.started, now: .now)
        if !options.reuse && connection.state.inFlight.isEmpty {
            close(connection, failing: nil, retrying: false)
        }
    }

    /// Closes a connection. Its requests in flight fail with `failing`, except that those lost before any byte of
    /// their answer on a connection that answered before are queued once more when `retrying`.
    private func close(
        _ connection: Connection, failing error: HTTPError?, retrying: Bool, retryAfter: UInt64 = 0
    ) {
        if let socket = connection.socket, byDescriptor[socket.descriptor] === connection {
            forget(socket)
        }
        connection.socket = nil
        connection.nextAddresses = nil
        let now = Deadline.now
        let lost = connection.state.close(
            retrying: retrying, inResponse: connection.framer.inResponse, now: now, retryAfter: retryAfter)
        connection.output.removeAll(keepingCapacity: true)
        connection.written = 0
        connection.watchingWritable = false
        // A malformed answer with no request waiting fails none: it is still the peer's error, and said so.
        if lost.retry.isEmpty && lost.failed.isEmpty, let error, error.kind == .malformed {
            driver.unsolicited(error: error, now: now)
        }
        retries += lost.retry
        for request in lost.failed {
            driver.failed(
                tag: request.tag, error: error ?? HTTPError(kind: .reset, message: "closed"),
                started: request.started, now: now)
        }
    }

    /// Without a poller nothing can be sent: every request the driver offers fails.
    private func drainDriver(_ error: HTTPError) {
        while true {
            let now = Deadline.now
            switch driver.next(now: now) {
            case .send(_, let tag, let intended):
                driver.failed(tag: tag, error: error, started: intended ?? now, now: now)
            case .wait(let until):
                usleep(UInt32(min(250_000, until.microseconds(since: now))))
            case .stop:
                driver.ended()
                return
            }
        }
    }
}
