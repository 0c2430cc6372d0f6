extension HTTPResponse {
    /// The bytes of this response as the server sends it; Content-Length and Connection are added.
    /// - Parameters:
    ///   - keepAlive: Whether the connection stays open.
    ///   - toHEAD: Whether it answers a HEAD request, which gets the fields without the content.
    /// - Returns: The response as sent.
    public func serialized(keepAlive: Bool, toHEAD: Bool = false) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason)\r\n"
        for header in headers { text += "\(header.name): \(header.value)\r\n" }
        text += "Content-Length: \(body.count)\r\n"
        text += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        text += "\r\n"
        // RFC 9110 §9.3.2: the answer to HEAD has the fields the GET answer would have, and no content.
        return toHEAD ? Array(text.utf8) : Array(text.utf8) + body
    }
}
