/// An HTTP request as a value: what a client sends, what a server received, what a receiver judges, what a
/// delivery carries. The request-target is kept byte for byte and the fields in their case and order, duplicates
/// included; the body is the content, already de-chunked. How the bytes were framed on the wire (chunked or not)
/// and who sent them belong to the transport, not to this value.
public struct HTTPRequest: Sendable, Equatable {
    /// The request method, e.g. `POST`.
    public var method: String
    /// The request-target of the request line, e.g. `/ppg/webhook?token=abc`, or an absolute-form URL.
    public var target: String
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String
    /// Header fields in order.
    public var headers: HTTPFields
    /// The content.
    public var body: [UInt8]

    /// Creates a request.
    /// - Parameters:
    ///   - method: The method.
    ///   - target: The request-target.
    ///   - version: The protocol version.
    ///   - headers: Header fields in order.
    ///   - body: The content.
    public init(method: String, target: String, version: String = "HTTP/1.1", headers: HTTPFields, body: [UInt8]) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The last value of a header field, its name compared case-insensitively.
    /// - Parameter name: The field name.
    /// - Returns: The value, if the field is present.
    public func header(_ name: String) -> String? {
        headers.last(name)
    }

    /// The request-target without its query: what a server routes on.
    public var path: Substring {
        target.prefix { $0 != "?" }
    }
}
