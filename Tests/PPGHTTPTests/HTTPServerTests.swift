import Foundation
import PPGWire
import Synchronization
import TestSupport
import Testing

@testable import PPGHTTP

/// A server echoing the request's method, target and body length, on a free loopback port.
func echoServer(idleTimeout: Double = 2, requestTimeout: Double = 2) throws -> (HTTPServer, Int) {
    let configuration = HTTPServer.Configuration(
        host: "127.0.0.1", port: 0, maximumBodyBytes: 1 << 20,
        maximumHeadBytes: 8192, idleTimeout: idleTimeout,
        requestTimeout: requestTimeout)
    let server = HTTPServer(configuration: configuration) { request, _ in
        let text =
            "\(request.method) \(request.target) \(request.body.count) "
            + (request.headers.first { $0.name.lowercased() == "x-a" }?.value ?? "")
        return HTTPResponse(status: request.method == "POST" ? 200 : 405, reason: "X", body: Array(text.utf8))
    }
    let port = try server.start()
    return (server, port)
}

/// Sends raw bytes and returns what came back before the server closed or the deadline passed.
func exchange(_ bytes: [UInt8], port: Int, timeout: Double = 2, closeWrite: Bool = true) throws -> String {
    let socket = try Socket.connect(host: "127.0.0.1", port: port, deadline: .after(1))
    defer { socket.close() }
    try socket.send(bytes, deadline: .after(1))
    if closeWrite { socket.shutdownWrite() }
    var received: [UInt8] = []
    let deadline = Deadline.after(timeout)
    while let piece = try? socket.receive(maximum: 65_536, deadline: deadline), !piece.isEmpty { received += piece }
    return String(decoding: received, as: UTF8.self)
}

@Suite("HTTP server")
struct HTTPServerTests {
    @Test("without a configured count a server runs two loops per core, at least two and at most 16")
    func defaultLoops() {
        let expected = [
            2, 2, 4, 6, 8, 10, 12, 14, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        ]
        #expect((0..<expected.count).map { HTTPServer.defaultLoops(cores: $0) } == expected)
    }

    @Test("the defaults are the bounds README states for serve: 1 MiB bodies, 16 KiB heads, 20,000 connections, 64 MiB")
    func defaultBounds() {
        let defaults = HTTPServer.Configuration()
        #expect(defaults.maximumBodyBytes == 1_048_576 && defaults.maximumHeadBytes == 16_384)
        #expect(defaults.maximumConnections == 20_000 && defaults.maximumBufferedBytes == 67_108_864)
        #expect(defaults.loops == nil && defaults.handlerThreads == 0)
    }

    @Test("keep-alive: several requests on one connection, chunked bodies read")
    func keepAlive() throws {
        let (server, port) = try echoServer()
        defer { server.stop(); server.wait() }
        let connection = HTTPConnection(host: "127.0.0.1", port: port)
        for index in 0..<5 {
            let response = try connection.send(
                HTTPRequest(
                    method: "POST", target: "/h?i=\(index)",
                    headers: [(name: "X-A", value: " v ")],
                    body: Array("abc".utf8)),
                chunked: index % 2 == 1, timeout: 2)
            #expect(String(decoding: response.body, as: UTF8.self) == "POST /h?i=\(index) 3 v")
        }
        #expect(connection.connectionsOpened == 1)
    }

    @Test(
        "limits and malformed input get a 4xx, never a 5xx",
        arguments: [
            ("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 9000))\r\n\r\n", "431"),
            ("POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", "413"),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400"),
            // With a Host, so that the framing, not the missing Host, is what is refused.
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "400"),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "400"),
            ("BLAH\r\n\r\n", "400"), ("GET nothing HTTP/1.1\r\n\r\n", "400"), ("GET / HTTP/9\r\n\r\n", "400"),
            ("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "400"), ("GET / HTTP/1.1\r\n folded\r\n\r\n", "400"),
            ("GET /\(String(repeating: "a", count: 8200)) HTTP/1.1\r\n\r\n", "431"),
            ("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "405"),
            // RFC 9112 §3.2: no Host, two, or an invalid one.
            ("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 0\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nHost: a b\r\nContent-Length: 0\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nHost: a:99x\r\nContent-Length: 0\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nHost: a/b\r\nContent-Length: 0\r\n\r\n", "400"),
            // RFC 9112 §3.2.4: asterisk-form only for OPTIONS.
            ("POST * HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "400"),
            // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing.
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n", "400"),
            // Chunk lines end in CRLF.
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\na\r\n0\r\n\r\n", "400"),
        ])
    func refusals(request: String, status: String) throws {
        let (server, port) = try echoServer()
        defer { server.stop(); server.wait() }
        let answer = try exchange(Array(request.utf8), port: port)
        #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "\(answer.prefix(80))")
    }

    @Test(
        "valid Host forms are served: a name, an IPv4 or bracketed IPv6 address, with or without a port, or empty",
        arguments: ["h", "h.example:8080", "127.0.0.1:1", "[::1]:8080", "[::1]", "xn--bcher-kva.example", ""])
    func validHosts(host: String) throws {
        let (server, port) = try echoServer()
        defer { server.stop(); server.wait() }
        let answer = try exchange(
            Array("POST / HTTP/1.1\r\nHost: \(host)\r\nContent-Length: 0\r\n\r\n".utf8), port: port)
        #expect(answer.hasPrefix("HTTP/1.1 200 "), "\(answer.prefix(80))")
        let old = try exchange(Array("POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n".utf8), port: port)
        #expect(old.hasPrefix("HTTP/1.1 200 "), "HTTP/1.0 needs no Host: \(old.prefix(80))")
    }

    @Test("HEAD gets the fields of its answer and no content; HTTP/1.0 gets no 100 Continue")
    func headAndContinue() throws {
        let (server, port) = try echoServer()
        defer { server.stop(); server.wait() }
        let head = try exchange(Array("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n".utf8), port: port)
        #expect(head.hasPrefix("HTTP/1.1 405 "))
        #expect(head.contains("Content-Length: 10\r\n"), "\(head)")
        #expect(head.hasSuffix("\r\n\r\n"), "\(head)")
        let old = try exchange(
            Array("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8), port: port,
            timeout: 0.5, closeWrite: false)
        #expect(!old.contains("100 Continue"), "\(old)")
    }

    @Test("nothing is handled after a close was announced: not after a refusal, not after Connection: close")
    func nothingAfterClose() throws {
        let handled = Counter()
        let configuration = HTTPServer.Configuration(
            host: "127.0.0.1", port: 0, maximumBodyBytes: 1 << 20, maximumHeadBytes: 8192, idleTimeout: 2,
            requestTimeout: 2)
        let server = HTTPServer(configuration: configuration) { request, _ in
            handled.add()
            return HTTPResponse(status: 200, reason: "OK", body: Array(request.target.utf8))
        }
        let port = try server.start()
        defer { server.stop(); server.wait() }
        // More than one read's worth of pipelined requests behind a 413, so they arrive in later reads too.
        let smuggled = String(repeating: "POST /smuggled HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", count: 6000)
        let refused = try exchange(
            Array(("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n" + smuggled).utf8), port: port)
        #expect(refused.hasPrefix("HTTP/1.1 413 "))
        #expect(refused.components(separatedBy: "HTTP/1.1 ").count == 2, "one answer only")
        #expect(handled.value == 0)
        let closing = try exchange(
            Array(
                ("POST /first HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: 0\r\n\r\n" + smuggled).utf8),
            port: port)
        #expect(closing.hasPrefix("HTTP/1.1 200 "))
        #expect(!closing.contains("/smuggled"))
        #expect(handled.value == 1)
    }

    @Test("empty lines between requests do not keep an idle connection open")
    func emptyLinesDoNotExtendIdle() throws {
        let (server, port) = try echoServer(idleTimeout: 0.5, requestTimeout: 0.5)
        defer { server.stop(); server.wait() }
        let socket = try Socket.connect(host: "127.0.0.1", port: port, deadline: .after(1))
        defer { socket.close() }
        let start = Date()
        var closed = false
        while Date().timeIntervalSince(start) < 3 {
            do {
                try socket.send(Array("\r\n".utf8), deadline: .after(0.5))
            } catch {
                closed = true
                break
            }
            if let piece = try? socket.receive(maximum: 16, deadline: .after(0.2)), piece.isEmpty {
                closed = true
                break
            }
        }
        #expect(closed)
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test("a slow client gets 408 once its request deadline passes; an idle one is closed")
    func slowClients() throws {
        let (server, port) = try echoServer(idleTimeout: 0.3, requestTimeout: 0.3)
        defer { server.stop(); server.wait() }
        let start = Date()
        let slow = try exchange(
            Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc".utf8), port: port, closeWrite: false)
        #expect(slow.hasPrefix("HTTP/1.1 408 "))
        let idle = try exchange([], port: port, closeWrite: false)
        #expect(idle.isEmpty)
        #expect(Date().timeIntervalSince(start) < 2.5)
    }

    @Test("thousands of random and truncated requests never crash it or get a 5xx")
    func fuzz() throws {
        let (server, port) = try echoServer(idleTimeout: 0.2, requestTimeout: 0.2)
        defer { server.stop(); server.wait() }
        var random = SystemRandomNumberGenerator()
        let valid = Array("POST /ppg?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello".utf8)
        var fiveHundreds = 0
        for round in 0..<2000 {
            var bytes: [UInt8]
            switch round % 4 {
            case 0:
                bytes = (0..<Int.random(in: 1...300, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            case 1: bytes = Array(valid.prefix(Int.random(in: 0..<valid.count, using: &random)))
            case 2:
                bytes = valid
                for _ in 0..<3 {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            default:
                bytes =
                    Array("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                    + (0..<40).map { _ in
                        [UInt8(ascii: "f"), 13, 10, 0x41, UInt8(ascii: "\r")].randomElement(using: &random) ?? 0
                    }
            }
            let answer = try exchange(bytes, port: port, timeout: 1)
            if answer.hasPrefix("HTTP/1.1 5") { fiveHundreds += 1 }
        }
        #expect(fiveHundreds == 0)
        let after = try HTTPConnection(host: "127.0.0.1", port: port).send(
            HTTPRequest(method: "POST", target: "/", headers: [], body: [1]), timeout: 2)
        #expect(after.status == 200)
    }

    @Test("many concurrent connections are served")
    func concurrency() throws {
        let (server, port) = try echoServer()
        defer { server.stop(); server.wait() }
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 32) { index in
            let connection = HTTPConnection(host: "127.0.0.1", port: port)
            for _ in 0..<10 {
                let response = try? connection.send(
                    HTTPRequest(
                        method: "POST", target: "/\(index)", headers: [],
                        body: [1, 2]), timeout: 5)
                if response?.status != 200 { failures.add() }
            }
        }
        #expect(failures.value == 0)
    }

    @Test("stop() ends the accept loop and the port is released")
    func stops() throws {
        let (server, port) = try echoServer()
        server.stop()
        server.wait()
        #expect(throws: HTTPError.self) { try HTTPConnection(host: "127.0.0.1", port: port, connectTimeout: 1).open() }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

@Suite("Hostile peers and parsers, bounded in count and time")
struct HostileInputTests {
    @Test(
        "sizes are digits only: a negative, signed or hex size is a 400, and the server keeps answering",
        arguments: [
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x10\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
            "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
            "POST / HTTP/1.1\r\nContent-Length: -0\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        ])
    func strictSizes(request: String) throws {
        let (server, port) = try echoServer()
        defer { server.stop(); server.wait() }
        let answer = try exchange(Array(request.utf8), port: port)
        #expect(answer.hasPrefix("HTTP/1.1 400 ") || answer.hasPrefix("HTTP/1.1 413 "), "\(answer.prefix(80))")
        let after = try HTTPConnection(host: "127.0.0.1", port: port).send(
            HTTPRequest(method: "POST", target: "/", headers: [], body: [1]), timeout: 2)
        #expect(after.status == 200)
    }

    @Test("a response with a negative chunk size or Content-Length is a malformed answer, not a trap")
    func negativeResponseSizes() throws {
        for reply in [
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n0123456789abcdef",
        ] {
            let peer = try HostilePeer(.reply(reply))
            defer { peer.stop() }
            #expect(throws: HTTPError.self) {
                try HTTPConnection(host: "127.0.0.1", port: peer.port).send(
                    HTTPRequest(method: "POST", target: "/", headers: [], body: [1]), timeout: 2)
            }
        }
    }

    @Test("pipelined requests sent in one write are each answered, in order (RFC 9112 §9.3.2)")
    func pipelining() throws {
        let (server, port) = try echoServer()
        defer { server.stop(); server.wait() }
        let requests = (0..<3).map { index in
            "POST /p\(index) HTTP/1.1\r\nHost: x\r\nContent-Length: \(index)\r\n\r\n"
                + String(repeating: "b", count: index)
        }
        let answer = try exchange(Array(requests.joined().utf8), port: port)
        let bodies = answer.split(separator: "\r\n\r\n").dropFirst().map { $0.prefix { $0 != "H" } }
        #expect(answer.components(separatedBy: "HTTP/1.1 200").count == 4, "\(answer)")
        #expect(
            bodies.map { String($0.split(separator: " ").prefix(3).joined(separator: " ")) } == [
                "POST /p0 0", "POST /p1 1", "POST /p2 2",
            ])
    }

    @Test("clients that reset while their large answers are being written leave the loop answering others")
    func resetWhileWriting() throws {
        let configuration = HTTPServer.Configuration(
            host: "127.0.0.1", port: 0, idleTimeout: 5, requestTimeout: 5, loops: 1)
        let large = [UInt8](repeating: 0x61, count: 8 << 20)
        let server = HTTPServer(configuration: configuration) { request, _ in
            HTTPResponse(status: 200, reason: "OK", body: request.target == "/large" ? large : Array("ok".utf8))
        }
        let port = try server.start()
        // A loop stuck on a dead connection never sees the stop: waiting for it would hang the suite.
        var answered = false
        defer {
            server.stop()
            if answered { server.wait() }
        }
        for _ in 0..<3 {
            let socket = try Socket.connect(host: "127.0.0.1", port: port, deadline: .after(2))
            try socket.send(
                Array("POST /large HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".utf8), deadline: .after(1))
            // The answer fills the socket's buffers and the server waits to write the rest; then a reset.
            usleep(50_000)
            var option = linger(l_onoff: 1, l_linger: 0)
            setsockopt(socket.descriptor, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
            socket.close()
        }
        let response = try HTTPConnection(host: "127.0.0.1", port: port).send(
            HTTPRequest(method: "POST", target: "/", headers: [], body: []), timeout: 3)
        answered = response.status == 200
        #expect(answered)
    }

    @Test("past the connection cap the longest-idle connection is closed to make room for a new one")
    func connectionCapEvictsIdle() throws {
        let configuration = HTTPServer.Configuration(
            host: "127.0.0.1", port: 0, idleTimeout: 30, requestTimeout: 30, maximumConnections: 8)
        let server = HTTPServer(configuration: configuration) { _, _ in
            HTTPResponse(status: 200, reason: "OK", body: Array("ok".utf8))
        }
        let port = try server.start()
        defer { server.stop(); server.wait() }
        var held: [Socket] = []
        defer { for socket in held { socket.close() } }
        for _ in 0..<20 {
            held.append(try Socket.connect(host: "127.0.0.1", port: port, deadline: .after(2)))
            usleep(5_000)
        }
        // A loop with no idle connection refuses the newcomer rather than evicting another loop's: try again.
        var status: Int?
        for _ in 0..<5 where status == nil {
            status = try? HTTPConnection(host: "127.0.0.1", port: port).send(
                HTTPRequest(method: "POST", target: "/", headers: [], body: []), timeout: 2
            ).status
        }
        #expect(status == 200)
        #expect(server.activeConnections <= 8, "\(server.activeConnections) connections open, the cap is 8")
        let closed = held.prefix(8).filter { socket in
            do {
                return try socket.receive(maximum: 16, deadline: .after(0.5)).isEmpty
            } catch {
                return (error as? HTTPError)?.kind == .reset
            }
        }
        #expect(!closed.isEmpty, "none of the oldest idle connections was closed")
    }

    @Test("a valid request is answered at once while 1,000 idle and 100 slowloris connections are held")
    func idleAndSlowConnections() throws {
        let (server, port) = try echoServer(idleTimeout: 30, requestTimeout: 30)
        defer { server.stop(); server.wait() }
        var held: [Socket] = []
        defer { for socket in held { socket.close() } }
        for index in 0..<1100 {
            let socket = try Socket.connect(host: "127.0.0.1", port: port, deadline: .after(2))
            if index >= 1000 { try socket.send(Array("POST / HTTP/1.1\r\nHost: x\r\nX-A: ".utf8), deadline: .after(1)) }
            held.append(socket)
        }
        let start = Date()
        while server.activeConnections < 1100 && Date().timeIntervalSince(start) < 5 { usleep(10_000) }
        #expect(server.activeConnections >= 1100)
        for _ in 0..<5 {
            let begin = Date()
            let response = try HTTPConnection(host: "127.0.0.1", port: port).send(
                HTTPRequest(method: "POST", target: "/valid", headers: [], body: [1, 2, 3]), timeout: 5)
            #expect(response.status == 200)
            #expect(Date().timeIntervalSince(begin) < 1, "a valid request waited behind held connections")
        }
    }

    @Test("bodies arriving slowly on many connections stay within the buffer budget; others are still answered")
    func bufferBudget() throws {
        let budget = 256 << 10
        let configuration = HTTPServer.Configuration(
            host: "127.0.0.1", port: 0, maximumBodyBytes: 1 << 20, idleTimeout: 10, requestTimeout: 10,
            maximumBufferedBytes: budget)
        let server = HTTPServer(configuration: configuration) { _, _ in HTTPResponse(status: 200, reason: "OK") }
        let port = try server.start()
        defer { server.stop(); server.wait() }
        var held: [Socket] = []
        defer { for socket in held { socket.close() } }
        let piece = [UInt8](repeating: 0x41, count: 100_000)
        for _ in 0..<16 {
            let socket = try Socket.connect(host: "127.0.0.1", port: port, deadline: .after(2))
            try socket.send(Array("POST / HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n".utf8), deadline: .after(1))
            for _ in 0..<3 { try? socket.send(piece, deadline: .after(0.2)) }
            held.append(socket)
        }
        usleep(300_000)
        #expect(server.bufferedBytes.load(ordering: .relaxed) <= budget + 16 * 65_536)
        let response = try HTTPConnection(host: "127.0.0.1", port: port).send(
            HTTPRequest(method: "POST", target: "/", headers: [], body: [1]), timeout: 2)
        #expect(response.status == 200)
    }

    @Test(
        "chunk extensions and trailer fields count against the request's bound",
        arguments: ["extensions", "trailers"])
    func framingBytesBounded(kind: String) {
        let limits = FramingLimits(maximumHeadBytes: 8192, maximumBodyBytes: 1 << 20)
        var framer = RequestFramer(limits: limits)
        framer.append(Array("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        if kind == "trailers" { framer.append(Array("1\r\nx\r\n0\r\n".utf8)) }
        let piece =
            kind == "extensions"
            ? Array(("1;" + String(repeating: "e", count: 1000) + "\r\nx\r\n").utf8)
            : Array(("X-T: " + String(repeating: "t", count: 1000) + "\r\n").utf8)
        var refused: Int?
        var peak = 0
        for _ in 0..<4000 {
            framer.append(piece)
            peak = max(peak, framer.bufferedBytes)
            if case .refuse(let status, _, _) = framer.next() {
                refused = status
                break
            }
        }
        #expect(refused == 413)
        #expect(peak <= (1 << 20) + limits.maximumFramingBytes + piece.count)
    }

    @Test("framing fuzz: random and mutated requests split at random points never trap, and agree whole or split")
    func framerFuzz() throws {
        var random = SystemRandomNumberGenerator()
        let seeds = [
            "POST /ppg?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n",
            "\r\nGET http://h:1/p?q HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
            // Chunk extensions and trailer fields, which count against the body bound.
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b;c=\"d;e\"\r\nx\r\n1;"
                + String(repeating: "e", count: 300) + "\r\ny\r\n0;last\r\nT-1: a\r\nT-2: "
                + String(repeating: "t", count: 300) + "\r\n\r\n",
        ].map { Array($0.utf8) }
        let limits = FramingLimits(maximumHeadBytes: 512, maximumBodyBytes: 4096)
        let deadline = Date().addingTimeInterval(2)
        var rounds = 0
        while Date() < deadline {
            rounds += 1
            var bytes = seeds[rounds % seeds.count]
            if rounds % 3 != 0 {
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                    case 1: bytes.insert(contentsOf: Array("-1fFx;\r\n0".utf8).shuffled(using: &random), at: index)
                    default: bytes.remove(at: index)
                    }
                }
            } else {
                bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            }
            func events(_ pieces: [[UInt8]]) -> [String] {
                var framer = RequestFramer(limits: limits)
                var seen: [String] = []
                for piece in pieces {
                    framer.append(piece)
                    loop: while true {
                        switch framer.next() {
                        case .needMore: break loop
                        case .sendContinue: continue
                        case .refuse(let status, _, _):
                            seen.append("refuse \(status)")
                            return seen
                        case .request(let request, _, _):
                            seen.append("\(request.method) \(request.target) \(request.body)")
                        }
                    }
                }
                return seen
            }
            let cut = Int.random(in: 0...bytes.count, using: &random)
            let whole = events([bytes])
            let split = events([Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(whole == split, "\(bytes)")
            #expect(!whole.contains { $0.hasPrefix("refuse 5") })
        }
        #expect(rounds > 1000)
    }

    @Test("response fuzz: random and mutated responses never trap the client's parser")
    func responseFuzz() throws {
        var random = SystemRandomNumberGenerator()
        var parsed = 0
        let seeds = [
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 No\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n",
            "HTTP/1.0 200 OK\r\n\r\nrest",
            "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;e=f\r\na\r\n"
                + "0;x\r\nT: 1\r\nU: " + String(repeating: "u", count: 200) + "\r\n\r\n",
        ].map { Array($0.utf8) }
        let deadline = Date().addingTimeInterval(2)
        var rounds = 0
        while Date() < deadline {
            rounds += 1
            var bytes = seeds[rounds % seeds.count]
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] =
                    [UInt8(ascii: "-"), UInt8(ascii: "x"), 13, 10, 0, UInt8(ascii: "9")]
                    .randomElement(using: &random) ?? 0
            }
            let (first, second) = try TestSupport.socketPair()
            let pair = [first, second]
            let writer = Socket(descriptor: pair[0])
            try writer.send(bytes, deadline: .after(1))
            writer.close()
            let reading = Socket(descriptor: pair[1])
            defer { reading.close() }
            var framer = ResponseFramer(mode: .whole)
            do {
                let (response, _) = try HTTPConnection.readResponse(
                    from: reading, &framer, method: "POST", deadline: .after(0.5))
                // A parsed answer is a final status (three digits, never an interim 1xx) with a body inside the limit.
                #expect((200...999).contains(response.status) || response.status == 101)
                #expect(response.body.count <= 1 << 20)
                parsed += 1
            } catch {
                #expect([.malformed, .reset, .tooLarge, .timeout].contains(error.kind))
            }
        }
        #expect(rounds > 1000)
        // The unmutated seeds (a round in every few) parse, so the loop exercised both outcomes.
        #expect(parsed > 0)
    }
}

@Suite("HTTP server listeners")
struct HTTPServerListenerTests {
    @Test("a second server on a port already served is refused (SO_REUSEPORT never shares a port by accident)")
    func portInUse() throws {
        let (first, port) = try echoServer()
        defer {
            first.stop()
            first.wait()
        }
        let second = HTTPServer(configuration: .init(host: "127.0.0.1", port: port)) { _, _ in
            HTTPResponse(status: 200, reason: "OK")
        }
        #expect(throws: HTTPError.self) { try second.start() }
    }

    @Test("connections spread over every loop's listener are all answered, and the port is free after stop")
    func manyConnections() throws {
        let (server, port) = try echoServer()
        var answered = 0
        for _ in 0..<64 {
            let connection = HTTPConnection(host: "127.0.0.1", port: port)
            let response = try connection.send(
                HTTPRequest(method: "POST", target: "/x", headers: [], body: Array("{}".utf8)), timeout: 5)
            if response.status == 200 { answered += 1 }
            connection.close()
        }
        #expect(answered == 64)
        server.stop()
        server.wait()
        let again = HTTPServer(configuration: .init(host: "127.0.0.1", port: port)) { _, _ in
            HTTPResponse(status: 200, reason: "OK")
        }
        #expect(throws: Never.self) { try again.start() }
        again.stop()
        again.wait()
    }
}
