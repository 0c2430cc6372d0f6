import Foundation

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A raw TCP listener on loopback that misbehaves on purpose: hangs, drips, resets, babbles, floods.
public final class HostilePeer: @unchecked Sendable {
    public enum Behaviour: Sendable {
        case hang
        case drip(String, interval: Double)
        case reset
        case garbage
        case flood(bytes: Int)
        case reply(String)
        /// Reads a request, answers these bytes, then holds the connection open in silence.
        case replyThenHang(String)
        /// Reads a request, then records its raw bytes and answers 200.
        case record
        /// Reads a request, answers `prefix`, then `repeating` again and again without pause for up to 30 s:
        /// bytes are always waiting, so only a deadline that every read honours ends it.
        case stream(prefix: String, repeating: String)
        /// Answers the first request it ever reads with these bytes (a preflight), then reads and never answers.
        case answerFirstOnly(String)
        /// Reads a request, waits, then answers these bytes and closes: a slow but working receiver.
        case slowReply(String, delay: Double)
    }

    let descriptor: Int32
    public let port: Int
    let behaviour: Behaviour
    private let lock = NSLock()
    private var recorded: [UInt8] = []
    private var stopped = false
    private var answeredFirst = false

    public init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    public var requestBytes: [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    public func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            let thread = Thread { [self] in handle(client) }
            thread.start()
        }
    }

    private func write(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            #if canImport(Glibc)
                send(client, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL)) == raw.count
            #else
                send(client, raw.baseAddress, raw.count, 0) == raw.count
            #endif
        }
    }

    private func readSome(_ client: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = recv(client, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer.prefix(count)) : []
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        switch behaviour {
        case .hang:
            _ = readSome(client)
            sleep(30)
        case .drip(let text, let interval):
            _ = readSome(client)
            for byte in text.utf8 {
                guard write(client, [byte]) else { return }
                usleep(UInt32(interval * 1_000_000))
            }
        case .reset:
            _ = readSome(client)
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        case .garbage:
            _ = readSome(client)
            _ = write(client, Array("SSH-2.0-OpenSSH_9.2\r\nnot http at all\r\n\r\n".utf8))
        case .flood(let total):
            _ = readSome(client)
            _ = write(client, Array("HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n".utf8))
            let chunk = [UInt8](repeating: 0x41, count: 65_536)
            var sent = 0
            while sent < total && write(client, chunk) { sent += chunk.count }
        case .reply(let text):
            _ = readSome(client)
            _ = write(client, Array(text.utf8))
        case .replyThenHang(let text):
            _ = readSome(client)
            _ = write(client, Array(text.utf8))
            sleep(30)
        case .answerFirstOnly(let text):
            _ = readSome(client)
            lock.lock()
            let first = !answeredFirst
            answeredFirst = true
            lock.unlock()
            if first { _ = write(client, Array(text.utf8)) } else { sleep(30) }
        case .slowReply(let text, let delay):
            _ = readSome(client)
            usleep(UInt32(delay * 1_000_000))
            _ = write(client, Array(text.utf8))
        case .stream(let prefix, let repeating):
            _ = readSome(client)
            guard write(client, Array(prefix.utf8)) else { return }
            var piece: [UInt8] = []
            while piece.count < 16_384 { piece += Array(repeating.utf8) }
            let end = Date().addingTimeInterval(30)
            while Date() < end && !isStopped {
                guard write(client, piece) else { return }
            }
        case .record:
            var bytes: [UInt8] = []
            let deadline = Date().addingTimeInterval(2)
            while Date() < deadline {
                let piece = readSome(client)
                if piece.isEmpty { break }
                bytes += piece
                if isComplete(bytes) { break }
            }
            lock.lock()
            recorded = bytes
            lock.unlock()
            _ = write(client, Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".utf8))
        }
    }

    /// Whether a whole request has arrived: the head, then Content-Length bytes or a final chunk.
    private func isComplete(_ bytes: [UInt8]) -> Bool {
        guard
            let end = (0..<max(0, bytes.count - 3)).first(where: {
                bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
            })
        else { return false }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        if head.contains("transfer-encoding: chunked") {
            return bytes.count >= end + 9 && Array(bytes.suffix(5)) == Array("0\r\n\r\n".utf8)
        }
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else {
            return true
        }
        return bytes.count - (end + 4) >= length
    }
}
