import Testing

@testable import PPGWire

/// A framer's verdict on one response, comparable across readers: what a status-only reader and a whole reader
/// must agree on.
enum Framed: Equatable, CustomStringConvertible {
    case response(Int, closes: Bool)
    case failed(FramingError.Kind)

    var description: String {
        switch self {
        case .response(let status, let closes): "\(status)\(closes ? " (closes)" : "")"
        case .failed(let kind): "failed: \(kind)"
        }
    }
}

/// Feeds `bytes` to a response framer in pieces of `step` bytes, then the close if asked; every response or the
/// failure, with the whole reader's bodies.
func frameResponses(
    _ bytes: [UInt8], mode: ResponseFramer.Mode, step: Int, close: Bool = false, limits: FramingLimits = .client()
) -> (verdicts: [Framed], bodies: [[UInt8]]) {
    var framer = ResponseFramer(mode: mode, limits: limits)
    var verdicts: [Framed] = []
    var bodies: [[UInt8]] = []
    func drain() -> Bool {
        while true {
            switch framer.next() {
            case .needMore: return true
            case .response(let response, let closes):
                verdicts.append(.response(response.status, closes: closes))
                bodies.append(response.body)
            case .failed(let error):
                verdicts.append(.failed(error.kind))
                return false
            }
        }
    }
    var offset = 0
    while offset < bytes.count {
        framer.append(Array(bytes[offset..<min(bytes.count, offset + step)]))
        offset += step
        if !drain() { return (verdicts, bodies) }
    }
    if close {
        switch framer.finishAtClose() {
        case .response(let response, let closes):
            verdicts.append(.response(response.status, closes: closes))
            bodies.append(response.body)
        case .failed(let error) where error.kind != .truncated || offset > 0 && framer.inResponse:
            verdicts.append(.failed(error.kind))
        case .failed, .needMore: break
        }
    }
    return (verdicts, bodies)
}

/// Feeds `bytes` to a request framer in pieces of `step`: every event but `needMore`, in order, up to and including
/// a refusal (nothing after one is read), and whether a request was left part-read.
func frameRequests(
    _ bytes: [UInt8], step: Int, limits: FramingLimits = FramingLimits()
) -> (events: [RequestFramer.Event], partial: Bool) {
    var framer = RequestFramer(limits: limits)
    var events: [RequestFramer.Event] = []
    var offset = 0
    while offset < bytes.count {
        framer.append(Array(bytes[offset..<min(bytes.count, offset + step)]))
        offset += step
        while true {
            let event = framer.next()
            if case .needMore = event { break }
            events.append(event)
            if case .refuse = event { return (events, framer.hasPartialRequest) }
        }
    }
    return (events, framer.hasPartialRequest)
}

@Suite("Response framer")
struct ResponseFramerTests {
    @Test(
        "responses framed by length, by chunks with extensions and trailers, after interim ones, split or whole",
        arguments: [1, 3, 7, 4096])
    func framing(step: Int) {
        let text =
            "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nconnection: Keep-Alive\r\n\r\nhello"
            + "HTTP/1.1 401 Unauthorized\r\ntransfer-encoding: Chunked\r\n\r\n"
            + "3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
            + "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        let expected: [Framed] = [
            .response(200, closes: false), .response(401, closes: false), .response(204, closes: false),
            .response(403, closes: true),
        ]
        let whole = frameResponses(Array(text.utf8), mode: .whole, step: step)
        #expect(whole.verdicts == expected)
        #expect(whole.bodies == [Array("hello".utf8), Array("abc0123456789".utf8), [], []])
        #expect(frameResponses(Array(text.utf8), mode: .statusOnly, step: step).verdicts == expected)
    }

    @Test("the whole reader keeps the status line's reason and every field in order, values without their white space")
    func wholeResponse() {
        var framer = ResponseFramer(mode: .whole)
        framer.append(Array("HTTP/1.1 401 Not Yours\r\nX-A: 1\r\nx-a:  2 \r\nContent-Length: 2\r\n\r\nno".utf8))
        guard case .response(let response, false) = framer.next() else {
            Issue.record("no response")
            return
        }
        #expect(response.reason == "Not Yours")
        #expect(response.headers.all("X-A") == ["1", "2"])
        #expect(response.body == Array("no".utf8))
    }

    @Test("a client reads response bodies of up to 1 MiB, by length or chunked, and refuses one byte more")
    func clientBodyBound() {
        let limit = 1 << 20
        for mode in [ResponseFramer.Mode.whole, .statusOnly] {
            for size in [limit, limit + 1] {
                let body = [UInt8](repeating: 0x61, count: size)
                let byLength = Array("HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\n\r\n".utf8) + body
                let chunked =
                    Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(String(size, radix: 16))\r\n".utf8)
                    + body + Array("\r\n0\r\n\r\n".utf8)
                for bytes in [byLength, chunked] {
                    let verdicts = frameResponses(bytes, mode: mode, step: 65_536).verdicts
                    let expected: [Framed] = size <= limit ? [.response(200, closes: false)] : [.failed(.tooLarge)]
                    #expect(verdicts == expected, "\(mode), \(size) bytes")
                }
            }
        }
    }

    // The bound is the head's size with its blank line: at it a head is read, one byte past it is refused — whole or
    // in pieces, in either direction, at the default bound and a small one.
    @Test("a header section of exactly the bound is read and one byte more is refused, by a client and a server")
    func headBound() {
        for bound in [256, FramingLimits().maximumHeadBytes] {
            for size in [bound - 1, bound, bound + 1] {
                func head(_ firstLine: String) -> [UInt8] {
                    let fixed = firstLine.utf8.count + "X-Pad: ".utf8.count + 2 + 2
                    return Array(
                        (firstLine + "X-Pad: " + String(repeating: "a", count: size - fixed) + "\r\n\r\n").utf8)
                }
                var limits = FramingLimits.client()
                limits.maximumHeadBytes = bound
                let response = head("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n")
                #expect(response.count == size)
                for step in [response.count, 1000, 7] {
                    let verdicts = frameResponses(response, mode: .whole, step: step, limits: limits).verdicts
                    let expected: [Framed] = size <= bound ? [.response(200, closes: false)] : [.failed(.tooLarge)]
                    #expect(verdicts == expected, "response head of \(size) bytes, bound \(bound), step \(step)")
                }
                var serverLimits = FramingLimits()
                serverLimits.maximumHeadBytes = bound
                var server = RequestFramer(limits: serverLimits)
                server.append(head("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"))
                switch server.next() {
                case .request: #expect(size <= bound, "request head of \(size) bytes read, bound \(bound)")
                case .refuse(let status, _, _): #expect(size > bound && status == 431, "\(size), bound \(bound)")
                default: Issue.record("request head of \(size) bytes, bound \(bound): neither read nor refused")
                }
            }
        }
    }

    @Test("a server refuses a body over the bound with 413, by length or chunked, and bad chunk framing with 400")
    func refusalStatusFollowsTheFailure() {
        var limits = FramingLimits()
        limits.maximumBodyBytes = 16
        let head = "POST / HTTP/1.1\r\nHost: h\r\n"
        let cases: [(String, Int)] = [
            (head + "Content-Length: 17\r\n\r\n" + String(repeating: "a", count: 17), 413),
            (
                head + "Transfer-Encoding: chunked\r\n\r\n11\r\n" + String(repeating: "a", count: 17) + "\r\n0\r\n\r\n",
                413
            ),
            (head + "Transfer-Encoding: chunked\r\n\r\n9\r\naaaaaaaaa\r\n9\r\naaaaaaaaa\r\n0\r\n\r\n", 413),
            (head + "Transfer-Encoding: chunked\r\n\r\nzz\r\naaaaaaaaa\r\n0\r\n\r\n", 400),
            (head + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 400),
        ]
        for (request, status) in cases {
            var server = RequestFramer(limits: limits)
            server.append(Array(request.utf8))
            guard case .refuse(let refused, _, _) = server.next() else {
                Issue.record("not refused: \(request.debugDescription)")
                continue
            }
            #expect(refused == status, "\(request.debugDescription)")
        }
    }

    // A chunk line's bound counts its bytes up to the LF (the CR included), inclusive like the head's bound.
    @Test("a chunk-size line of exactly the bound is read and one byte more is refused, by a client and a server")
    func chunkLineBound() {
        for bound in [64, FramingLimits().maximumChunkLineBytes] {
            for length in [bound - 1, bound, bound + 1] {
                // "5;x=aaa…" and its CR: `length` bytes before the LF.
                let line = "5;x=" + String(repeating: "a", count: length - "5;x=".utf8.count - 1)
                let chunks = line + "\r\nhello\r\n0\r\n\r\n"
                var limits = FramingLimits.client()
                limits.maximumChunkLineBytes = bound
                let response = Array(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks).utf8)
                for step in [response.count, 9] {
                    let framed = frameResponses(response, mode: .whole, step: step, limits: limits)
                    if length <= bound {
                        #expect(
                            framed.bodies == [Array("hello".utf8)], "line of \(length), bound \(bound), step \(step)")
                    } else {
                        #expect(framed.verdicts == [.failed(.malformed)], "line of \(length), bound \(bound)")
                    }
                }
                var serverLimits = FramingLimits()
                serverLimits.maximumChunkLineBytes = bound
                var server = RequestFramer(limits: serverLimits)
                server.append(Array(("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks).utf8))
                switch server.next() {
                case .request(let request, _, _):
                    #expect(length <= bound && request.body == Array("hello".utf8), "\(length), bound \(bound)")
                case .refuse(let status, _, _): #expect(length > bound && status == 400, "\(length), bound \(bound)")
                default: Issue.record("a chunk line of \(length) bytes, bound \(bound): neither read nor refused")
                }
            }
        }
    }

    @Test("HTTP/1.0 closes unless kept alive; a body without length ends at the close; HEAD's answer has no body")
    func closing() {
        func verdicts(_ text: String, close: Bool = false) -> [Framed] {
            frameResponses(Array(text.utf8), mode: .statusOnly, step: 5, close: close).verdicts
        }
        #expect(verdicts("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n") == [.response(200, closes: true)])
        #expect(
            verdicts("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n") == [
                .response(200, closes: false)
            ])
        #expect(verdicts("HTTP/1.1 200 OK\r\n\r\nbody until close").isEmpty)
        #expect(verdicts("HTTP/1.1 200 OK\r\n\r\nbody until close", close: true) == [.response(200, closes: true)])
        let untilClose = frameResponses(
            Array("HTTP/1.1 200 OK\r\n\r\nbody until close".utf8), mode: .whole, step: 3, close: true)
        #expect(untilClose.bodies == [Array("body until close".utf8)])
        var head = ResponseFramer(mode: .whole)
        head.answersHEAD = true
        head.append(Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n".utf8))
        guard case .response(let first, _) = head.next(), case .response(let second, _) = head.next() else {
            Issue.record("the answer to HEAD swallowed the next response")
            return
        }
        #expect(first.status == 200 && first.body.isEmpty && second.status == 204)
    }

    @Test(
        "what is not an HTTP/1.x response fails, in both modes",
        arguments: [
            "SSH-2.0-OpenSSH_9.2\r\n\r\n", "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "HTTP/1.1 200 OK\r\nX: a\nb\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rX0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n",
            String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 17) + "HTTP/1.1 200 OK\r\n\r\n",
        ])
    func malformed(text: String) {
        for mode in [ResponseFramer.Mode.whole, .statusOnly] {
            let verdicts = frameResponses(Array(text.utf8), mode: mode, step: 2).verdicts
            guard case .failed = verdicts.last else {
                Issue.record("\(verdicts) for \(text.debugDescription) (\(mode))")
                continue
            }
        }
    }

    @Test(
        "a client accepts a bare LF ending a chunk line, as RFC 9112 §2.2 lets it; a server refuses one",
        arguments: [
            "3\nabc\r\n0\r\n\r\n",  // the size line
            "3\r\nabc\n0\r\n\r\n",  // after the data
            "3\r\nabc\r\n0\r\nT: 1\n\r\n",  // a trailer
            "3\r\nabc\r\n0\r\n\n",  // the last line
        ])
    func bareLF(chunks: String) {
        let response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
        #expect(frameResponses(Array(response.utf8), mode: .whole, step: 1).bodies == [Array("abc".utf8)])
        var server = RequestFramer()
        server.append(Array(("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks).utf8))
        guard case .refuse(400, _, _) = server.next() else {
            Issue.record("the server read a bare LF in \(chunks.debugDescription)")
            return
        }
    }
}

/// The rule of one framing per direction: the same bytes, split at every byte, give every reader of that
/// direction the same result as the bytes whole.
@Suite("One framing per direction")
struct FramingAgreementTests {
    static let responses = [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 No\r\nTransfer-Encoding: chunked\r\n\r\n2;x=1\r\nab\r\n0\r\nT: 1\r\n\r\n",
        "HTTP/1.0 200 OK\r\n\r\nuntil close",
        "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5zz\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n", "<html>", "HTTP/1.1 200 OK\r\nX\0: y\r\n\r\n",
    ].map { Array($0.utf8) }

    @Test("every response stream, split at every byte, gets the whole stream's verdicts from both readers")
    func responsesAgree() {
        for bytes in Self.responses {
            let whole = frameResponses(bytes, mode: .whole, step: bytes.count, close: true)
            for step in 1...bytes.count {
                let split = frameResponses(bytes, mode: .whole, step: step, close: true)
                #expect(
                    split.verdicts == whole.verdicts,
                    "\(String(decoding: bytes, as: UTF8.self).debugDescription) step \(step)")
                #expect(split.bodies == whole.bodies)
                let statuses = frameResponses(bytes, mode: .statusOnly, step: step, close: true)
                #expect(statuses.verdicts == whole.verdicts, "status-only, step \(step)")
            }
        }
    }

    static let requests = [
        "POST /ppg?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n",
        "\r\nPOST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\n\r\nok",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 3\r\n\r\nok",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x2\r\nok\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nBad Name: 1\r\n\r\n",
    ].map { Array($0.utf8) }

    /// A request framer's events for the bytes in pieces of `step`: each request's method, target and body, or
    /// the refusal's status.
    static func requestEvents(_ bytes: [UInt8], step: Int) -> [String] {
        frameRequests(bytes, step: step, limits: .unbounded).events.compactMap { event in
            switch event {
            case .needMore, .sendContinue: nil
            case .request(let request, _, _):
                "\(request.method) \(request.target) \(String(decoding: request.body, as: UTF8.self))"
            case .refuse(let status, _, _): "refused \(status)"
            }
        }
    }

    @Test("every request stream, split at every byte, frames as it does whole and as a captured file reads")
    func requestsAgree() {
        for bytes in Self.requests {
            let whole = Self.requestEvents(bytes, step: bytes.count)
            for step in 1...bytes.count {
                #expect(Self.requestEvents(bytes, step: step) == whole, "step \(step)")
            }
            let file: String
            do {
                let request = try HTTPRequest.parse(raw: bytes)
                file = "\(request.method) \(request.target) \(String(decoding: request.body, as: UTF8.self))"
            } catch {
                file = "refused 400"
            }
            #expect([file] == whole, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }

    @Test("a Host value is a name or bracketed literal and a port of at most five digits, nothing else")
    func hostValues() {
        for port in ["", ":1", ":80", ":65535", ":99999"] {
            #expect(RequestFramer.isValidHost("hooks.example.com" + port), "\(port)")
            #expect(RequestFramer.isValidHost("[::1]" + port), "\(port)")
        }
        for bad in [
            "h:123456", "h:8o", "h: 80", "h:-1", "[::1", "[]:80", "h/p", "h p", "[::1]x", "h:80:80", "[::g]",
        ] {
            #expect(!RequestFramer.isValidHost(bad), "\(bad)")
        }
        #expect(RequestFramer.isValidHost(""))
    }

    @Test("the end of a head is found wherever the blank line falls, and nowhere without one")
    func headEnd() {
        for prefix in 0..<8 {
            let bytes = Array(String(repeating: "a", count: prefix).utf8) + [13, 10, 13, 10] + Array("rest".utf8)
            #expect(HTTPHead.end(in: bytes, from: 0) == prefix + 4)
            for start in 0...prefix { #expect(HTTPHead.end(in: bytes, from: start) == prefix + 4) }
        }
        #expect(HTTPHead.end(in: Array("a\r\n\r".utf8), from: 0) == nil)
        #expect(HTTPHead.end(in: Array("a\n\r\n\r\n".utf8), from: 0) == 6)
        #expect(HTTPHead.end(in: Array("\r\r\n\r\n".utf8), from: 0) == 5)
    }
}
