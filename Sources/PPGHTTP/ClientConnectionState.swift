/// Where one connection of the multiplexed client stands, as a value: its phase, its requests in flight and the
/// rules that decide a timeout and what a close does to those requests. Each method is given the time rather than
/// reading a clock. The client loop keeps one per connection and does the I/O; the rules are tested without sockets.
struct ClientConnectionState: Sendable {
    /// A connection is closed until its next request; then it connects and (for https) shakes hands without the
    /// loop waiting for either, and is open once both are done. Requests queue while it is not open yet.
    enum Phase: Equatable, Sendable {
        /// Not connected; not to be tried again before `retryAt`.
        case closed(retryAt: Deadline)
        /// The TCP connect is in progress.
        case connecting
        /// The TLS handshake is in progress.
        case handshaking
        /// Requests can be written.
        case open
    }

    /// A request sent (or queued) and not yet answered.
    struct InFlight: Sendable {
        var tag: Int
        /// When it was meant to go out: latency is measured from here.
        var started: Deadline
        /// When its bytes were queued: the timeout runs from here.
        var sent: Deadline
        var bytes: [UInt8]
        var retried: Bool
    }

    /// What a close does to the requests in flight.
    struct Lost: Sendable {
        /// To be sent once more: lost before any byte of their answer on a connection that had answered before
        /// (a kept-alive connection the server closed as the request went out), each at most once.
        var retry: [InFlight]
        /// To be reported failed.
        var failed: [InFlight]
    }

    /// How long a refused connect waits before it is tried again: a refused connection is not retried in a tight loop.
    static let retryNanoseconds: UInt64 = 10_000_000

    private(set) var phase: Phase
    private(set) var inFlight: [InFlight] = []
    /// Answers read on the current connection.
    private(set) var answered = 0

    /// A connection not yet connected, to be tried from `now` on.
    init(now: Deadline) {
        phase = .closed(retryAt: now)
    }

    var isClosed: Bool {
        if case .closed = phase { true } else { false }
    }

    /// When a closed connection may connect again; `nil` when it may now (or is not closed).
    func waitsUntil(now: Deadline) -> Deadline? {
        if case .closed(let retryAt) = phase, now < retryAt { return retryAt }
        return nil
    }

    /// A connect was started (or a next address is tried).
    mutating func connecting() {
        if isClosed { answered = 0 }
        phase = .connecting
    }

    /// No address could even be tried: closed, to be tried again shortly.
    mutating func connectRefused(now: Deadline) {
        phase = .closed(retryAt: now.adding(nanoseconds: Self.retryNanoseconds))
    }

    /// The TCP connection is up and the TLS handshake starts.
    mutating func handshaking() {
        phase = .handshaking
    }

    /// The connection is open.
    mutating func opened() {
        phase = .open
    }

    /// A request is queued on this connection now; its timeout runs from `now`.
    mutating func enqueue(_ request: InFlight, now: Deadline) {
        var queued = request
        queued.sent = now
        inFlight.append(queued)
    }

    /// A whole response arrived: it answers the oldest request, if there is one.
    mutating func answer() -> InFlight? {
        guard !inFlight.isEmpty else { return nil }
        answered += 1
        return inFlight.removeFirst()
    }

    /// When the oldest request in flight times out; `nil` with none in flight.
    func expires(timeoutNanoseconds: UInt64) -> Deadline? {
        inFlight.first.map { $0.sent.adding(nanoseconds: timeoutNanoseconds) }
    }

    /// Whether the oldest request in flight has waited longer than the timeout at `now`.
    func hasTimedOut(now: Deadline, timeoutNanoseconds: UInt64) -> Bool {
        guard let expires = expires(timeoutNanoseconds: timeoutNanoseconds) else { return false }
        return now > expires
    }

    /// Closes the connection: which requests in flight are retried and which fail.
    /// - Parameters:
    ///   - retrying: Whether the close lost requests a retry may save (a reset, a close by the server), rather than
    ///     answering them wrongly (a malformed answer, a timeout).
    ///   - inResponse: Whether part of an answer had arrived: then the request was seen, and is not sent again.
    ///   - now: The time.
    ///   - retryAfter: How long before the connection may connect again.
    /// - Returns: The requests to retry and those that fail.
    mutating func close(retrying: Bool, inResponse: Bool, now: Deadline, retryAfter: UInt64 = 0) -> Lost {
        let lostOnReuse = retrying && answered > 0 && !inResponse
        phase = .closed(retryAt: now.adding(nanoseconds: retryAfter))
        answered = 0
        var lost = Lost(retry: [], failed: [])
        for request in inFlight {
            if lostOnReuse && !request.retried {
                var again = request
                again.retried = true
                lost.retry.append(again)
            } else {
                lost.failed.append(request)
            }
        }
        inFlight.removeAll(keepingCapacity: true)
        return lost
    }
}
