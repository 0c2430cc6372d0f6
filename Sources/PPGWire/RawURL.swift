/// A URL split into its parts byte for byte, with no normalisation at all: what is signed is what was written.
public struct RawURL: Sendable, Equatable, CustomStringConvertible {
    /// The scheme as written, e.g. `https`.
    public var scheme: String
    /// The userinfo before `@`, if any.
    public var userinfo: String?
    /// The host as written; an IPv6 literal keeps its brackets.
    public var host: String
    /// The port text after `:`, if written.
    public var port: String?
    /// The path, from the first `/` after the authority; may be empty.
    public var path: String
    /// The text after `?`, if there is a `?`.
    public var query: String?

    /// Assembles a URL from parts, written as given.
    /// - Parameters:
    ///   - scheme: The scheme, e.g. `https`.
    ///   - userinfo: The userinfo, if any.
    ///   - host: The host; an IPv6 literal with its brackets.
    ///   - port: The port text, if any.
    ///   - path: The path, from its first `/`.
    ///   - query: The text after `?`, if any.
    public init(
        scheme: String, userinfo: String? = nil, host: String, port: String? = nil, path: String,
        query: String? = nil
    ) {
        self.scheme = scheme
        self.userinfo = userinfo
        self.host = host
        self.port = port
        self.path = path
        self.query = query
    }

    /// Splits a URL.
    /// - Parameter text: `scheme://[userinfo@]host[:port][/path][?query]`; a `#fragment` is dropped, as it is
    ///   never sent.
    /// - Returns: `nil` when the text has no `://` or no host.
    public init?(_ text: String) {
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        guard let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") else { return nil }
        scheme = String(rest[..<colon])
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else {
            return nil
        }
        rest = rest[rest.index(colon, offsetBy: 3)...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                port = String(after.dropFirst())
            } else if !after.isEmpty {
                return nil
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { return nil }
        if let mark = rest.firstIndex(of: "?") {
            path = String(rest[..<mark])
            query = String(rest[rest.index(after: mark)...])
        } else {
            path = String(rest)
        }
    }

    /// The authority as written.
    public var authority: String {
        (userinfo.map { $0 + "@" } ?? "") + host + (port.map { ":" + $0 } ?? "")
    }

    /// The request-target an HTTP/1.1 request for this URL carries: the path (`/` if empty) and the query.
    public var requestTarget: String {
        (path.isEmpty ? "/" : path) + (query.map { "?" + $0 } ?? "")
    }

    /// The URL text, exactly as the parts say.
    public var description: String {
        scheme + "://" + authority + path + (query.map { "?" + $0 } ?? "")
    }

    /// `scheme://authority`, as written.
    public var origin: String { scheme + "://" + authority }

    /// This URL without its query (and without the `?`).
    public var withoutQuery: RawURL {
        var copy = self
        copy.query = nil
        return copy
    }

    /// Whether the scheme is https, in any case (RFC 3986 §3.1: schemes are case-insensitive).
    public var isHTTPS: Bool { ASCII.equalsIgnoringCase(scheme, "https") }

    /// The other of `http` and `https`: the scheme a receiver configured the other way round signs.
    public var otherScheme: String { isHTTPS ? "http" : "https" }

    /// The scheme's default port: `443` for https, `80` otherwise.
    public var defaultPort: String { isHTTPS ? "443" : "80" }

    /// The port a client connects to: the one written, else the scheme's default.
    public var connectPort: Int { port.flatMap { Int($0) } ?? (Int(defaultPort) ?? 80) }

    /// This URL with its port removed when one is written, or its scheme's default port written out when none is:
    /// the URL a proxy that adds or drops the port passes on.
    public func togglingDefaultPort() -> RawURL {
        var copy = self
        copy.port = port == nil ? defaultPort : nil
        return copy
    }

    /// Whether a request-target is in absolute-form (`http://host:port/path?query`), which a server MUST accept
    /// (RFC 9112 §3.2.2).
    /// - Parameter target: The request-target as received.
    /// - Returns: Whether it starts with an `http` or `https` scheme (any case) and `://`.
    public static func isAbsoluteForm(_ target: String) -> Bool {
        let lower = String(target.prefix(8)).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// Whether a request-target is made only of what RFC 3986 lets a URL hold — unreserved characters,
    /// sub-delims, `:` `@` `/` `?`, and `%` followed by two hex digits — so that RFC 9112 §3 does not let a server
    /// refuse the request-line as invalid. `[` and `]` are allowed (an IP-literal authority in absolute-form).
    /// - Parameter target: The request-target as sent.
    /// - Returns: `false` for a space, a control, a byte over 0x7F, `"` `<` `>` `\` `^` `` ` `` `{` `|` `}` `#`, or a
    ///   malformed percent-escape (`%zz`, a `%` at the end).
    public static func isValidRequestTarget(_ target: String) -> Bool {
        let bytes = Array(target.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, Hex.value(bytes[index + 1]) != nil, Hex.value(bytes[index + 2]) != nil
                else { return false }
                index += 3
                continue
            }
            guard allowedInTarget(byte) else { return false }
            index += 1
        }
        return true
    }

    static func allowedInTarget(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("-._~!$&'()*+,;=:@/?[]".utf8).contains(byte)
        }
    }

    /// A request-target's origin-form: an absolute-form target's path (`/` when empty) and query; any other target
    /// as it is.
    /// - Parameter target: The request-target as received.
    /// - Returns: The origin-form.
    public static func originForm(ofTarget target: String) -> String {
        guard !target.hasPrefix("/"), let url = RawURL(target) else { return target }
        return url.requestTarget
    }

    /// This URL with more query text appended: after `?` when there is no query yet, after `&` otherwise.
    /// - Parameter extra: The text to append; `nil` appends nothing, `""` ensures a `?`.
    /// - Returns: The new URL.
    public func appendingQuery(_ extra: String?) -> RawURL {
        guard let extra else { return self }
        var copy = self
        if let existing = query, !existing.isEmpty {
            copy.query = extra.isEmpty ? existing : existing + "&" + extra
        } else {
            copy.query = extra
        }
        return copy
    }
}
