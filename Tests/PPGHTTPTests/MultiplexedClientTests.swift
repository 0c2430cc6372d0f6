import Foundation
import PPGWire
import Synchronization
import TestSupport
import Testing

@testable import PPGHTTP

/// Every request's outcome by tag, from all loops.
final class Outcomes: Sendable {
    let state = Mutex<(answered: [Int: Int], failed: [Int: HTTPError.Kind])>(([:], [:]))
}

/// Hands out every `loops`-th request and records outcomes by tag, on one loop's thread.
final class RecordingDriver: MultiplexedClientDriver {
    let requests: [[UInt8]]
    let shared: Outcomes
    var next = 0
    let stride: Int

    init(
        requests: [[UInt8]], loop: Int, loops: Int, shared: Outcomes
    ) {
        self.requests = requests
        self.shared = shared
        self.stride = loops
        self.next = loop
    }

    func next(now: Deadline) -> MultiplexedClientStep {
        guard next < requests.count else { return .stop }
        defer { next += stride }
        return .send(bytes: requests[next], tag: next, intended: nil)
    }

    func answered(tag: Int, status: Int, started: Deadline, now: Deadline) {
        shared.state.withLock { $0.answered[tag] = status }
    }

    func failed(tag: Int, error: HTTPError, started: Deadline, now: Deadline) {
        shared.state.withLock { $0.failed[tag] = error.kind }
    }

    func ended() {}
}

@Suite("Multiplexed client")
struct MultiplexedClientTests {
    /// Requests whose target names the status the echoing server should answer with.
    func requests(_ count: Int, port: Int, close: (Int) -> Bool = { _ in false }) -> [[UInt8]] {
        (0..<count).map { index in
            let status = [200, 401, 403, 204][index % 4]
            return Array(
                ("POST /\(status)/\(index) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 2\r\n"
                    + (close(index) ? "Connection: close\r\n" : "") + "\r\n{}").utf8)
        }
    }

    func run(
        _ requests: [[UInt8]], port: Int, connections: Int, loops: Int, pipeline: Int, timeout: Double = 5,
        reuse: Bool = true
    )
        -> (answered: [Int: Int], failed: [Int: HTTPError.Kind])
    {
        let shared = Outcomes()
        var options = MultiplexedClient.Options(
            host: "127.0.0.1", port: port, connections: connections, loops: loops, pipeline: pipeline,
            timeout: timeout)
        options.reuse = reuse
        MultiplexedClient.run(options) { loop, _ in
            RecordingDriver(requests: requests, loop: loop, loops: loops, shared: shared)
        }
        return shared.state.withLock { $0 }
    }

    func statusServer() throws -> (HTTPServer, Int) {
        let server = HTTPServer(
            configuration: .init(host: "127.0.0.1", port: 0, idleTimeout: 5, requestTimeout: 5)
        ) { request, _ in
            let status = Int(request.target.split(separator: "/").first ?? "") ?? 500
            return HTTPResponse(status: status, reason: "X", body: status == 204 ? [] : Array("ok".utf8))
        }
        return (server, try server.start())
    }

    @Test(
        "every request is answered once, with its own status, however many connections, loops and pipelined",
        arguments: [(1, 1, 1), (8, 2, 1), (5, 2, 4), (3, 3, 16)])
    func everyAnswerMatches(connections: Int, loops: Int, pipeline: Int) throws {
        let (server, port) = try statusServer()
        defer {
            server.stop()
            server.wait()
        }
        let requests = requests(600, port: port)
        let outcome = run(requests, port: port, connections: connections, loops: loops, pipeline: pipeline)
        #expect(outcome.failed.isEmpty, "\(outcome.failed.prefix(3))")
        #expect(outcome.answered.count == requests.count)
        for (tag, status) in outcome.answered where status != [200, 401, 403, 204][tag % 4] {
            Issue.record("request \(tag) got \(status)")
            break
        }
    }

    @Test("a server that closes after some answers: the connection is reopened and nothing is lost")
    func reconnects() throws {
        let (server, port) = try statusServer()
        defer {
            server.stop()
            server.wait()
        }
        let requests = requests(200, port: port) { $0 % 3 == 0 }
        let outcome = run(requests, port: port, connections: 4, loops: 2, pipeline: 1)
        #expect(outcome.failed.isEmpty, "\(outcome.failed.prefix(3))")
        #expect(outcome.answered.count == requests.count)
    }

    @Test("without reuse each request has a connection of its own, closed once answered, every answer its own")
    func connectionPerRequest() throws {
        let peers = Mutex<[String]>([])
        let server = HTTPServer(
            configuration: .init(host: "127.0.0.1", port: 0, idleTimeout: 5, requestTimeout: 5)
        ) { request, context in
            peers.withLock { $0.append(context.peer) }
            let status = Int(request.target.split(separator: "/").first ?? "") ?? 500
            return HTTPResponse(status: status, reason: "X", body: status == 204 ? [] : Array("ok".utf8))
        }
        let port = try server.start()
        defer {
            server.stop()
            server.wait()
        }
        let outcome = run(requests(60, port: port), port: port, connections: 3, loops: 2, pipeline: 1, reuse: false)
        #expect(outcome.failed.isEmpty, "\(outcome.failed)")
        #expect(outcome.answered.count == 60)
        for (tag, status) in outcome.answered { #expect(status == [200, 401, 403, 204][tag % 4], "\(tag)") }
        let seen = peers.withLock { $0 }
        #expect(seen.count == 60 && Set(seen).count == 60, "\(Set(seen).count) connections for \(seen.count)")
        // With reuse, three connections carry them all.
        peers.withLock { $0 = [] }
        let reused = run(requests(60, port: port), port: port, connections: 3, loops: 2, pipeline: 1)
        #expect(reused.answered.count == 60 && Set(peers.withLock { $0 }).count <= 3)
    }

    @Test("an answer sent before the request was read whole is taken, though the close resets the sending")
    func answerBeforeTheBodyIsRead() throws {
        // One read of the head, the answer, then the close: the rest of the 32 MiB is unread, so the close resets.
        let peer = try HostilePeer(
            .reply("HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        defer { peer.stop() }
        let body = [UInt8](repeating: 0x61, count: 32 << 20)
        let request =
            Array("POST /x HTTP/1.1\r\nHost: 127.0.0.1:\(peer.port)\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
            + body
        for reuse in [false, true] {
            let outcome = run([request, request], port: peer.port, connections: 1, loops: 1, pipeline: 1, reuse: reuse)
            #expect(outcome.answered == [0: 413, 1: 413], "reuse \(reuse): \(outcome.failed)")
        }
    }

    @Test("a pipelined request lost when a kept-alive connection closes after an answer is sent again, once")
    func retriesOnce() throws {
        let peer = try HostilePeer(.reply("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
        defer { peer.stop() }
        let outcome = run(requests(2, port: peer.port), port: peer.port, connections: 1, loops: 1, pipeline: 2)
        #expect(outcome.answered == [0: 200, 1: 200])
        #expect(outcome.failed.isEmpty)
    }

    @Test("a peer that never answers: each request fails with a timeout, within the deadline")
    func timeouts() throws {
        let peer = try HostilePeer(.hang)
        defer { peer.stop() }
        let start = Date()
        let outcome = run(
            requests(2, port: peer.port), port: peer.port, connections: 2, loops: 1, pipeline: 1,
            timeout: 0.5)
        #expect(outcome.answered.isEmpty)
        #expect(outcome.failed == [0: .timeout, 1: .timeout])
        #expect(Date().timeIntervalSince(start) < 5)
    }

    #if os(Linux)
        /// A listening socket with a one-place accept queue nobody takes from: once it is full, Linux drops further
        /// SYNs, so a connect to it stays in progress, as one to a distant or overloaded receiver does.
        func stalledListener() throws -> (descriptor: Int32, port: Int) {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, length) == 0 && listen(descriptor, 0) == 0
                        && getsockname(descriptor, $0, &length) == 0
                }
            }
            try #require(descriptor >= 0 && bound)
            return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
        }

        @Test("connects that do not complete hold nothing up: they run together and time out together")
        func stalledConnectsRunTogether() throws {
            let (descriptor, port) = try stalledListener()
            defer { _ = Glibc.close(descriptor) }
            let start = ContinuousClock.now
            let outcome = run(
                requests(8, port: port), port: port, connections: 8, loops: 1, pipeline: 1, timeout: 0.5)
            let elapsed = ContinuousClock.now - start
            #expect(outcome.answered.isEmpty)
            #expect(outcome.failed.count == 8 && outcome.failed.values.allSatisfy { $0 == .timeout }, "\(outcome)")
            // Waited for one after another on the loop, the seven stalled connects would take 3.5 s.
            #expect(elapsed < .seconds(2), "\(elapsed)")
        }
    #endif

    @Test("a peer that answers garbage, or nothing listening: each request fails with a typed error")
    func failures() throws {
        let peer = try HostilePeer(.garbage)
        let garbage = run(requests(1, port: peer.port), port: peer.port, connections: 1, loops: 1, pipeline: 1)
        peer.stop()
        #expect(garbage.failed == [0: .malformed])
        let closed = try HostilePeer(.hang)
        let port = closed.port
        closed.stop()
        let refused = run(requests(3, port: port), port: port, connections: 1, loops: 1, pipeline: 1)
        #expect(refused.failed == [0: .connectFailed, 1: .connectFailed, 2: .connectFailed])
    }
}
