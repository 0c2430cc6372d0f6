import Foundation
import TestSupport
import Testing

@testable import PPGHTTP

/// A server echoing the request's method, target and body length, on a free loopback port.
func echoServer(idleTimeout: Double = 2, requestTimeout: Double = 2) throws -> (HTTPServer, Int) {
    let configuration = HTTPServer.Configuration(
        host: "127.0.0.1", port: 0, maximumBodyBytes: 1 << 20,
        maximumHeadBytes: 8192, idleTimeout: idleTimeout,
        requestTimeout: requestTimeout)
    let server = HTTPServer(configuration: configuration) { request in
        let text =
            "\(request.method) \(request.target) \(request.body.count) "
            + (request.headers.first { $0.name.lowercased() == "x-a" }?.value ?? "")
        return HTTPServerResponse(status: request.method == "POST" ? 200 : 405, reason: "X", body: Array(text.utf8))
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
                    body: Array("abc".utf8), chunked: index % 2 == 1),
                timeout: 2)
            #expect(String(decoding: response.body, as: UTF8.self) == "POST /h?i=\(index) 3 v")
        }
        #expect(connection.connectionsOpened == 1)
    }

    @Test(
        "limits and malformed input get a 4xx, never a 5xx",
        arguments: [
            ("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 9000))\r\n\r\n", "431"),
            ("POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", "413"),
            ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400"),
            ("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "400"),
            ("BLAH\r\n\r\n", "400"), ("GET nothing HTTP/1.1\r\n\r\n", "400"), ("GET / HTTP/9\r\n\r\n", "400"),
            ("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "400"), ("GET / HTTP/1.1\r\n folded\r\n\r\n", "400"),
            ("GET /\(String(repeating: "a", count: 8200)) HTTP/1.1\r\n\r\n", "431"),
            ("PUT / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "405"),
        ])
    func refusals(request: String, status: String) throws {
        let (server, port) = try echoServer()
        defer { server.stop(); server.wait() }
        let answer = try exchange(Array(request.utf8), port: port)
        #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "\(answer.prefix(80))")
    }

    @Test("a slow client gets 408 once its request deadline passes; an idle one is closed")
    func slowClients() throws {
        let (server, port) = try echoServer(idleTimeout: 0.3, requestTimeout: 0.3)
        defer { server.stop(); server.wait() }
        let start = Date()
        let slow = try exchange(
            Array("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc".utf8), port: port, closeWrite: false)
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
