import PPGHTTP
import PPGVectors
import PPGWire

/// A receiver over HTTP or HTTPS: each receiver vector's deliveries go out on one kept-alive connection of our own
/// client, byte for byte — over TLS for `https://` (the system's OpenSSL, loaded at run time), so an https run sends
/// exactly what an http run sends.
public struct HTTPTarget: ConformanceTarget {
    /// The URL concerned.
    public let url: RawURL
    /// Seconds each exchange may take, connect included.
    public let timeout: Double
    /// Do not verify https certificates.
    public let insecure: Bool
    /// A PEM file to trust for https instead of the system's store.
    public let caFile: String?

    /// Creates a target.
    /// - Parameters:
    ///   - url: The receiver's URL; deliveries add the vector's query.
    ///   - timeout: Seconds each exchange may take.
    ///   - insecure: Do not verify certificates (https only).
    ///   - caFile: A PEM CA or certificate file to trust (https only).
    public init(url: RawURL, timeout: Double = 5, insecure: Bool = false, caFile: String? = nil) {
        self.url = url
        self.timeout = timeout
        self.insecure = insecure
        self.caFile = caFile
    }

    /// TLS options for an https target, `nil` for http.
    var tls: TLSOptions? { isTLS ? TLSOptions(verify: !insecure, caFile: caFile) : nil }

    func connection() -> HTTPConnection {
        let connection = HTTPConnection(host: connectHost, port: port, connectTimeout: timeout, tls: tls)
        connection.hostHeader = hostHeader
        return connection
    }

    public var name: String { url.description }
    public var takesSignatureVectors: Bool { false }
    var isTLS: Bool { url.isHTTPS }

    var port: Int { url.connectPort }

    var connectHost: String {
        let host = url.host
        // userinfo never reaches the socket; the host keeps its brackets for IPv6.
        return host
    }

    /// Connects once and asks `GET` of the target's path, so that an unreachable target, one that does not speak
    /// HTTP (a TLS port given as http://, another protocol), or one that answers nothing (no answer within the
    /// timeout, or the connection closed without one) is one clear error rather than a report of errors. Any HTTP
    /// answer lets the run go on: the vectors' own outcomes say more.
    /// - Throws: `TargetError` of kind `unreachable`.
    public func checkReachable() throws(TargetError) {
        if isTLS, let reason = TLSOptions.unavailableReason {
            throw TargetError(kind: .unreachable, message: "cannot test \(url): \(reason)")
        }
        let connection = connection()
        defer { connection.close() }
        do {
            try connection.open()
        } catch {
            let what = error.kind == .tls ? "cannot start TLS with" : "cannot connect to"
            throw TargetError(kind: .unreachable, message: "\(what) \(url): \(error.message)")
        }
        do {
            _ = try connection.send(
                HTTPRequest(method: "GET", target: url.requestTarget, headers: [], body: []), timeout: timeout)
        } catch  where error.kind == .malformed {
            throw TargetError(
                kind: .unreachable,
                message: "\(url) does not answer HTTP/1.1 (\(error.message)); is the port right, or is it https://?")
        } catch  where error.kind == .timeout {
            throw TargetError(
                kind: .unreachable,
                message: "\(url) accepted the connection but did not answer a GET of its path within "
                    + "\(formatDecimal(timeout, decimals: 2)) s; is the receiver stuck, or busy starting?")
        } catch  where error.kind == .reset {
            throw TargetError(
                kind: .unreachable,
                message: "\(url) closed the connection without answering a GET of its path (\(error.message)); "
                    + "is the port right, or is it https://?")
        } catch {
            return
        }
    }

    var hostHeader: String { url.port.map { "\(url.host):\($0)" } ?? url.host }

    public func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer {
        .skip("signature vectors are not sent over HTTP")
    }

    public func digest(_ message: [UInt8]) -> String? { nil }

    public func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer] {
        let connection = connection()
        defer { connection.close() }
        var answers: [DeliveryAnswer] = []
        for delivery in deliveries {
            do throws(HTTPError) {
                let response = try connection.send(delivery.request, chunked: delivery.chunked, timeout: timeout)
                answers.append(.response(response))
            } catch {
                throw TargetError(kind: Self.kind(of: error), message: error.message)
            }
        }
        return answers
    }

    static func kind(of error: HTTPError) -> TargetError.Kind {
        switch error.kind {
        case .timeout: .timeout
        case .reset: .connectionReset
        case .malformed, .tooLarge: .protocolViolation
        case .resolve, .connectFailed, .system: .unreachable
        case .tls: .protocolViolation
        }
    }

    /// curl for one delivery curl can send byte for byte; for a chunked body (curl chunks its own way) or several
    /// deliveries on one connection, a bash command that writes the harness's own bytes to one socket.
    public func reproduction(of deliveries: [Delivery]) -> String {
        guard deliveries.count > 1 || deliveries.contains(where: \.chunked) else {
            return deliveries.map { CurlCommand.make($0, insecure: insecure, caFile: caFile) }.joined(separator: "\n")
        }
        return CurlCommand.rawSocket(
            host: connectHost, port: port, requests: deliveries.map(serialized), tls: tls)
    }

    public func requestText(of deliveries: [Delivery]) -> String {
        deliveries.map { delivery in
            let bytes = serialized(delivery)
            let headEnd = HTTPRequest.headLength(in: bytes) ?? bytes.count
            let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
                .split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init).joined(separator: "\n")
            return head + DeliveryText.bodyPreview(Array(bytes[headEnd...])) + "\n(signed URL: \(delivery.signedURL))"
        }.joined(separator: "\n\n")
    }

    /// The bytes the harness writes for a delivery.
    func serialized(_ delivery: Delivery) -> [UInt8] {
        delivery.request.serialized(host: hostHeader, chunked: delivery.chunked)
    }
}
