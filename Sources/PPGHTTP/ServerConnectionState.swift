/// Where one server connection stands, as a value: its phase and its deadline, moved only by the methods below,
/// each given the time (`now`) rather than reading a clock, and each saying what the loop must do. The event loop
/// keeps one per connection and does the I/O; the rules — which deadline applies when, what a passed deadline
/// costs, when a connection drains — live here and are tested without sockets.
struct ServerConnectionState: Equatable, Sendable {
    /// Between requests, during one, with a handler, closing, draining.
    enum Phase: Equatable, Sendable {
        /// Between requests: nothing of the next one has arrived.
        case idle
        /// Part of a request has arrived.
        case receiving
        /// A request is with a handler thread; nothing more is read until its answer is queued.
        case handling(keepAlive: Bool, toHEAD: Bool)
        /// The last answer is queued (a refusal, or `Connection: close`): close once it is written.
        case closing
        /// The last answer is written and the write side shut: what still arrives is read and dropped until the
        /// client closes, so an early answer (a 413 before the body) reaches it instead of a reset (RFC 9112 §9.6).
        case draining
    }

    /// What the loop does once a deadline has passed.
    enum Expiry: Equatable, Sendable {
        /// Nothing: the deadline has not passed, or a handler has the request (its time is not the client's).
        case none
        /// Close the connection.
        case close
        /// Answer 408 (the request did not arrive in time), then close.
        case requestTimeout
    }

    /// How long a drained connection may still send before it is closed.
    static let drainNanoseconds: UInt64 = 2_000_000_000

    private(set) var phase = Phase.idle
    /// When the connection is dropped: the idle deadline between requests, the request deadline during one.
    private(set) var deadline: Deadline
    let idleNanoseconds: UInt64
    let requestNanoseconds: UInt64

    /// A connection just accepted: idle, with the idle deadline.
    init(now: Deadline, idleTimeout: Double, requestTimeout: Double) {
        idleNanoseconds = UInt64(max(0, idleTimeout) * 1e9)
        requestNanoseconds = UInt64(max(0, requestTimeout) * 1e9)
        deadline = now.adding(nanoseconds: idleNanoseconds)
    }

    var isReceiving: Bool { phase == .receiving }
    var isClosing: Bool { phase == .closing }
    var isDraining: Bool { phase == .draining }
    var isHandling: Bool {
        if case .handling = phase { true } else { false }
    }

    /// The loop framed what arrived: whether part of a request is left, whether a request was answered here,
    /// whether the connection closes after what is queued, whether output waits. Only progress moves the deadline:
    /// empty lines between requests (RFC 9112 §2.2) do not keep an idle connection open.
    mutating func framed(partial: Bool, answered: Bool, closing: Bool, outputPending: Bool, now: Deadline) {
        let partial = partial && !closing
        if partial && (!isReceiving || answered) {
            deadline = now.adding(nanoseconds: requestNanoseconds)
        } else if !partial && (answered || isReceiving || outputPending) {
            deadline = now.adding(nanoseconds: outputPending ? requestNanoseconds : idleNanoseconds)
        }
        phase = closing ? .closing : partial ? .receiving : .idle
    }

    /// A whole request went to a handler thread: the handler's time is its own, and the request deadline starts
    /// again.
    mutating func handedOver(keepAlive: Bool, toHEAD: Bool, now: Deadline) {
        phase = .handling(keepAlive: keepAlive, toHEAD: toHEAD)
        deadline = now.adding(nanoseconds: requestNanoseconds)
    }

    /// The handler's answer is back and queued; `nil` when the connection was not waiting for one (a stale answer
    /// for a connection since closed and reused), else whether the connection stays open.
    /// - Parameters:
    ///   - stopping: Whether the server is stopping (no connection is kept then).
    ///   - now: The time.
    /// - Returns: `keep` and whether the answer is to HEAD, or `nil`.
    mutating func answered(stopping: Bool, now: Deadline) -> (keep: Bool, toHEAD: Bool)? {
        guard case .handling(let keepAlive, let toHEAD) = phase else { return nil }
        let keep = keepAlive && !stopping
        if keep {
            phase = .idle
            deadline = now.adding(nanoseconds: requestNanoseconds)
        } else {
            phase = .closing
        }
        return (keep, toHEAD)
    }

    /// Everything queued is written. A closing connection starts draining: the loop shuts its write side (the
    /// result is `true`) and reads on for a short while.
    mutating func written(now: Deadline) -> Bool {
        guard phase == .closing else { return false }
        phase = .draining
        deadline = now.adding(nanoseconds: Self.drainNanoseconds)
        return true
    }

    /// What a sweep at `now` does to this connection.
    /// - Parameter outputPending: Whether an answer waits to be written (then no 408 is added).
    func expiry(now: Deadline, outputPending: Bool) -> Expiry {
        if isHandling || !(deadline < now) { return .none }
        return isReceiving && !outputPending ? .requestTimeout : .close
    }

    /// Whether the server may close it to make room or to stop: nothing of a request is under way.
    func isQuiet(outputPending: Bool) -> Bool {
        !isReceiving && !isHandling && !outputPending
    }
}
