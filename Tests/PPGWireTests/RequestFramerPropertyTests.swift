import Testing

@testable import PPGWire

/// The request framer's success path over every combination of what a valid request may vary in: method,
/// request-target form, version, framing, `Connection` and `Expect`, a leading empty line, a second request behind
/// the first. Each is read whole and in pieces; the framer must hand back exactly the request that was written.
@Suite("Request framer: every valid request is read as written, whole and split")
struct RequestFramerPropertyTests {
    enum Framing: CaseIterable {
        case none, length, zeroLength, chunked
    }

    /// One valid request and what the framer must make of it.
    struct Written {
        var bytes: [UInt8]
        var method: String
        var target: String
        var version: String
        var body: [UInt8]
        var fieldNames: [String]
        var keepAlive: Bool
        var expectsContinue: Bool
    }

    static let methods = ["POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "X-Custom_1!"]
    static let targets = ["/", "/ppg/webhook?a=1&b=%20c", "/p;x/q?", "http://example.test:8080/p?q=1", "*"]
    static let versions = ["HTTP/1.1", "HTTP/1.0"]
    static let connections: [String?] = [nil, "close", "keep-alive", "Keep-Alive, Upgrade"]

    /// Every valid combination; chunked only in 1.1 (RFC 9112 §6.1), `*` only for OPTIONS (§3.2.4).
    static func written() -> [Written] {
        var all: [Written] = []
        let body = Array("{\"projectId\":\"p\",\"x\":\"\r\n0\r\n\"}".utf8)
        for method in methods {
            for target in targets where target != "*" || method == "OPTIONS" {
                for version in versions {
                    for framing in Framing.allCases where framing != .chunked || version == "HTTP/1.1" {
                        for connection in connections {
                            for expects in [false, true] where !expects || framing != .none {
                                all.append(
                                    request(
                                        method: method, target: target, version: version, framing: framing,
                                        connection: connection, expects: expects, body: body,
                                        leadingEmptyLine: all.count % 3 == 0))
                            }
                        }
                    }
                }
            }
        }
        return all
    }

    static func request(
        method: String, target: String, version: String, framing: Framing, connection: String?, expects: Bool,
        body: [UInt8], leadingEmptyLine: Bool
    ) -> Written {
        var fields: [(String, String)] = [("Host", "example.test:8080"), ("X-PPG-Signature", "a b\tc")]
        if let connection { fields.append(("Connection", connection)) }
        if expects { fields.append(("expect", "100-Continue")) }
        var payload: [UInt8] = []
        var sent = body
        switch framing {
        case .none:
            sent = []
        case .length:
            fields.append(("Content-Length", "\(body.count)"))
            payload = body
        case .zeroLength:
            fields.append(("content-length", "0"))
            sent = []
        case .chunked:
            fields.append(("Transfer-Encoding", "chunked"))
            // Two chunks, an extension, a trailer: the body is their concatenation.
            let cut = body.count / 3
            payload = Array("\(String(cut, radix: 16));ext=1\r\n".utf8) + body[..<cut] + Array("\r\n".utf8)
            payload += Array("\(String(body.count - cut, radix: 16).uppercased())\r\n".utf8) + body[cut...]
            payload += Array("\r\n0\r\nTrailer-Field: t\r\n\r\n".utf8)
        }
        var text = leadingEmptyLine ? "\r\n" : ""
        text += "\(method) \(target) \(version)\r\n"
        for (name, value) in fields { text += "\(name):  \(value) \r\n" }
        text += "\r\n"
        let lowered = (connection ?? "").lowercased()
        let keepAlive = !lowered.contains("close") && (version == "HTTP/1.1" || lowered.contains("keep-alive"))
        return Written(
            bytes: Array(text.utf8) + payload, method: method, target: target, version: version, body: sent,
            fieldNames: fields.map(\.0), keepAlive: keepAlive, expectsContinue: expects && version == "HTTP/1.1")
    }

    /// What the framer made of `bytes` fed in pieces of `step`: the requests, how many `100 Continue` it asked
    /// for, and a refusal's note if it refused.
    static func frame(
        _ bytes: [UInt8], step: Int
    ) -> (requests: [(HTTPRequest, Bool)], continues: Int, refusal: String?) {
        let framed = frameRequests(bytes, step: step)
        #expect(!framed.partial)
        var requests: [(HTTPRequest, Bool)] = []
        var continues = 0
        var refusal: String?
        for event in framed.events {
            switch event {
            case .needMore: break
            case .sendContinue: continues += 1
            case .request(let request, _, let keepAlive): requests.append((request, keepAlive))
            case .refuse(_, _, let note): refusal = note
            }
        }
        return (requests, continues, refusal)
    }

    func check(_ request: HTTPRequest, keepAlive: Bool, against written: Written, _ context: String) {
        #expect(request.method == written.method, "\(context)")
        #expect(request.target == written.target, "\(context)")
        #expect(request.version == written.version, "\(context)")
        #expect(request.body == written.body, "\(context)")
        #expect(request.headers.map(\.name) == written.fieldNames, "\(context)")
        #expect(request.headers.allSatisfy { $0.value.first != " " && $0.value.last != " " }, "\(context)")
        #expect(keepAlive == written.keepAlive, "\(context)")
    }

    @Test("each valid request, whole and in pieces of 1, 2, 5 and 64 bytes, is the request written")
    func everyValidRequest() {
        let all = Self.written()
        #expect(all.count > 500)
        for written in all {
            for step in [written.bytes.count, 1, 2, 5, 64] {
                let context = "\(String(decoding: written.bytes, as: UTF8.self).debugDescription) step \(step)"
                let framed = Self.frame(written.bytes, step: step)
                #expect(framed.refusal == nil, "\(context): \(framed.refusal ?? "")")
                guard framed.requests.count == 1 else {
                    Issue.record("\(framed.requests.count) requests: \(context)")
                    continue
                }
                check(framed.requests[0].0, keepAlive: framed.requests[0].1, against: written, context)
                // 100 Continue is asked for at most once, and only when the client said it waits for it.
                #expect(framed.continues <= (written.expectsContinue ? 1 : 0), "\(context)")
                if written.expectsContinue && step == 1 && !written.body.isEmpty {
                    #expect(framed.continues == 1, "\(context)")
                }
            }
        }
    }

    @Test("two valid requests back to back on one connection are read as two, in order, whatever the split")
    func pipelined() {
        let all = Self.written()
        // Pairs drawn across the whole set, so that every framing follows every other.
        for index in stride(from: 0, to: all.count, by: 7) {
            let first = all[index]
            let second = all[(index * 31 + 11) % all.count]
            let bytes = first.bytes + second.bytes
            for step in [bytes.count, 1, 3, first.bytes.count] {
                let framed = Self.frame(bytes, step: step)
                let context = "\(String(decoding: bytes, as: UTF8.self).debugDescription) step \(step)"
                #expect(framed.refusal == nil, "\(context)")
                guard framed.requests.count == 2 else {
                    Issue.record("\(framed.requests.count) requests: \(context)")
                    continue
                }
                check(framed.requests[0].0, keepAlive: framed.requests[0].1, against: first, context)
                check(framed.requests[1].0, keepAlive: framed.requests[1].1, against: second, context)
            }
        }
    }
}
