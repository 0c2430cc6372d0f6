import PPGHTTP
import PPGVectors
import Synchronization

extension HTTPTarget {
    /// Sends single-request deliveries many at once — the event-loop client `load` uses, one loop per core, each
    /// delivery on a connection of its own — and returns, in order, each one's status or why it got none; `nil` for one left unsent
    /// because `shouldStop` said stop or `stopAfterUnanswered` requests in a row got no answer. Statuses only:
    /// what a report shows of an answer comes from sending it again.
    /// - Parameters:
    ///   - deliveries: Deliveries of one request each.
    ///   - connections: Connections at once, each with one delivery in flight.
    ///   - stopAfterUnanswered: Send no more once this many answers in a row did not come (timeouts, resets).
    ///   - shouldStop: Asked before each request.
    /// - Returns: One answer per delivery.
    func statuses(
        of deliveries: [Delivery], connections: Int, stopAfterUnanswered: Int?,
        shouldStop: @escaping @Sendable () -> Bool
    ) -> [Result<Int, TargetError>?] {
        guard !deliveries.isEmpty else { return [] }
        let requests = deliveries.map(serialized)
        let shared = StatusExchanges(count: requests.count)
        let connections = max(1, min(connections, requests.count))
        var options = MultiplexedClient.Options(
            host: connectHost, port: port, tls: tls, connections: connections,
            loops: LoadGenerator.loops(connections: connections), timeout: timeout)
        // A connection of its own per delivery: one a server answers before reading it whole would otherwise be
        // read, in part, as the next one, and its answer taken for the next one's.
        options.reuse = false
        MultiplexedClient.run(options) { _, _ in
            StatusDriver(
                requests: requests, shared: shared, stopAfterUnanswered: stopAfterUnanswered, shouldStop: shouldStop)
        }
        return shared.answers.withLock { $0 }
    }
}

/// What the loops of one ``HTTPTarget/statuses(of:connections:shouldStop:)`` share: the next request to claim and
/// the answers so far.
final class StatusExchanges: Sendable {
    let next = Atomic<Int>(0)
    let unansweredInARow = Atomic<Int>(0)
    let answers: Mutex<[Result<Int, TargetError>?]>

    init(count: Int) {
        answers = Mutex(Array(repeating: nil, count: count))
    }
}

/// One loop's driver: claims the next request, records its status or its error.
final class StatusDriver: MultiplexedClientDriver {
    private let requests: [[UInt8]]
    private let shared: StatusExchanges
    private let stopAfterUnanswered: Int?
    private let shouldStop: @Sendable () -> Bool

    init(
        requests: [[UInt8]], shared: StatusExchanges, stopAfterUnanswered: Int?,
        shouldStop: @escaping @Sendable () -> Bool
    ) {
        self.requests = requests
        self.shared = shared
        self.stopAfterUnanswered = stopAfterUnanswered
        self.shouldStop = shouldStop
    }

    func next(now: Deadline) -> MultiplexedClientStep {
        if let limit = stopAfterUnanswered, shared.unansweredInARow.load(ordering: .relaxed) >= limit { return .stop }
        guard !shouldStop() else { return .stop }
        let index = shared.next.add(1, ordering: .relaxed).oldValue
        guard index < requests.count else { return .stop }
        return .send(bytes: requests[index], tag: index, intended: nil)
    }

    func answered(tag: Int, status: Int, started: Deadline, now: Deadline) {
        shared.unansweredInARow.store(0, ordering: .relaxed)
        shared.answers.withLock { $0[tag] = .success(status) }
    }

    func failed(tag: Int, error: HTTPError, started: Deadline, now: Deadline) {
        let failure = TargetError(kind: HTTPTarget.kind(of: error), message: error.message)
        if [.timeout, .connectionReset, .unreachable].contains(failure.kind) {
            shared.unansweredInARow.add(1, ordering: .relaxed)
        }
        shared.answers.withLock { $0[tag] = .failure(failure) }
    }

    func ended() {}
}
