import Testing

@testable import PPGHTTP

/// The multiplexed client's connection rules as a value, with a clock passed in: when a connect may be tried, when
/// a request times out, which lost requests are sent again.
@Suite("Client connection state")
struct ClientConnectionStateTests {
    static let start = Deadline(nanoseconds: 5_000_000_000)
    static let timeout: UInt64 = 2_000_000_000

    static func at(_ seconds: Double) -> Deadline { start.adding(nanoseconds: UInt64(seconds * 1e9)) }

    static func request(_ tag: Int, retried: Bool = false) -> ClientConnectionState.InFlight {
        .init(tag: tag, started: start, sent: start, bytes: [1], retried: retried)
    }

    /// A connection that has connected, opened and answered `answered` requests, with `waiting` more in flight.
    static func open(answered: Int, waiting: [ClientConnectionState.InFlight]) -> ClientConnectionState {
        var state = ClientConnectionState(now: start)
        state.connecting()
        state.opened()
        for tag in 0..<answered {
            state.enqueue(request(100 + tag), now: start)
            _ = state.answer()
        }
        for request in waiting { state.enqueue(request, now: start) }
        return state
    }

    @Test("a refused connect waits before the next try; a new connection may connect at once")
    func retryPause() {
        var state = ClientConnectionState(now: Self.start)
        #expect(state.waitsUntil(now: Self.start) == nil)
        state.connecting()
        state.connectRefused(now: Self.at(1))
        #expect(state.isClosed)
        let retryAt = Self.at(1).adding(nanoseconds: ClientConnectionState.retryNanoseconds)
        #expect(state.waitsUntil(now: Self.at(1)) == retryAt)
        #expect(state.waitsUntil(now: retryAt) == nil)
    }

    @Test("the oldest request times out from when it was queued, strictly after the timeout")
    func timeouts() {
        var state = Self.open(answered: 0, waiting: [])
        #expect(state.expires(timeoutNanoseconds: Self.timeout) == nil)
        #expect(!state.hasTimedOut(now: Self.at(100), timeoutNanoseconds: Self.timeout))
        state.enqueue(Self.request(1), now: Self.at(1))
        state.enqueue(Self.request(2), now: Self.at(1.5))
        #expect(state.expires(timeoutNanoseconds: Self.timeout) == Self.at(3))
        #expect(!state.hasTimedOut(now: Self.at(3), timeoutNanoseconds: Self.timeout))
        #expect(state.hasTimedOut(now: Self.at(3.001), timeoutNanoseconds: Self.timeout))
        #expect(state.answer()?.tag == 1)
        #expect(state.expires(timeoutNanoseconds: Self.timeout) == Self.at(3.5))
    }

    @Test("answers go to requests in order; an answer with none in flight answers nothing")
    func answersInOrder() {
        var state = Self.open(answered: 0, waiting: [Self.request(1), Self.request(2)])
        #expect(state.answer()?.tag == 1)
        #expect(state.answer()?.tag == 2)
        #expect(state.answer() == nil)
        #expect(state.answered == 2)
    }

    @Test(
        "a close retries lost requests only on a connection that answered before, before any byte of their answer, once",
        arguments: [
            (answered: 1, retrying: true, inResponse: false, retried: false, retries: true),
            (answered: 0, retrying: true, inResponse: false, retried: false, retries: false),
            (answered: 1, retrying: false, inResponse: false, retried: false, retries: false),
            (answered: 1, retrying: true, inResponse: true, retried: false, retries: false),
            (answered: 1, retrying: true, inResponse: false, retried: true, retries: false),
        ])
    func retryRule(answered: Int, retrying: Bool, inResponse: Bool, retried: Bool, retries: Bool) {
        var state = Self.open(answered: answered, waiting: [Self.request(7, retried: retried), Self.request(8)])
        let lost = state.close(retrying: retrying, inResponse: inResponse, now: Self.at(1))
        #expect(state.isClosed && state.inFlight.isEmpty && state.answered == 0)
        if retries {
            #expect(lost.retry.map(\.tag) == [7, 8] && lost.failed.isEmpty)
            let allMarked = lost.retry.allSatisfy { $0.retried }
            #expect(allMarked)
        } else if retried && retrying && answered > 0 && !inResponse {
            // A request already retried once fails; the other is retried.
            #expect(lost.failed.map(\.tag) == [7] && lost.retry.map(\.tag) == [8])
        } else {
            #expect(lost.failed.map(\.tag) == [7, 8] && lost.retry.isEmpty)
        }
    }

    @Test("a close after a failed open waits the retry pause before the next connect")
    func closeWithPause() {
        var state = Self.open(answered: 0, waiting: [Self.request(1)])
        _ = state.close(retrying: false, inResponse: false, now: Self.at(2), retryAfter: 10_000_000)
        #expect(state.waitsUntil(now: Self.at(2)) == Self.at(2).adding(nanoseconds: 10_000_000))
    }
}
