import Foundation
import PPGWire
import TestSupport
import Testing

@testable import PPGConformance

@Suite("capture's raw files")
struct CaptureStoreTests {
    /// Requests as received: framed by length or chunked, with the head as read or none, the body as read or
    /// replaced (a redacted body of another length).
    static func received() -> [(received: CaptureStore.Received, keepsHead: Bool)] {
        let body = Array(#"{"projectId":"p"}"#.utf8)
        let byLength = "POST /h?a=1 HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\nX-PPG-Signature: s\r\n\r\n"
        let chunked = "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-PPG-Signature: s\r\n\r\n"
        func request(_ head: String, body: [UInt8]) -> HTTPRequest {
            let lines = head.split(separator: "\r\n").dropFirst()
            let fields = lines.map { line -> HTTPField in
                let parts = line.split(separator: ":", maxSplits: 1)
                return HTTPField(name: String(parts[0]), value: String(parts[1].drop { $0 == " " }))
            }
            let target = String(head.split(separator: " ")[1])
            return HTTPRequest(method: "POST", target: target, headers: HTTPFields(fields), body: body)
        }
        let redacted = Array(#"{"projectId":"REDACTED-LONGER"}"#.utf8)
        return [
            ((request(byLength, body: body), Array(byLength.utf8)), true),
            ((request(byLength, body: body), []), false),
            ((request(byLength, body: redacted), Array(byLength.utf8)), false),
            ((request(chunked, body: body), Array(chunked.utf8)), false),
            ((request(chunked, body: body), []), false),
        ]
    }

    @Test("a raw file is the head as received where it still frames the body, else a head rebuilt with its length")
    func rawFilesFrameTheirBody() throws {
        for (received, keepsHead) in Self.received() {
            let raw = CaptureStore.rawBytes(received)
            let parsed = try HTTPRequest.parse(raw: raw)
            #expect(parsed.body == received.request.body, "\(String(decoding: raw, as: UTF8.self))")
            #expect(parsed.target == received.request.target)
            #expect(parsed.headers.all("X-PPG-Signature") == ["s"])
            #expect((raw == received.head + received.request.body) == keepsHead)
            if !keepsHead {
                #expect(parsed.headers.all("Transfer-Encoding").isEmpty)
                #expect(parsed.headers.all("Content-Length") == ["\(received.request.body.count)"])
            }
        }
    }

    @Test("each stored raw file holds exactly the bytes the raw form gives, from its first byte to its last")
    func storedFilesAreWhole() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CaptureStore(directory: directory, projectID: "p", publicURL: nil, redact: false)
        for (received, _) in Self.received() where !received.head.isEmpty {
            let stored = store.store(received.request, head: received.head)
            #expect(stored.refused == nil && stored.problem == nil, "\(stored.refused ?? stored.problem ?? "")")
            let onDisk = try #require(FileManager.default.contents(atPath: stored.rawPath))
            #expect(Array(onDisk) == CaptureStore.rawBytes(received), "\(stored.rawPath)")
        }
        // Nothing half-written is left beside them.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(!names.contains { $0.hasSuffix(".partial") }, "\(names)")
    }
}
