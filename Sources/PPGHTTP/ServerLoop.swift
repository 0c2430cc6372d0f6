import PPGWire
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One of the server's event loops: accepts from the shared listener, reads, frames, answers and writes for its
/// connections on a thread of its own (its only user but for `complete(_:)`, whose queue has its own lock; hence
/// `@unchecked Sendable`). Every descriptor is non-blocking; nothing here waits but `Poller.wait`.
final class ServerLoop: @unchecked Sendable {
    /// One client connection.
    final class Connection {
        let descriptor: Int32
        /// Tells this connection from a later one on the same descriptor.
        let serial: UInt64
        let peer: String
        var framer: RequestFramer
        var output: [UInt8] = []
        var written = 0
        /// Phase and deadline, moved only through `ServerConnectionState`'s methods.
        var state: ServerConnectionState
        var partial: Bool { state.isReceiving }
        var closeAfterWrite: Bool { state.isClosing }
        var draining: Bool { state.isDraining }
        var handling: Bool { state.isHandling }
        var deadline: Deadline { state.deadline }
        /// Not read while the server's buffer budget is spent.
        var paused = false
        /// Bytes of this connection counted in the server's budget.
        var counted = 0
        /// Bytes of the request a handler thread holds: counted in the budget until its answer is back, so requests
        /// queued for blocked handlers cannot grow memory past it.
        var handedOver = 0
        var watching: (readable: Bool, writable: Bool) = (true, false)

        init(descriptor: Int32, serial: UInt64, peer: String, limits: FramingLimits, state: ServerConnectionState) {
            self.descriptor = descriptor
            self.serial = serial
            self.peer = peer
            self.framer = RequestFramer(limits: limits)
            self.state = state
        }
    }

    private let server: HTTPServer
    private let listener: Int32
    private let poller: Poller
    /// Signalled by `HTTPServer.stop()`: the loop learns of a stop at once instead of polling for it.
    let wakeup: Wakeup
    /// The earliest deadline of any connection (or later): the loop sleeps until then, not in fixed steps.
    private var nextDeadline: Deadline?
    /// Whether a connection waits for the buffer budget: only then does the loop look again every 100 ms.
    private var anyPaused = false
    /// The one connection of this loop that reads on past a spent budget, to the end of its request: without it,
    /// connections each holding part of a request could hold the whole budget between them and all wait until
    /// their 408. Granted only while no request of the loop is with a handler thread (whose answer frees budget
    /// anyway); the budget is so exceeded by at most one request per loop.
    private var pastBudget: Connection?
    /// This loop's connections whose request is with a handler thread.
    private var handlingCount = 0
    private var connections: [Int32: Connection] = [:]
    private var readBuffer = [UInt8](repeating: 0, count: 65_536)
    private let limits: FramingLimits
    private let idleTimeout: Double
    private let requestTimeout: Double
    /// Where requests go when the handler blocks; `nil` to answer on this thread.
    private let handlerThreads: HandlerThreads?
    /// Answers handed back by the handler threads, taken on this loop's next turn.
    private let completions = Mutex<[HandlerThreads.Completion]>([])
    private var nextSerial: UInt64 = 0

    init(server: HTTPServer, listener: Int32, handlerThreads: HandlerThreads?) throws(HTTPError) {
        self.server = server
        self.listener = listener
        self.handlerThreads = handlerThreads
        self.poller = try Poller()
        self.wakeup = try Wakeup()
        let configuration = server.configuration
        limits = FramingLimits(
            maximumHeadBytes: configuration.maximumHeadBytes, maximumBodyBytes: configuration.maximumBodyBytes)
        idleTimeout = configuration.idleTimeout
        requestTimeout = configuration.requestTimeout
    }

    /// Runs until the server stops and this loop's connections are done (or a short grace has passed).
    func run() {
        poller.add(listener)
        poller.add(wakeup.descriptor)
        var listening = true
        var lastSweep = Deadline.now
        var stopGrace: Deadline?
        while true {
            let stopping = server.isStopping
            if stopping {
                if listening {
                    poller.remove(listener)
                    listening = false
                    stopGrace = .after(min(2, requestTimeout))
                }
                for connection in Array(connections.values)
                where connection.state.isQuiet(outputPending: !connection.output.isEmpty) || connection.draining {
                    close(connection)
                }
                if connections.isEmpty { break }
                if let stopGrace, Deadline.now > stopGrace {
                    for connection in Array(connections.values) { close(connection) }
                    break
                }
            }
            // Sleep until the next deadline, a stop or a client's bytes wake it; every 100 ms only while a stop's
            // grace runs or a connection waits for the budget.
            // Sweeps stay at least 100 ms apart, so that many deadlines falling due one after another cost one sweep.
            let sweepAllowed = lastSweep.adding(nanoseconds: 100_000_000)
            var wake = sweepAllowed
            if !stopping && !anyPaused {
                wake = Deadline.after(60)
                if let nextDeadline, nextDeadline < wake { wake = max(nextDeadline, sweepAllowed) }
            }
            for event in poller.wait(until: wake) {
                if event.descriptor == listener {
                    if listening { acceptAll() }
                    continue
                }
                if event.descriptor == wakeup.descriptor {
                    wakeup.drain()
                    answerCompleted()
                    continue
                }
                guard let connection = connections[event.descriptor] else { continue }
                if event.writable { flush(connection) }
                if (event.readable || event.closed) && connections[event.descriptor] != nil { read(connection) }
            }
            let now = Deadline.now
            if now.microseconds(since: lastSweep) >= 100_000
                && (stopping || anyPaused || nextDeadline.map({ $0 <= now }) == true)
            {
                lastSweep = now
                sweep()
            }
        }
    }

    private func acceptAll() {
        for _ in 0..<256 {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
            }
            guard client >= 0 else {
                if errno == EMFILE || errno == ENFILE { evictIdle() }
                return
            }
            Socket.configure(client)
            let open = server.openConnections.add(1, ordering: .relaxed).newValue
            if open > server.configuration.maximumConnections && !evictIdle() {
                server.openConnections.subtract(1, ordering: .relaxed)
                _ = systemClose(client)
                continue
            }
            nextSerial += 1
            let connection = Connection(
                descriptor: client, serial: nextSerial, peer: HTTPServer.describe(address), limits: limits,
                state: ServerConnectionState(now: .now, idleTimeout: idleTimeout, requestTimeout: requestTimeout))
            connections[client] = connection
            noteDeadline(connection.deadline)
            poller.add(client)
        }
    }

    /// Closes this loop's longest-idle connection (one between requests), to make room for a new one.
    @discardableResult
    private func evictIdle() -> Bool {
        let idle = connections.values.filter { $0.state.isQuiet(outputPending: !$0.output.isEmpty) }
        guard let oldest = idle.min(by: { $0.deadline < $1.deadline }) else { return false }
        close(oldest)
        return true
    }

    private func read(_ connection: Connection) {
        if connection.draining {
            drain(connection)
            return
        }
        for _ in 0..<4 {
            // Once the last answer is out, what the client still sends is dropped, never parsed.
            if connection.draining {
                drain(connection)
                return
            }
            if connection.partial
                && server.bufferedBytes.load(ordering: .relaxed) > server.configuration.maximumBufferedBytes
                && !mayReadPastBudget(connection)
            {
                connection.paused = true
                anyPaused = true
                updateInterest(connection)
                return
            }
            let count = readBuffer.withUnsafeMutableBytes { raw in
                recv(connection.descriptor, raw.baseAddress, raw.count, 0)
            }
            if count > 0 {
                readBuffer.withUnsafeBytes { raw in
                    connection.framer.append(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
                }
                process(connection)
                if connections[connection.descriptor] == nil || !connection.watching.readable { return }
                if count < readBuffer.count { return }
            } else if count == 0 {
                close(connection)
                return
            } else {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { close(connection) }
                return
            }
        }
    }

    /// Answers every whole request the buffered bytes hold, in order.
    private func process(_ connection: Connection) {
        // A connection that announced its close parses nothing more: bytes after a refusal or after a request
        // carrying `Connection: close` are not requests of this server's (RFC 9112 §9.6). One with a handler thread
        // parses nothing until that answer is queued: answers go out in the order of their requests.
        guard !connection.draining && !connection.handling else { return }
        var answered = false
        var closing = connection.closeAfterWrite
        framing: while !closing {
            switch connection.framer.next() {
            case .needMore:
                break framing
            case .sendContinue:
                connection.output += Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
            case .refuse(let status, let reason, let note):
                let response = HTTPResponse.text(status, reason, note)
                server.logger?(nil, HTTPServer.Context(peer: connection.peer, logNote: note), response)
                connection.output += response.serialized(keepAlive: false)
                closing = true
            case .request(let request, let head, let keepAlive):
                var context = HTTPServer.Context(peer: connection.peer, head: head)
                if let handlerThreads {
                    handlerThreads.submit(
                        HandlerThreads.Job(
                            loop: self, descriptor: connection.descriptor, serial: connection.serial,
                            request: request, context: context))
                    connection.state.handedOver(keepAlive: keepAlive, toHEAD: request.method == "HEAD", now: .now)
                    noteDeadline(connection.deadline)
                    connection.handedOver = head.count + request.body.count
                    handlingCount += 1
                    account(connection)
                    flush(connection)
                    return
                }
                let response = server.handler(request, &context)
                server.logger?(request, context, response)
                let keep = keepAlive && !server.isStopping
                connection.output += response.serialized(keepAlive: keep, toHEAD: request.method == "HEAD")
                closing = !keep
                answered = true
            }
        }
        if closing { connection.framer.discardBuffered() }
        connection.state.framed(
            partial: connection.framer.hasPartialRequest, answered: answered, closing: closing,
            outputPending: !connection.output.isEmpty, now: .now)
        noteDeadline(connection.deadline)
        account(connection)
        flush(connection)
    }

    /// Takes a handler thread's answer back (from that thread): queued, and the loop woken to write it.
    func complete(_ completion: HandlerThreads.Completion) {
        completions.withLock { $0.append(completion) }
        wakeup.signal()
    }

    /// Queues the answers the handler threads have handed back, each on its connection if that is still open, then
    /// goes on with what the connection sent meanwhile.
    private func answerCompleted() {
        let done = completions.withLock { queued -> [HandlerThreads.Completion] in
            defer { queued = [] }
            return queued
        }
        for completion in done {
            guard let connection = connections[completion.descriptor], connection.serial == completion.serial,
                let (keep, toHEAD) = connection.state.answered(stopping: server.isStopping, now: .now)
            else { continue }
            connection.output += completion.response.serialized(keepAlive: keep, toHEAD: toHEAD)
            connection.handedOver = 0
            handlingCount -= 1
            noteDeadline(connection.deadline)
            if keep {
                process(connection)
            } else {
                connection.framer.discardBuffered()
                account(connection)
                flush(connection)
            }
        }
    }

    /// Keeps the server's count of buffered bytes in step with this connection's.
    private func account(_ connection: Connection) {
        let now = connection.closeAfterWrite ? 0 : connection.framer.bufferedBytes + connection.handedOver
        if now != connection.counted {
            server.bufferedBytes.add(now - connection.counted, ordering: .relaxed)
            connection.counted = now
        }
    }

    private func flush(_ connection: Connection) {
        while connection.written < connection.output.count {
            let sent = connection.output.withUnsafeBytes { raw in
                systemSend(
                    connection.descriptor, raw.baseAddress.unsafelyUnwrapped + connection.written,
                    raw.count - connection.written)
            }
            if sent > 0 {
                connection.written += sent
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                updateInterest(connection)
                return
            } else {
                close(connection)
                return
            }
        }
        connection.output = []
        connection.written = 0
        if connection.state.written(now: .now) {
            noteDeadline(connection.deadline)
            account(connection)
            _ = shutdown(connection.descriptor, Int32(SHUT_WR))
            connection.watching = (false, false)
            updateInterest(connection)
            return
        }
        updateInterest(connection)
    }

    /// Reads and drops what a client still sends after the last response, until it closes or the deadline passes.
    private func drain(_ connection: Connection) {
        for _ in 0..<16 {
            let count = readBuffer.withUnsafeMutableBytes { raw in
                recv(connection.descriptor, raw.baseAddress, raw.count, 0)
            }
            if count > 0 { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
            close(connection)
            return
        }
    }

    /// Reads only while nothing waits to be written and the budget allows; writes while something waits.
    private func updateInterest(_ connection: Connection) {
        let writable = !connection.output.isEmpty
        let readable =
            connection.draining
            || (!writable && !connection.closeAfterWrite && !connection.paused && !connection.handling)
        guard connection.watching != (readable, writable) else { return }
        connection.watching = (readable, writable)
        poller.update(connection.descriptor, readable: readable, writable: writable)
    }

    /// Keeps the loop's next wake-up no later than a connection's deadline.
    private func noteDeadline(_ deadline: Deadline) {
        if nextDeadline.map({ deadline < $0 }) ?? true { nextDeadline = deadline }
    }

    /// Drops connections past their deadline (408 for a request that did not arrive in time) and resumes paused
    /// ones once the budget allows.
    private func sweep() {
        let now = Deadline.now
        let budgetLeft =
            server.bufferedBytes.load(ordering: .relaxed) <= server.configuration.maximumBufferedBytes
        nextDeadline = nil
        anyPaused = false
        defer {
            for connection in connections.values {
                noteDeadline(connection.deadline)
                if connection.paused { anyPaused = true }
            }
        }
        for connection in Array(connections.values) {
            // A handler thread always answers; the client is not charged for the handler's time.
            if connection.handling { continue }
            let expiry = connection.state.expiry(now: now, outputPending: !connection.output.isEmpty)
            if expiry != .none {
                if expiry == .requestTimeout {
                    let note = "the request did not arrive in time"
                    let response = HTTPResponse.text(408, "Request Timeout", note)
                    server.logger?(nil, HTTPServer.Context(peer: connection.peer, logNote: note), response)
                    let bytes = response.serialized(keepAlive: false)
                    _ = bytes.withUnsafeBytes { raw in
                        systemSend(connection.descriptor, raw.baseAddress.unsafelyUnwrapped, raw.count)
                    }
                }
                close(connection)
            } else if connection.paused && (budgetLeft || mayReadPastBudget(connection)) {
                connection.paused = false
                updateInterest(connection)
                read(connection)
            }
        }
    }

    /// Whether a partial connection may read although the budget is spent: it is the loop's one such connection,
    /// or becomes it because the last one has its request whole (or is gone).
    private func mayReadPastBudget(_ connection: Connection) -> Bool {
        if pastBudget === connection { return true }
        if let current = pastBudget, connections[current.descriptor] === current,
            current.partial
        {
            return false
        }
        guard handlingCount == 0 else { return false }
        pastBudget = connection
        return true
    }

    private func close(_ connection: Connection) {
        guard connections.removeValue(forKey: connection.descriptor) != nil else { return }
        if connection.handling { handlingCount -= 1 }
        poller.remove(connection.descriptor)
        _ = systemClose(connection.descriptor)
        server.openConnections.subtract(1, ordering: .relaxed)
        if connection.counted != 0 {
            server.bufferedBytes.subtract(connection.counted, ordering: .relaxed)
            connection.counted = 0
        }
    }
}
