/// An HTTP response as a value: what a server or a receiver answers and what a client read. The fields keep their
/// case and order; the body is the content, already de-chunked. Whether the connection stays open belongs to the
/// transport, not to this value.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// The reason phrase.
    public var reason: String
    /// Header fields in order.
    public var headers: HTTPFields
    /// The content.
    public var body: [UInt8]

    /// Creates a response.
    /// - Parameters:
    ///   - status: The status code.
    ///   - reason: The reason phrase.
    ///   - headers: Header fields in order.
    ///   - body: The content.
    public init(status: Int, reason: String, headers: HTTPFields = [], body: [UInt8] = []) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// A plain-text answer: the text and a newline, as `Content-Type: text/plain`.
    /// - Parameters:
    ///   - status: The status code.
    ///   - reason: The reason phrase.
    ///   - text: The text.
    /// - Returns: The response.
    public static func text(_ status: Int, _ reason: String, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status, reason: reason, headers: [(name: "Content-Type", value: "text/plain")],
            body: Array((text + "\n").utf8))
    }

    /// The last value of a header field, its name compared case-insensitively.
    /// - Parameter name: The field name.
    /// - Returns: The value, if the field is present.
    public func header(_ name: String) -> String? {
        headers.last(name)
    }
}
