import Foundation
import PPGWire
import TestSupport
import Testing

@testable import PPGHTTP

@Suite("HTTP client")
struct HTTPClientTests {
    @Test("the request goes out byte for byte: target, header case and order, duplicates, Content-Length last")
    func exactBytes() throws {
        let peer = try HostilePeer(.record)
        defer { peer.stop() }
        let connection = HTTPConnection(host: "127.0.0.1", port: peer.port)
        let request = HTTPRequest(
            method: "POST", target: "/a/./b%2f?q=a+b&q=%2B",
            headers: [
                (name: "x-ppg-signature", value: "one"), (name: "Content-Type", value: "text/x"),
                (name: "X-PPG-Signature", value: "two"),
            ],
            body: Array("{}".utf8))
        let response = try connection.send(request, timeout: 2)
        #expect(response.status == 200)
        let sent = String(decoding: peer.requestBytes, as: UTF8.self)
        #expect(
            sent == "POST /a/./b%2f?q=a+b&q=%2B HTTP/1.1\r\nHost: 127.0.0.1:\(peer.port)\r\nx-ppg-signature: one\r\n"
                + "Content-Type: text/x\r\nX-PPG-Signature: two\r\nContent-Length: 2\r\n\r\n{}")
    }

    @Test("a chunked body is sent in chunks")
    func chunked() throws {
        let peer = try HostilePeer(.record)
        defer { peer.stop() }
        let connection = HTTPConnection(host: "127.0.0.1", port: peer.port)
        _ = try connection.send(
            HTTPRequest(method: "POST", target: "/", headers: [], body: Array("abcdef".utf8)), chunked: true,
            timeout: 2)
        let sent = String(decoding: peer.requestBytes, as: UTF8.self)
        #expect(sent.hasSuffix("Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"))
        #expect(!sent.contains("Content-Length"))
    }

    @Test("a refused connection is a connect error, at once")
    func refused() throws {
        let peer = try HostilePeer(.hang)
        let port = peer.port
        peer.stop()
        let start = Date()
        #expect(throws: HTTPError.self) {
            try HTTPConnection(host: "127.0.0.1", port: port, connectTimeout: 2).open()
        }
        #expect(Date().timeIntervalSince(start) < 1.5)
    }

    @Test(
        "hostile servers, streaming ones included, end in a typed error within the deadline",
        arguments: [
            ("hang", HTTPError.Kind.timeout), ("drip", .timeout), ("reset", .reset), ("garbage", .malformed),
            ("flood", .tooLarge), ("no-length", .tooLarge),
            // Bytes always waiting, so poll never waits: the caps end these, and the deadline would too.
            ("interim", .malformed), ("trailers", .tooLarge), ("chunk-extensions", .tooLarge),
            ("header-drip", .tooLarge),
            // Closed in order, with nothing said: the close itself is the answer, not a wait for the deadline.
            ("close", .reset),
        ])
    func hostile(name: String, kind: HTTPError.Kind) throws {
        let behaviour: HostilePeer.Behaviour =
            switch name {
            case "hang": .hang
            case "drip":
                .drip(
                    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + String(repeating: "x", count: 100),
                    interval: 0.05)
            case "reset": .reset
            case "garbage": .garbage
            case "flood": .flood(bytes: 100 << 20)
            case "interim": .stream(prefix: "", repeating: "HTTP/1.1 102 Processing\r\n\r\n")
            case "trailers":
                .stream(
                    prefix: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", repeating: "X-T: a\r\n")
            case "chunk-extensions":
                .stream(
                    prefix: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                    repeating: "1;" + String(repeating: "e", count: 500) + "\r\nx\r\n")
            case "header-drip": .stream(prefix: "HTTP/1.1 200 OK\r\n", repeating: "X: y\r\n")
            case "close": .reply("")
            default: .reply("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "y", count: 2 << 20))
            }
        let peer = try HostilePeer(behaviour)
        defer { peer.stop() }
        let start = Date()
        do {
            _ = try HTTPConnection(host: "127.0.0.1", port: peer.port)
                .send(HTTPRequest(method: "POST", target: "/", headers: [], body: []), timeout: 0.5)
            Issue.record("no error from a \(name) server")
        } catch {
            #expect(error.kind == kind, "\(name): \(error.message)")
        }
        #expect(Date().timeIntervalSince(start) < 2, "\(name) took \(Date().timeIntervalSince(start)) s")
    }

    @Test("a body without a length is read to the close, at the close, not at the deadline")
    func bodyToTheClose() throws {
        let peer = try HostilePeer(.reply("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the close"))
        defer { peer.stop() }
        let start = Date()
        let response = try HTTPConnection(host: "127.0.0.1", port: peer.port)
            .send(HTTPRequest(method: "POST", target: "/", headers: [], body: []), timeout: 5)
        #expect(response.status == 200 && response.body == Array("until the close".utf8))
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test("a deadline passed is a timeout at the next read, however many bytes are waiting")
    func deadlineBeforeEveryRead() throws {
        let peer = try HostilePeer(
            .stream(prefix: "HTTP/1.1 200 OK\r\nContent-Length: 1900000000\r\n\r\n", repeating: "z"))
        defer { peer.stop() }
        let start = Date()
        do {
            _ = try HTTPConnection(host: "127.0.0.1", port: peer.port)
                .send(
                    HTTPRequest(method: "POST", target: "/", headers: [], body: []), timeout: 0.2,
                    maximumResponseBytes: 2_000_000_000)
            Issue.record("a 1.9 GB body streamed without pause was read within 0.2 s")
        } catch {
            #expect(error.kind == .timeout, "\(error.message)")
        }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    /// The error a POST gets from a server that answers `reply`; a recorded issue when it gets none.
    func error(answering reply: String) throws -> HTTPError? {
        let peer = try HostilePeer(.reply(reply))
        defer { peer.stop() }
        do {
            _ = try HTTPConnection(host: "127.0.0.1", port: peer.port)
                .send(HTTPRequest(method: "POST", target: "/", headers: [], body: []), timeout: 1)
            Issue.record("accepted: \(reply.debugDescription)")
            return nil
        } catch {
            return error
        }
    }

    @Test("a response with two different Content-Length values is malformed (RFC 9112 §6.3)")
    func conflictingLengths() throws {
        let failure = try error(answering: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\nhello")
        #expect(failure?.kind == .malformed, "\(failure?.message ?? "")")
    }

    @Test("a status line with terminal escapes is reported escaped")
    func escapedStatusLine() throws {
        let message = try error(answering: "HTTP/1.1 2\u{1B}]0;owned\u{7}00 OK\r\n\r\n")?.message ?? ""
        #expect(!message.contains("\u{1B}"), "\(message)")
        #expect(!message.contains("\u{7}"))
        #expect(message.contains("\\x1b"))
    }

    @Test("a response body of exactly the limit is read; one byte more is too large")
    func bodyLimitBoundary() throws {
        let limit = 1 << 20
        for (size, fits) in [(limit, true), (limit + 1, false)] {
            let peer = try HostilePeer(
                .reply("HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\n\r\n" + String(repeating: "z", count: size)))
            defer { peer.stop() }
            let connection = HTTPConnection(host: "127.0.0.1", port: peer.port)
            let request = HTTPRequest(method: "POST", target: "/", headers: [], body: [])
            if fits {
                #expect(try connection.send(request, timeout: 2, maximumResponseBytes: limit).body.count == limit)
            } else {
                #expect(throws: HTTPError.self) {
                    try connection.send(request, timeout: 2, maximumResponseBytes: limit)
                }
            }
        }
    }

    @Test("responses: chunked, 100 Continue skipped, close-delimited, HTTP/1.0")
    func responseFraming() throws {
        let cases: [(String, Int, String)] = [
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n1;ext=1\r\n!\r\n0\r\nX-T: 1\r\n\r\n",
                200, "ok!"
            ),
            ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nno", 401, "no"),
            ("HTTP/1.0 302 Found\r\nLocation: /x\r\n\r\nmoved", 302, "moved"),
        ]
        for (text, status, body) in cases {
            let peer = try HostilePeer(.reply(text))
            defer { peer.stop() }
            let response = try HTTPConnection(host: "127.0.0.1", port: peer.port)
                .send(HTTPRequest(method: "POST", target: "/", headers: [], body: []), timeout: 2)
            #expect(response.status == status)
            #expect(String(decoding: response.body, as: UTF8.self) == body)
        }
    }
}
