import CPPGSystem
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the client checks an https server: against the system's trust store by default, against one CA or
/// certificate file (`--cacert`), or not at all (`--insecure`). TLS 1.2 or later, SNI, ALPN `http/1.1`, through the
/// system's OpenSSL loaded at run time (no package, no link-time dependency).
public struct TLSOptions: Sendable, Hashable {
    /// Check the certificate chain and the host name.
    public var verify: Bool
    /// A PEM file of CA certificates (or the server's own) to trust instead of the system's store.
    public var caFile: String?

    /// Creates options.
    /// - Parameters:
    ///   - verify: Check the certificate (default); `false` is `--insecure`.
    ///   - caFile: A PEM file to trust instead of the system's store.
    public init(verify: Bool = true, caFile: String? = nil) {
        self.verify = verify
        self.caFile = caFile
    }

    /// Why TLS cannot be used on this machine (no OpenSSL to load), or `nil` when it can.
    public static var unavailableReason: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard ppg_tls_load(&buffer, buffer.count) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// One OpenSSL client context per set of options, made once: loading a trust store takes milliseconds.
final class TLSContext: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    private static let cache = Mutex<[TLSOptions: TLSContext]>([:])

    private init(pointer: UnsafeMutableRawPointer) {
        self.pointer = pointer
    }

    deinit { ppg_tls_context_free(pointer) }

    static func shared(_ options: TLSOptions) throws(HTTPError) -> TLSContext {
        let cached = cache.withLock { $0[options] }
        if let cached { return cached }
        var error = [CChar](repeating: 0, count: 320)
        guard let pointer = ppg_tls_context_new(options.verify ? 1 : 0, options.caFile, &error, error.count) else {
            throw HTTPError(kind: .tls, message: text(error))
        }
        let context = TLSContext(pointer: pointer)
        cache.withLock { $0[options] = context }
        return context
    }
}

func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A TLS session over one non-blocking socket; every step honours the caller's deadline.
final class TLSSession {
    private let pointer: UnsafeMutableRawPointer
    /// Whether the certificate is checked: only then can a failure be the certificate's.
    private let verify: Bool

    /// Starts a session on a connected socket without waiting: the handshake is then driven by `handshake()` steps
    /// (an event loop's connection) or by the blocking initialiser.
    init(socket: Socket, hostname: String, options: TLSOptions) throws(HTTPError) {
        let context = try TLSContext.shared(options)
        var error = [CChar](repeating: 0, count: 320)
        let name =
            hostname.hasPrefix("[") && hostname.hasSuffix("]") ? String(hostname.dropFirst().dropLast()) : hostname
        guard
            let pointer = ppg_tls_session_new(
                context.pointer, socket.descriptor, name, options.verify ? 1 : 0, &error, error.count)
        else {
            throw HTTPError(kind: .tls, message: text(error))
        }
        self.pointer = pointer
        self.verify = options.verify
    }

    /// Starts a session and completes the handshake before the deadline.
    convenience init(socket: Socket, hostname: String, options: TLSOptions, deadline: Deadline) throws(HTTPError) {
        try self.init(socket: socket, hostname: hostname, options: options)
        do throws(HTTPError) {
            while true {
                switch handshake() {
                case .moved: return
                case .wantRead: try socket.wait(for: Int16(POLLIN), deadline: deadline, what: "in the TLS handshake")
                case .wantWrite: try socket.wait(for: Int16(POLLOUT), deadline: deadline, what: "in the TLS handshake")
                // The reason was read once, in `handshake()`: OpenSSL's error queue is empty after that.
                case .failed(let message): throw HTTPError(kind: .tls, message: message)
                case .closed: throw HTTPError(kind: .tls, message: "TLS handshake failed: the server closed")
                }
            }
        } catch  where error.kind == .timeout {
            throw Self.handshakeTimeout
        }
    }

    /// Why a handshake that did not finish in time failed: most often, the server speaks plain HTTP.
    static let handshakeTimeout = HTTPError(
        kind: .tls, message: "the server did not complete a TLS handshake in time (is it plain http://?)")

    /// One step of the handshake without waiting: `moved(0)` once it is complete.
    func handshake() -> Step {
        switch ppg_tls_handshake(pointer) {
        case Int32(PPG_TLS_DONE): .moved(0)
        case Int32(PPG_TLS_WANT_READ): .wantRead
        case Int32(PPG_TLS_WANT_WRITE): .wantWrite
        default: .failed("TLS handshake failed: " + lastError())
        }
    }

    deinit { ppg_tls_session_free(pointer) }

    /// The reason the last step failed: the certificate check's, or OpenSSL's.
    func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 320)
        ppg_tls_error(pointer, verify ? 1 : 0, &buffer, buffer.count)
        return text(buffer)
    }

    /// Writes every byte before the deadline.
    func send(_ bytes: [UInt8], socket: Socket, deadline: Deadline) throws(HTTPError) {
        var offset = 0
        while offset < bytes.count {
            var count: Int32 = 0
            let result = bytes.withUnsafeBytes { raw in
                ppg_tls_write(
                    pointer, raw.baseAddress.unsafelyUnwrapped + offset, Int32(min(raw.count - offset, 1 << 20)), &count
                )
            }
            switch result {
            case Int32(PPG_TLS_DONE): offset += Int(count)
            case Int32(PPG_TLS_WANT_READ): try socket.wait(for: Int16(POLLIN), deadline: deadline, what: "sending")
            case Int32(PPG_TLS_WANT_WRITE): try socket.wait(for: Int16(POLLOUT), deadline: deadline, what: "sending")
            default: throw HTTPError(kind: .reset, message: "connection closed while sending: " + lastError())
            }
        }
    }

    /// Reads up to `maximum` decrypted bytes; an empty result means the peer closed.
    func receive(maximum: Int, socket: Socket, deadline: Deadline) throws(HTTPError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            var count: Int32 = 0
            let result = buffer.withUnsafeMutableBytes { raw in
                ppg_tls_read(pointer, raw.baseAddress, Int32(raw.count), &count)
            }
            switch result {
            case Int32(PPG_TLS_DONE): return Array(buffer.prefix(Int(count)))
            case Int32(PPG_TLS_CLOSED): return []
            case Int32(PPG_TLS_WANT_READ):
                try socket.wait(for: Int16(POLLIN), deadline: deadline, what: "waiting for data")
            case Int32(PPG_TLS_WANT_WRITE):
                try socket.wait(for: Int16(POLLOUT), deadline: deadline, what: "waiting for data")
            default: throw HTTPError(kind: .reset, message: "TLS: " + lastError())
            }
        }
    }

    /// Whether decrypted bytes wait in the session.
    var hasPending: Bool { ppg_tls_pending(pointer) > 0 }

    /// One step of a non-blocking read or write, for a connection on an event loop.
    enum Step {
        /// This many bytes moved.
        case moved(Int)
        /// Retry once the socket is readable.
        case wantRead
        /// Retry once the socket is writable (with the same bytes at the same address).
        case wantWrite
        /// The peer closed the session.
        case closed
        /// The session failed.
        case failed(String)
    }

    /// Writes what it can of `count` bytes without waiting.
    func write(_ bytes: UnsafeRawPointer, count: Int) -> Step {
        var moved: Int32 = 0
        return step(ppg_tls_write(pointer, bytes, Int32(min(count, 1 << 20)), &moved), moved)
    }

    /// Reads what has arrived, up to `count` bytes, without waiting.
    func read(into bytes: UnsafeMutableRawPointer, count: Int) -> Step {
        var moved: Int32 = 0
        return step(ppg_tls_read(pointer, bytes, Int32(count), &moved), moved)
    }

    private func step(_ result: Int32, _ moved: Int32) -> Step {
        switch result {
        case Int32(PPG_TLS_DONE): .moved(Int(moved))
        case Int32(PPG_TLS_WANT_READ): .wantRead
        case Int32(PPG_TLS_WANT_WRITE): .wantWrite
        case Int32(PPG_TLS_CLOSED): .closed
        default: .failed("TLS: " + lastError())
        }
    }
}
