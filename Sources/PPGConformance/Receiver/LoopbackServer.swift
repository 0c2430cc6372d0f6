import PPGHTTP
import PPGWire

/// A receiver served on a loopback port for the duration of a job: how `mutants` and the tests run receivers.
public final class LoopbackServer: @unchecked Sendable {
    let server: HTTPServer
    /// The port bound.
    public let port: Int

    /// Starts serving a receiver on 127.0.0.1 and a free port.
    /// - Parameters:
    ///   - receiver: The receiver.
    ///   - idleTimeout: Seconds a kept-alive connection may idle.
    /// - Throws: `HTTPError` when no port can be bound.
    public init(receiver: any Receiver, idleTimeout: Double = 5) throws(HTTPError) {
        let configuration = HTTPServer.Configuration(
            host: "127.0.0.1", port: 0, idleTimeout: idleTimeout,
            requestTimeout: 5)
        server = HTTPServer(configuration: configuration, handler: receiver.httpHandler)
        port = try server.start()
    }

    /// The URL deliveries are sent to.
    /// - Parameter path: The path.
    /// - Returns: `http://127.0.0.1:PORT` + path.
    public func url(path: String = "/ppg/webhook") -> RawURL {
        RawURL(scheme: "http", host: "127.0.0.1", port: String(port), path: path)
    }

    /// Stops the server and waits for its accept loop to end.
    public func stop() {
        server.stop()
        server.wait()
    }
}
