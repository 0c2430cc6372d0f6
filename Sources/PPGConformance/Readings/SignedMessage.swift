import PPGSignature
import PPGWire

/// A delivery as signing rules read it: the configured (signed) URL, the request's `Host` and target, the body and
/// its `Content-Type`. The body is parsed at most once however many readings are tried, and no reading keeps a
/// copy of it, so trying every reading of a large body costs one parse, not one per reading. Used from one thread.
public final class SignedMessage {
    /// The URL as configured, with the query as received (SPEC.md R10.2).
    public let configuredURL: String
    /// The `Host` header's value, if any.
    public let host: String?
    /// The request-target as received.
    public let target: String?
    /// The request's header fields, for readings that take the URL from them.
    public let headers: HTTPFields
    /// The body as received.
    public let body: [UInt8]
    /// The `Content-Type` value, if any.
    public let contentType: String?
    private var parsed: Result<JSONValue, SigningInputError>?
    private var parameterCache: [SigningRule.Values: [SigningParameter]] = [:]
    private var projectID: String??

    /// Creates a message.
    /// - Parameters:
    ///   - configuredURL: The URL as configured, with the query as received.
    ///   - body: The body bytes.
    ///   - contentType: The `Content-Type` value.
    ///   - host: The `Host` header's value, for the readings that rebuild the URL from it.
    ///   - target: The request-target, likewise.
    ///   - headers: The header fields, likewise.
    public init(
        configuredURL: String, body: [UInt8], contentType: String?, host: String? = nil, target: String? = nil,
        headers: HTTPFields = []
    ) {
        self.configuredURL = configuredURL
        self.body = body
        self.contentType = contentType
        self.host = host
        self.target = target
        self.headers = headers
    }

    /// The first value of a header field (the first element of a comma-separated list), if any.
    func firstValue(_ name: String) -> String? {
        guard let value = headers.first(name) else { return nil }
        let first = value.prefix { $0 != "," }
        return String(first.drop { $0 == " " || $0 == "\t" }).trimmingSuffix(while: { $0 == " " || $0 == "\t" })
    }

    /// A parameter of the first element of a `Forwarded` field (RFC 7239), such as `proto` or `host`.
    func forwardedParameter(_ name: String) -> String? {
        guard let first = firstValue("Forwarded") else { return nil }
        for pair in first.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, ASCII.equalsIgnoringCase(parts[0].drop { $0 == " " }, name) {
                return parts[1].trimmingCharacters(quotes: true)
            }
        }
        return nil
    }

    /// The request-target's origin-form part (an absolute-form target without its scheme and authority).
    var originForm: String? {
        target.map(RawURL.originForm(ofTarget:))
    }

    /// The configured URL, split once.
    lazy var configured: RawURL? = RawURL(configuredURL)

    /// The URL a form names, or an error when the delivery lacks what it needs (no `Host`).
    func url(_ form: SigningRule.URLForm) throws(SigningInputError) -> String {
        func unavailable(_ why: String) -> SigningInputError {
            SigningInputError(kind: .urlUnavailable, offset: 0, message: why)
        }
        // Split only for the forms that need it: SPEC's form signs the configured URL as it is.
        var base: String { configured?.withoutQuery.description ?? configuredURL }
        var query: String? { configured?.query }
        switch form {
        case .configured:
            return configuredURL
        case .hostHTTP, .hostHTTPS:
            guard let host, let target else { throw unavailable("the request has no Host header to rebuild the URL") }
            return (form == .hostHTTP ? "http://" : "https://") + host + target
        case .withoutQuery:
            return base
        case .togglePort:
            guard let configured else { throw unavailable("the configured URL has no authority") }
            return configured.togglingDefaultPort().description
        case .sortedQuery:
            guard let query else { return configuredURL }
            return base + "?"
                + query.split(separator: "&", omittingEmptySubsequences: false).sorted().joined(separator: "&")
        case .decodedQuery:
            guard let query else { return configuredURL }
            return base + "?" + String(decoding: Self.percentDecoded(Array(query.utf8)), as: UTF8.self)
        case .forwarded:
            guard let path = originForm,
                let host = firstValue("X-Forwarded-Host") ?? forwardedParameter("host") ?? self.host
            else { throw unavailable("the request has no Host header to rebuild the URL") }
            let scheme = firstValue("X-Forwarded-Proto") ?? forwardedParameter("proto") ?? "http"
            return scheme + "://" + host + path
        case .forwardedProto:
            guard let path = originForm, let host = self.host else {
                throw unavailable("the request has no Host header to rebuild the URL")
            }
            let scheme = firstValue("X-Forwarded-Proto") ?? forwardedParameter("proto") ?? configured?.scheme ?? "http"
            return scheme + "://" + host + path
        case .originalURL:
            guard let path = firstValue("X-Original-URL") ?? firstValue("X-Rewrite-URL") ?? originForm else {
                return configuredURL
            }
            return (configured?.origin ?? configuredURL) + path
        case .configuredOrigin:
            guard let path = originForm else { return configuredURL }
            return (configured?.origin ?? configuredURL) + path
        case .absoluteTarget:
            guard let target, RawURL.isAbsoluteForm(target) else { return configuredURL }
            return target
        }
    }

    /// The body's parameters under a value reading, in body order.
    func parameters(_ values: SigningRule.Values) throws(SigningInputError) -> [SigningParameter] {
        if let cached = parameterCache[values] { return cached }
        let list: [SigningParameter]
        if body.isEmpty {
            list = []
        } else if SigningInput.isForm(contentType) {
            list = SigningInput.formParameters(body)
        } else {
            let value = try json()
            if values == .decoded {
                list = try SigningInput.decodedParameters(of: value, body: body)
                parameterCache[values] = list
                return list
            }
            list = try SigningInput.members(of: value).compactMap { member in
                let raw = Array(body[member.value.span])
                switch (member.value.kind, values) {
                case (.null, .rawText), (.null, .nullAsText): return SigningParameter(name: member.name, value: raw)
                case (.null, _): return nil
                case (.string, .rawText): return SigningParameter(name: member.name, value: raw)
                case (.string(let decoded), .htmlEscaped):
                    return SigningParameter(name: member.name, value: Self.htmlEscaped(decoded))
                case (.string(let decoded), _): return SigningParameter(name: member.name, value: decoded)
                case (.number, .throughDoubles):
                    return SigningParameter(
                        name: member.name, value: Array(Self.throughDouble(String(decoding: raw, as: UTF8.self)).utf8))
                default: return SigningParameter(name: member.name, value: raw)
                }
            }
        }
        parameterCache[values] = list
        return list
    }

    /// The body's `projectId` string member, if it has one.
    public func bodyProjectID() -> String? {
        if let projectID { return projectID }
        var found: String?
        if let value = try? json(), case .object(let members) = value.kind,
            let member = members.first(where: { $0.nameString == "projectId" }),
            case .string(let bytes) = member.value.kind
        {
            found = String(decoding: bytes, as: UTF8.self)
        }
        projectID = .some(found)
        return found
    }

    /// The body as a JSON library writes it back after parsing it, in one member of the family.
    func reserialisedBody(_ style: JSONStyle) throws(SigningInputError) -> [UInt8] {
        style.encode(try json(), source: body)
    }

    /// The body parsed as JSON (the parse every reading shares), or `nil` where it is not JSON.
    func jsonBody() -> JSONValue? { try? json() }

    private func json() throws(SigningInputError) -> JSONValue {
        if let parsed { return try parsed.get() }
        let result: Result<JSONValue, SigningInputError>
        do {
            result = .success(try SigningInput.parseBody(body))
        } catch {
            result = .failure(error)
        }
        parsed = result
        return try result.get()
    }

    /// `%XX` decoded wherever two hex digits follow; anything else kept as written.
    package static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count, let high = Hex.value(bytes[index + 1]),
                let low = Hex.value(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    /// Text as an HTML-escaping input filter leaves it: `&`, `<`, `>`, `"`, `'` as entities.
    static func htmlEscaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            default: out.append(byte)
            }
        }
        return out
    }

    /// A JSON number as a double-based library writes it back: integers without a fraction, others shortest.
    static func throughDouble(_ text: String) -> String {
        guard let number = Double(text) else { return text }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }
}

extension StringProtocol {
    /// The text without trailing characters matching `predicate`.
    func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return String(self[startIndex..<end])
    }

    /// The text without surrounding white space and, with `quotes`, one pair of surrounding double quotes.
    func trimmingCharacters(quotes: Bool) -> String {
        var text = String(drop { $0 == " " || $0 == "\t" }).trimmingSuffix { $0 == " " || $0 == "\t" }
        if quotes && text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") {
            text = String(text.dropFirst().dropLast())
        }
        return text
    }
}
