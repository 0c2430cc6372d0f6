import PPGWire

/// Why an HTTP exchange failed.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: String, Sendable, Equatable {
        /// The host name did not resolve.
        case resolve
        /// Nothing accepted the connection.
        case connectFailed = "connect-failed"
        /// A deadline passed.
        case timeout
        /// The peer reset or closed the connection before a full answer.
        case reset
        /// The peer's bytes are not HTTP/1.1.
        case malformed
        /// The peer sent more than the cap.
        case tooLarge = "too-large"
        /// A socket call failed (bind, listen, …).
        case system
        /// The TLS handshake failed: a certificate that does not verify, a protocol mismatch, no TLS library.
        case tls
    }

    /// What kind it is.
    public var kind: Kind
    /// One line for a person.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - kind: What happened.
    ///   - message: One line for a person.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The error a framing failure is on a connection: a peer that closed early reset it.
    /// - Parameter error: What the framer found.
    package init(_ error: FramingError) {
        switch error.kind {
        case .malformed: self.init(kind: .malformed, message: error.message)
        case .tooLarge: self.init(kind: .tooLarge, message: error.message)
        case .truncated: self.init(kind: .reset, message: error.message)
        }
    }
}
