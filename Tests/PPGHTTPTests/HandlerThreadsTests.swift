import Foundation
import PPGWire
import Synchronization
import Testing

@testable import PPGHTTP

@Suite("HTTP server: handlers on threads of their own")
struct HandlerThreadsTests {
    /// A server with one loop, so that a handler blocking that loop would hold up every connection; `/slow` waits
    /// until `release` is signalled, anything else is answered at once with its target.
    func server(handlerThreads: Int, release: DispatchSemaphore, arrived: DispatchSemaphore) throws -> (HTTPServer, Int)
    {
        let configuration = HTTPServer.Configuration(
            host: "127.0.0.1", port: 0, idleTimeout: 5, requestTimeout: 5, handlerThreads: handlerThreads, loops: 1)
        let server = HTTPServer(configuration: configuration) { request, context in
            if request.target == "/slow" {
                arrived.signal()
                _ = release.wait(timeout: .now() + 10)
            }
            context.logNote = "handled"
            return HTTPResponse(status: 200, reason: "OK", body: Array(request.target.utf8))
        }
        return (server, try server.start())
    }

    @Test("a handler that blocks holds up its own connection only: the loop's other connections are answered")
    func blockingHandlerDoesNotStallTheLoop() throws {
        let release = DispatchSemaphore(value: 0)
        let arrived = DispatchSemaphore(value: 0)
        let (server, port) = try server(handlerThreads: 2, release: release, arrived: arrived)
        defer { server.stop(); server.wait() }
        let slow = Mutex<String?>(nil)
        let slowDone = DispatchSemaphore(value: 0)
        Thread {
            let answer = try? exchange(
                Array("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), port: port, timeout: 15)
            slow.withLock { $0 = answer }
            slowDone.signal()
        }.start()
        #expect(arrived.wait(timeout: .now() + 5) == .success)
        // The slow request's handler is blocked now; with one loop, only handler threads let this one through.
        let fast = try exchange(
            Array("GET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), port: port, timeout: 3)
        #expect(fast.hasPrefix("HTTP/1.1 200 OK") && fast.hasSuffix("/fast"), "\(fast)")
        #expect(slow.withLock { $0 } == nil, "the slow request was answered before it was released")
        release.signal()
        #expect(slowDone.wait(timeout: .now() + 5) == .success)
        #expect(slow.withLock { $0 }?.hasSuffix("/slow") == true)
    }

    @Test("pipelined requests handed to several threads are answered in the order they were sent")
    func pipelinedAnswersKeepTheirOrder() throws {
        let configuration = HTTPServer.Configuration(
            host: "127.0.0.1", port: 0, idleTimeout: 5, requestTimeout: 5, handlerThreads: 4, loops: 1)
        // Earlier requests take longer, so answers written as they complete would come out reversed.
        let server = HTTPServer(configuration: configuration) { request, _ in
            let index = Int(request.target.dropFirst()) ?? 0
            Thread.sleep(forTimeInterval: Double(8 - index) * 0.01)
            return HTTPResponse(status: 200, reason: "OK", body: Array("<\(index)>".utf8))
        }
        let port = try server.start()
        defer { server.stop(); server.wait() }
        var bytes: [UInt8] = []
        for index in 0..<8 {
            bytes += Array("GET /\(index) HTTP/1.1\r\nHost: x\r\n\(index == 7 ? "Connection: close\r\n" : "")\r\n".utf8)
        }
        let answer = try exchange(bytes, port: port, timeout: 5, closeWrite: false)
        let bodies = answer.split(separator: "<").dropFirst().map { String($0.prefix { $0 != ">" }) }
        #expect(bodies == (0..<8).map(String.init), "\(answer)")
    }

    @Test("a stop waits for a request a handler thread is answering, and the answer is written")
    func stopWaitsForTheHandler() throws {
        let release = DispatchSemaphore(value: 0)
        let arrived = DispatchSemaphore(value: 0)
        let (server, port) = try server(handlerThreads: 1, release: release, arrived: arrived)
        let answer = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let text = try? exchange(
                Array("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".utf8), port: port, timeout: 5, closeWrite: false)
            answer.withLock { $0 = text }
            done.signal()
        }.start()
        #expect(arrived.wait(timeout: .now() + 5) == .success)
        server.stop()
        // The loop takes the stop at once; the answer comes well after, but within the stop's 2 s grace.
        Thread.sleep(forTimeInterval: 0.3)
        release.signal()
        server.wait()
        #expect(done.wait(timeout: .now() + 5) == .success)
        let text = answer.withLock { $0 } ?? ""
        #expect(text.hasPrefix("HTTP/1.1 200 OK") && text.contains("Connection: close"), "\(text)")
    }

    @Test("requests held by blocked handler threads count against the buffer budget: later ones wait unread")
    func handedOverRequestsCountAgainstTheBudget() throws {
        // Eight handler threads, all blocked, a 1 MiB budget and eight 400 KiB requests on eight connections, one
        // after another: without the handed-over bytes counted, every request is read and handed over (3.2 MiB).
        let configuration = HTTPServer.Configuration(
            host: "127.0.0.1", port: 0, idleTimeout: 10, requestTimeout: 10, maximumBufferedBytes: 1 << 20,
            handlerThreads: 8, loops: 1)
        let release = DispatchSemaphore(value: 0)
        let entered = Atomic<Int>(0)
        let server = HTTPServer(configuration: configuration) { _, _ in
            entered.add(1, ordering: .relaxed)
            _ = release.wait(timeout: .now() + 15)
            return HTTPResponse(status: 200, reason: "OK")
        }
        let port = try server.start()
        defer { server.stop(); server.wait() }
        let size = 400 << 10
        let request =
            Array("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n".utf8)
            + [UInt8](repeating: 0x61, count: size)
        let answered = Atomic<Int>(0)
        let problems = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<8 {
            Thread {
                // A paused connection is not read: the send itself waits, so its deadline is long.
                do {
                    let socket = try Socket.connect(host: "127.0.0.1", port: port, deadline: .after(5))
                    defer { socket.close() }
                    try socket.send(request, deadline: .after(20))
                    let answer = try socket.receive(maximum: 4096, deadline: .after(20))
                    if answer.starts(with: Array("HTTP/1.1 200".utf8)) {
                        answered.add(1, ordering: .relaxed)
                    } else {
                        problems.withLock { $0.append(String(decoding: answer, as: UTF8.self)) }
                    }
                } catch {
                    problems.withLock { $0.append("\(error)") }
                }
                done.signal()
            }.start()
            Thread.sleep(forTimeInterval: 0.15)
        }
        Thread.sleep(forTimeInterval: 0.5)
        let held = entered.load(ordering: .relaxed)
        #expect(held >= 1 && held <= 3, "\(held) requests of 400 KiB handed over under a 1 MiB budget")
        // Released, every request is read and answered in turn: waiting is not refusing.
        for _ in 0..<8 { release.signal() }
        for _ in 0..<8 { #expect(done.wait(timeout: .now() + 20) == .success) }
        #expect(answered.load(ordering: .relaxed) == 8, "\(problems.withLock { $0 })")
    }
}
