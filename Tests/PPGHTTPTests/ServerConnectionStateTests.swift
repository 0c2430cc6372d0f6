import Testing

@testable import PPGHTTP

/// The server connection's phases and deadlines as a value, moved with a clock passed in: no socket, no sleeping.
@Suite("Server connection state")
struct ServerConnectionStateTests {
    static let second: UInt64 = 1_000_000_000
    static let start = Deadline(nanoseconds: 1_000 * second)

    static func at(_ seconds: Double) -> Deadline {
        start.adding(nanoseconds: UInt64(seconds * 1e9))
    }

    static func fresh() -> ServerConnectionState {
        ServerConnectionState(now: start, idleTimeout: 5, requestTimeout: 10)
    }

    @Test("an idle connection is closed, without a 408, once its idle deadline has passed, and not before")
    func idleExpires() {
        let state = Self.fresh()
        #expect(state.phase == .idle)
        #expect(state.expiry(now: Self.at(4.9), outputPending: false) == .none)
        #expect(state.expiry(now: Self.at(5), outputPending: false) == .none)
        #expect(state.expiry(now: Self.at(5.1), outputPending: false) == .close)
    }

    @Test("part of a request starts the request deadline once; it passing costs a 408, unless an answer waits")
    func partialRequestTimesOut() {
        var state = Self.fresh()
        state.framed(partial: true, answered: false, closing: false, outputPending: false, now: Self.at(1))
        #expect(state.phase == .receiving && state.deadline == Self.at(11))
        // More bytes of the same request do not extend it: a dripping client cannot keep it open.
        state.framed(partial: true, answered: false, closing: false, outputPending: false, now: Self.at(9))
        #expect(state.deadline == Self.at(11))
        #expect(state.expiry(now: Self.at(10.9), outputPending: false) == .none)
        #expect(state.expiry(now: Self.at(11.1), outputPending: false) == .requestTimeout)
        #expect(state.expiry(now: Self.at(11.1), outputPending: true) == .close)
    }

    @Test("empty lines between requests do not move the idle deadline; an answered request does")
    func onlyProgressMovesTheDeadline() {
        var state = Self.fresh()
        state.framed(partial: false, answered: false, closing: false, outputPending: false, now: Self.at(4))
        #expect(state.deadline == Self.at(5))
        state.framed(partial: false, answered: true, closing: false, outputPending: false, now: Self.at(4))
        #expect(state.phase == .idle && state.deadline == Self.at(9))
        // An answer still to be written gets the request deadline, not the idle one.
        state.framed(partial: false, answered: true, closing: false, outputPending: true, now: Self.at(6))
        #expect(state.deadline == Self.at(16))
        // A request answered with the next one already begun restarts the request deadline for that one.
        state.framed(partial: true, answered: false, closing: false, outputPending: false, now: Self.at(7))
        state.framed(partial: true, answered: true, closing: false, outputPending: false, now: Self.at(8))
        #expect(state.phase == .receiving && state.deadline == Self.at(18))
    }

    @Test("a request with a handler never expires: the handler's time is not the client's")
    func handlingNeverExpires() {
        var state = Self.fresh()
        state.handedOver(keepAlive: true, toHEAD: false, now: Self.at(1))
        #expect(state.isHandling)
        #expect(state.expiry(now: Self.at(1_000), outputPending: false) == .none)
        #expect(state.isQuiet(outputPending: false) == false)
    }

    @Test("a handler's answer keeps the connection or closes it; a stale answer for another phase is ignored")
    func answers() {
        var kept = Self.fresh()
        #expect(kept.answered(stopping: false, now: Self.at(1)) == nil)
        kept.handedOver(keepAlive: true, toHEAD: true, now: Self.at(1))
        let answer = kept.answered(stopping: false, now: Self.at(2))
        #expect(answer?.keep == true && answer?.toHEAD == true)
        #expect(kept.phase == .idle && kept.deadline == Self.at(12))
        var stopping = Self.fresh()
        stopping.handedOver(keepAlive: true, toHEAD: false, now: Self.at(1))
        #expect(stopping.answered(stopping: true, now: Self.at(2))?.keep == false)
        #expect(stopping.isClosing)
        var closing = Self.fresh()
        closing.handedOver(keepAlive: false, toHEAD: false, now: Self.at(1))
        #expect(closing.answered(stopping: false, now: Self.at(2))?.keep == false)
    }

    @Test("a closing connection drains once written, for two seconds, then closes; other phases do not drain")
    func draining() {
        var state = Self.fresh()
        #expect(state.written(now: Self.at(1)) == false)
        #expect(state.phase == .idle)
        state.framed(partial: true, answered: false, closing: true, outputPending: true, now: Self.at(1))
        // A closing connection has no partial request left to time out.
        #expect(state.phase == .closing)
        #expect(state.written(now: Self.at(3)) == true)
        #expect(state.isDraining && state.deadline == Self.at(5))
        #expect(state.written(now: Self.at(3)) == false)
        #expect(state.expiry(now: Self.at(4.9), outputPending: false) == .none)
        #expect(state.expiry(now: Self.at(5.1), outputPending: false) == .close)
    }

    @Test("only a connection with nothing under way is quiet enough to close for room or a stop")
    func quiet() {
        var state = Self.fresh()
        #expect(state.isQuiet(outputPending: false))
        #expect(!state.isQuiet(outputPending: true))
        state.framed(partial: true, answered: false, closing: false, outputPending: false, now: Self.at(1))
        #expect(!state.isQuiet(outputPending: false))
    }
}
