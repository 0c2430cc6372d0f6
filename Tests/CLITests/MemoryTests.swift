import Foundation
import PPGHTTP
import PPGSignature
import PPGWire
import Synchronization
import TestSupport
import Testing

/// The memory bounds the README states, checked with a generous margin on peak resident memory (Linux's own
/// figure for the child). Each test is bounded in requests and time and talks to loopback only.
@Suite("Memory bounds", .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status"), "needs /proc"))
struct MemoryTests {
    static let projectID = "memory-project"
    static let mebibyte = 1 << 20

    /// A signed delivery whose body is about `size` bytes of JSON.
    static func delivery(size: Int, url: String) throws -> (body: [UInt8], signature: String) {
        let body =
            Array(#"{"projectId":"\#(projectID)","ppgId":"a","note":""#.utf8)
            + [UInt8](repeating: UInt8(ascii: "x"), count: size) + Array(#""}"#.utf8)
        let signature = try Signer(projectID: projectID).signature(
            url: url, body: body, contentType: "application/json")
        return (body, signature)
    }

    static func request(_ body: [UInt8], signature: String) -> HTTPRequest {
        HTTPRequest(
            method: "POST", target: "/ppg/webhook",
            headers: [(name: "Content-Type", value: "application/json"), (name: "X-PPG-Signature", value: signature)],
            body: body)
    }

    @Test("detect on a 4 MiB body stays under 64 MiB plus 12 times the body (was 134 times)")
    func detectBound() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let size = 4 * Self.mebibyte
        let (body, signature) = try Self.delivery(size: size, url: "http://127.0.0.1:8080/ppg/webhook")
        let head =
            "POST /ppg/webhook HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
            + "X-PPG-Signature: \(signature)\r\nContent-Length: \(body.count)\r\n\r\n"
        try Data(Array(head.utf8) + body).write(to: URL(fileURLWithPath: directory + "/big.http"))
        let (status, kilobytes) = try TestSupport.runMeasuringPeak(
            TestSupport.toolPath, ["detect", "--request", directory + "/big.http", "--project-id", Self.projectID])
        #expect(status == 0)
        #expect(kilobytes < (64 * Self.mebibyte + 12 * size) / 1024, "detect peaked at \(kilobytes / 1024) MiB")
    }

    @Test("serve holding 64 half-sent 1 MiB bodies and answering 16 whole ones stays within its buffer budget")
    func serveBound() throws {
        let serve = try ListeningProcess(["--project-id", Self.projectID])
        defer { _ = serve.stop(SIGKILL) }
        try #require(serve.port > 0)
        var held: [HTTPConnectionProbe] = []
        defer { for socket in held { socket.close() } }
        let half = [UInt8](repeating: 0x41, count: Self.mebibyte / 2)
        for _ in 0..<64 {
            let probe = try HTTPConnectionProbe(port: serve.port)
            probe.send(Array("POST /ppg/webhook HTTP/1.1\r\nContent-Length: \(Self.mebibyte)\r\n\r\n".utf8) + half)
            held.append(probe)
        }
        let (body, signature) = try Self.delivery(size: Self.mebibyte - 100, url: serve.url)
        let connection = HTTPConnection(host: "127.0.0.1", port: serve.port)
        for _ in 0..<16 {
            let response = try connection.send(Self.request(body, signature: signature), timeout: 10)
            #expect(response.status == 200)
        }
        let kilobytes = try #require(TestSupport.peakKilobytes(of: serve.process.processIdentifier))
        // 64 MiB of buffered bodies at most (the default budget), one 64 KiB read per connection, the requests
        // being answered, and the process itself.
        #expect(kilobytes < 256 * 1024, "serve peaked at \(kilobytes / 1024) MiB")
    }

    @Test("capture answering 32 concurrent 256 KiB deliveries stays under 256 MiB")
    func captureBound() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let capture = try ListeningProcess(
            executable: TestSupport.toolPath,
            arguments: [
                "capture", "--project-id", Self.projectID, "--port", "0", "--host", "127.0.0.1",
                "--out", directory + "/out",
            ])
        defer { _ = capture.stop(SIGKILL) }
        try #require(capture.port > 0)
        let (body, signature) = try Self.delivery(size: Self.mebibyte / 4, url: capture.url)
        let answered = Atomic<Int>(0)
        let port = capture.port
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            let response = try? HTTPConnection(host: "127.0.0.1", port: port).send(
                Self.request(body, signature: signature), timeout: 60)
            if response?.status == 200 { answered.add(1, ordering: .relaxed) }
        }
        #expect(answered.load(ordering: .relaxed) == 32)
        let kilobytes = try #require(TestSupport.peakKilobytes(of: capture.process.processIdentifier))
        #expect(kilobytes < 256 * 1024, "capture peaked at \(kilobytes / 1024) MiB")
    }
}

/// A raw client connection that sends and holds, for requests that never finish.
final class HTTPConnectionProbe {
    let descriptor: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends what the kernel takes within the send timeout; a paused server may take less.
    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                #if canImport(Glibc)
                    Glibc.send(descriptor, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                #else
                    Darwin.send(descriptor, raw.baseAddress! + offset, bytes.count - offset, 0)
                #endif
            }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    func close() {
        #if canImport(Glibc)
            _ = Glibc.close(descriptor)
        #else
            _ = Darwin.close(descriptor)
        #endif
    }
}
