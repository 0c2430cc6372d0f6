import Foundation
import PPGHTTP
import PPGSignature
import PPGVectors

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A receiver over HTTP: each receiver vector's deliveries go out on one kept-alive connection of our own client,
/// byte for byte; `https://` targets go through URLSession, with the limits the README states.
public struct HTTPTarget: ConformanceTarget {
    /// The URL concerned.
    public let url: RawURL
    /// Seconds each exchange may take, connect included.
    public let timeout: Double
    /// Accept self-signed certificates on https targets.
    public let insecure: Bool

    /// Creates a target.
    /// - Parameters:
    ///   - url: The receiver's URL; deliveries add the vector's query.
    ///   - timeout: Seconds each exchange may take.
    ///   - insecure: Accept self-signed certificates (https only).
    public init(url: RawURL, timeout: Double = 5, insecure: Bool = false) {
        self.url = url
        self.timeout = timeout
        self.insecure = insecure
    }

    public var name: String { url.description }
    public var takesSignatureVectors: Bool { false }
    var isTLS: Bool { url.scheme.lowercased() == "https" }

    var port: Int {
        if let port = url.port, let number = Int(port) { return number }
        return isTLS ? 443 : 80
    }

    var connectHost: String {
        let host = url.host
        // userinfo never reaches the socket; the host keeps its brackets for IPv6.
        return host
    }

    /// Connects once and asks `GET` of the target's path, so that an unreachable target, or one that does not speak
    /// HTTP (a TLS port given as http://, another protocol), is one clear error rather than a report of errors. No
    /// answer, or any HTTP answer, lets the run go on: the vectors' own outcomes say more.
    /// - Throws: `TargetError` of kind `unreachable`.
    public func checkReachable() throws(TargetError) {
        if isTLS && insecure && !URLSessionTransport.supportsInsecure {
            throw TargetError(
                kind: .unreachable,
                message: "--insecure is not available on this platform: "
                    + "swift-corelibs-foundation cannot switch certificate verification off; trust the certificate "
                    + "system-wide, or test over http behind the TLS terminator with --public-url https://…")
        }
        let connection = HTTPConnection(host: connectHost, port: port, connectTimeout: timeout)
        connection.hostHeader = hostHeader
        defer { connection.close() }
        do {
            try connection.open()
        } catch {
            throw TargetError(kind: .unreachable, message: "cannot connect to \(url): \(error.message)")
        }
        guard !isTLS else { return }
        do {
            _ = try connection.send(
                HTTPRequest(method: "GET", target: url.requestTarget, headers: [], body: []), timeout: timeout)
        } catch  where error.kind == .malformed {
            throw TargetError(
                kind: .unreachable,
                message: "\(url) does not answer HTTP/1.1 (\(error.message)); is the port right, or is it https://?")
        } catch {
            return
        }
    }

    var hostHeader: String { url.port.map { "\(url.host):\($0)" } ?? url.host }

    public func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer {
        .skip("signature vectors are not sent over HTTP")
    }

    public func digest(_ message: [UInt8]) -> String? { nil }

    public func skipReason(for deliveries: [Delivery]) -> String? {
        guard isTLS else { return nil }
        for delivery in deliveries {
            if let reason = URLSessionTransport.limitation(delivery) {
                return "needs byte-exact HTTP, which the https transport (URLSession) cannot send: \(reason)"
            }
        }
        return nil
    }

    public func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryResponse] {
        if isTLS {
            return try deliveries.map { delivery throws(TargetError) in
                try URLSessionTransport.send(delivery, timeout: timeout, insecure: insecure)
            }
        }
        let connection = HTTPConnection(host: connectHost, port: port, connectTimeout: timeout)
        connection.hostHeader = hostHeader
        defer { connection.close() }
        var responses: [DeliveryResponse] = []
        for delivery in deliveries {
            let request = HTTPRequest(
                method: delivery.method, target: delivery.requestTarget, headers: delivery.headers,
                body: delivery.body, chunked: delivery.chunked)
            do {
                let response = try connection.send(request, timeout: timeout)
                responses.append(
                    DeliveryResponse(
                        status: response.status,
                        bodyPrefix: String(decoding: response.body.prefix(200), as: UTF8.self)))
            } catch {
                throw TargetError(kind: Self.kind(of: error), message: error.message)
            }
        }
        return responses
    }

    static func kind(of error: HTTPError) -> TargetError.Kind {
        switch error.kind {
        case .timeout: .timeout
        case .reset: .connectionReset
        case .malformed, .tooLarge: .protocolViolation
        case .resolve, .connectFailed, .system: .unreachable
        }
    }

    /// curl for one delivery curl can send byte for byte; for a chunked body (curl chunks its own way) or several
    /// deliveries on one connection, a bash command that writes the harness's own bytes to one socket.
    public func reproduction(of deliveries: [Delivery]) -> String {
        guard !isTLS, deliveries.count > 1 || deliveries.contains(where: \.chunked) else {
            return deliveries.map { CurlCommand.make($0, insecure: insecure) }.joined(separator: "\n")
        }
        return CurlCommand.rawSocket(host: connectHost, port: port, requests: deliveries.map(serialized))
    }

    public func requestText(of deliveries: [Delivery]) -> String {
        guard !isTLS else { return deliveries.map(Runner.describe).joined(separator: "\n\n") }
        return deliveries.map { delivery in
            let bytes = serialized(delivery)
            let headEnd = HTTPRequest.headLength(in: bytes) ?? bytes.count
            let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
                .split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init).joined(separator: "\n")
            return head + Runner.bodyPreview(Array(bytes[headEnd...])) + "\n(signed URL: \(delivery.signedURL))"
        }.joined(separator: "\n\n")
    }

    /// The bytes the harness writes for a delivery.
    func serialized(_ delivery: Delivery) -> [UInt8] {
        HTTPRequest(
            method: delivery.method, target: delivery.requestTarget, headers: delivery.headers, body: delivery.body,
            chunked: delivery.chunked
        ).serialized(host: hostHeader)
    }
}

/// https through FoundationNetworking: it cannot keep header order or case, send duplicates, chunk on request, or
/// leave a non-normalised request-target alone, so deliveries that need those are skipped with a reason.
enum URLSessionTransport {
    static func limitation(_ delivery: Delivery) -> String? {
        let names = delivery.headers.map { $0.name.lowercased() }
        if Set(names).count != names.count { return "duplicate header fields" }
        if delivery.chunked { return "a chunked body" }
        if !names.contains("content-type") { return "no Content-Type (URLSession adds one)" }
        if delivery.headers.contains(where: { $0.value != $0.value.trimmingCharacters(in: .whitespaces) }) {
            return "white space around a header value"
        }
        if delivery.headers.contains(where: {
            $0.name.lowercased() == "x-ppg-signature" && $0.name != "X-PPG-Signature"
        }) {
            return "the header name's case"
        }
        if delivery.url.path.contains("/./") || delivery.url.path.contains("/../") { return "dot segments in the path" }
        if delivery.absoluteTarget != nil { return "an absolute-form request-target" }
        if names.contains("host") { return "a Host header of its own" }
        return nil
    }

    final class Box: @unchecked Sendable {
        var result: Result<DeliveryResponse, TargetError> = .failure(TargetError(kind: .timeout, message: "no answer"))
    }

    /// Refuses redirects (PushPushGo follows none) and, on Apple platforms with `--insecure`, trusts any
    /// certificate. swift-corelibs-foundation on Linux cannot switch verification off (it has no server-trust
    /// API), so there `--insecure` is refused before the run starts; see the README.
    final class Delegate: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        let insecure: Bool

        init(insecure: Bool) {
            self.insecure = insecure
        }

        #if canImport(Darwin)
            func urlSession(
                _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
            ) {
                if insecure, let trust = challenge.protectionSpace.serverTrust {
                    completionHandler(.useCredential, URLCredential(trust: trust))
                } else {
                    completionHandler(.performDefaultHandling, nil)
                }
            }
        #endif

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    /// Whether `--insecure` can be honoured on this platform.
    static var supportsInsecure: Bool {
        #if canImport(Darwin)
            true
        #else
            false
        #endif
    }

    static func send(_ delivery: Delivery, timeout: Double, insecure: Bool) throws(TargetError) -> DeliveryResponse {
        guard let url = URL(string: delivery.url.description) else {
            throw TargetError(kind: .protocolViolation, message: "URLSession cannot parse \(delivery.url)")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = delivery.method
        for header in delivery.headers { request.addValue(header.value, forHTTPHeaderField: header.name) }
        if !delivery.body.isEmpty { request.httpBody = Data(delivery.body) }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(
            configuration: configuration, delegate: Delegate(insecure: insecure), delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                box.result = .success(
                    DeliveryResponse(
                        status: http.statusCode,
                        bodyPrefix: String(decoding: (data ?? Data()).prefix(200), as: UTF8.self)))
            } else {
                box.result = .failure(
                    TargetError(
                        kind: .connectionReset,
                        message: error.map { "\($0.localizedDescription)" } ?? "no response"))
            }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 1) == .timedOut {
            task.cancel()
            throw TargetError(kind: .timeout, message: "no answer in \(timeout) s")
        }
        return try box.result.get()
    }
}
