/// One reading of the `X-PPG-Signature` rule: which bytes are signed, with which key, written how.
///
/// SPEC.md's rule is one value per profile (`SigningRule.spec(_:)`); the reference verifier, the reference receiver,
/// `detect` (which tries `detectable`), the mutant receivers whose bug is a wrong reading, and the diagnosis all
/// compute signing inputs through `signingInput(of:)`, so a reading is written once.
import PPGWire

public struct SigningRule: Sendable, Hashable, CustomStringConvertible {
    /// Where the key comes from.
    public enum Key: String, Sendable, Hashable, CaseIterable {
        case configured = "configured projectId"
        case body = "the body's projectId"
    }

    /// Which URL a url-params signature covers.
    public enum URLForm: String, Sendable, Hashable, CaseIterable {
        case configured = "the configured URL with the query as received"
        case hostHTTP = "http:// + Host header + request-target"
        case hostHTTPS = "https:// + Host header + request-target"
        case withoutQuery = "the configured URL without the query"
        case togglePort = "the configured URL with its default port written out (or removed)"
        case sortedQuery = "the configured URL with its query parameters sorted"
        case decodedQuery = "the configured URL with its query percent-decoded"
        case forwarded =
            "X-Forwarded-Proto/-Host (or Forwarded) + request-target, as a framework trusting proxies builds it"
        case originalURL = "the configured scheme and host + X-Original-URL or X-Rewrite-URL"
        case configuredOrigin = "the configured scheme and host + the request-target as received"
        case absoluteTarget = "an absolute-form request-target as received, else the configured URL"
    }

    /// How a JSON member becomes a parameter value.
    public enum Values: String, Sendable, Hashable, CaseIterable {
        /// SPEC.md: strings decoded, `null` left out, anything else as written.
        case decoded
        /// Every value as its raw JSON text: strings keep their quotes and escapes, `null` is `null`.
        case rawText
        /// As `decoded`, but `null` signed as the text `null`.
        case nullAsText
        /// As `decoded`, but numbers written back through a double (`1.50` → `1.5`, `1e2` → `100`).
        case throughDoubles
    }

    /// In which order parameters follow the URL.
    public enum Order: String, Sendable, Hashable, CaseIterable {
        /// SPEC.md: by name, then value, comparing bytes.
        case bytes
        /// As they appear in the body.
        case bodyOrder
        /// By name compared case-insensitively.
        case caseInsensitive
        /// By name compared as UTF-16 code units (JavaScript's default `sort()`, Java's `String.compareTo`): an
        /// astral character sorts before U+E000–U+FFFF, where UTF-8 bytes put it after.
        case utf16
    }

    /// How parameters are written after the URL.
    public enum Join: String, Sendable, Hashable, CaseIterable {
        /// SPEC.md: each name, then its value, no separators.
        case nameValue
        /// The values alone.
        case valuesOnly
        /// `name=value` pairs joined with `&`.
        case nameEqualsValue
        /// No parameters: the URL alone.
        case urlOnly
    }

    /// How the url-params parameters are selected, ordered and written.
    public struct Parameters: Sendable, Hashable {
        /// How a member becomes a value.
        public var values: Values
        /// The order.
        public var order: Order
        /// How they are written.
        public var join: Join
        /// Only the first this many members in body order are read (a parser's parameter limit); all when `nil`.
        public var limit: Int?

        /// Creates a parameter reading.
        public init(values: Values = .decoded, order: Order = .bytes, join: Join = .nameValue, limit: Int? = nil) {
            self.values = values
            self.order = order
            self.join = join
            self.limit = limit
        }

        /// SPEC.md's: name+value, sorted by bytes, strings decoded.
        public static let sorted = Parameters()
        /// In body order.
        public static let bodyOrder = Parameters(order: .bodyOrder)
        /// Values without their names.
        public static let valuesOnly = Parameters(join: .valuesOnly)
        /// JSON values as raw text.
        public static let rawText = Parameters(values: .rawText)
        /// Names sorted case-insensitively.
        public static let caseInsensitive = Parameters(order: .caseInsensitive)
        /// `name=value&…`.
        public static let separators = Parameters(join: .nameEqualsValue)
        /// The URL alone.
        public static let none = Parameters(join: .urlOnly)
        /// Names sorted as UTF-16 code units.
        public static let utf16 = Parameters(order: .utf16)
        /// The first 20 members only.
        public static let firstTwenty = Parameters(limit: 20)
        /// `null` as the text `null`.
        public static let nullAsText = Parameters(values: .nullAsText)
        /// Numbers through doubles.
        public static let throughDoubles = Parameters(values: .throughDoubles)

        /// The forms `detect` tries, in the order it reports them.
        public static let detectable: [Parameters] = [
            .sorted, .bodyOrder, .valuesOnly, .rawText, .caseInsensitive, .separators, .none,
        ]

        /// In words, as `detect` prints it.
        public var description: String {
            let orderText =
                switch order {
                case .bytes: join == .valuesOnly ? "sorted by name" : "sorted by bytes"
                case .bodyOrder: "in body order"
                case .caseInsensitive: "sorted case-insensitively"
                case .utf16: "sorted by UTF-16 code units"
                }
            let valuesText =
                switch values {
                case .decoded: ""
                case .rawText: " with JSON values as raw text (strings keep quotes and escapes)"
                case .nullAsText: " with null signed as the text 'null'"
                case .throughDoubles: " with numbers re-serialised through doubles"
                }
            let limitText = limit.map { ", the first \($0) members only" } ?? ""
            switch join {
            case .urlOnly:
                return "no parameters (the URL alone)"
            case .nameValue:
                let orderPart = order != .bytes || values == .decoded ? ", " + orderText : ""
                return "name+value" + valuesText + orderPart + limitText
            case .valuesOnly:
                return "values only" + valuesText + ", " + orderText
            case .nameEqualsValue:
                return "name=value joined with '&'" + valuesText + (order != .bytes ? ", " + orderText : "")
            }
        }
    }

    /// What a json-body signature covers.
    public enum Body: String, Sendable, Hashable, CaseIterable {
        case raw = "the body exactly as received"
        case urlThenBody = "the configured URL, then the body"
        case trimmed = "the body without trailing white space"
        case reserialised = "the body parsed and written back (numbers through doubles)"
    }

    /// Which bytes are signed.
    public var scheme: SignatureScheme
    /// How the signature is written.
    public var encoding: SignatureEncoding
    /// Where the key comes from.
    public var key: Key
    /// The URL a url-params signature covers.
    public var url: URLForm
    /// How url-params parameters follow the URL.
    public var parameters: Parameters
    /// What a json-body signature covers.
    public var body: Body

    /// Creates a rule; every choice defaults to SPEC.md's.
    public init(
        scheme: SignatureScheme = .urlParameters, encoding: SignatureEncoding = .hex, key: Key = .configured,
        url: URLForm = .configured, parameters: Parameters = .sorted, body: Body = .raw
    ) {
        self.scheme = scheme
        self.encoding = encoding
        self.key = key
        self.url = url
        self.parameters = parameters
        self.body = body
    }

    /// SPEC.md's rule under a profile.
    /// - Parameter profile: Scheme and encoding.
    /// - Returns: The rule.
    public static func spec(_ profile: SignatureProfile) -> SigningRule {
        SigningRule(scheme: profile.scheme, encoding: profile.encoding)
    }

    /// Scheme and encoding.
    public var profile: SignatureProfile { SignatureProfile(scheme: scheme, encoding: encoding) }

    /// Every reading `detect` tries: both encodings, both keys; url-params with five URL forms and seven parameter
    /// forms, json-body with three body forms.
    public static let detectable: [SigningRule] = {
        var rules: [SigningRule] = []
        for encoding in SignatureEncoding.allCases {
            for key in Key.allCases {
                for url in [URLForm.configured, .hostHTTP, .hostHTTPS, .withoutQuery, .togglePort] {
                    for parameters in Parameters.detectable {
                        rules.append(SigningRule(encoding: encoding, key: key, url: url, parameters: parameters))
                    }
                }
                for body in [Body.raw, .urlThenBody, .trimmed] {
                    rules.append(SigningRule(scheme: .jsonBody, encoding: encoding, key: key, body: body))
                }
            }
        }
        return rules
    }()

    /// How this reading departs from SPEC.md's under its scheme (empty for SPEC.md's).
    public var deviations: [String] {
        var list: [String] = []
        if key != .configured { list.append("keyed with \(key.rawValue)") }
        switch scheme {
        case .urlParameters:
            if url != .configured { list.append("URL: \(url.rawValue)") }
            if parameters != .sorted { list.append("parameters: \(parameters.description)") }
        case .jsonBody:
            if body != .raw { list.append("signed: \(body.rawValue)") }
        }
        return list
    }

    /// Whether this is SPEC.md's rule for its profile.
    public var isSpec: Bool { deviations.isEmpty }

    /// Whether the two rules sign the same bytes with the same key for every delivery, reading only what this
    /// rule's scheme reads (a URL form does not matter under json-body).
    /// - Parameter other: Another rule.
    /// - Returns: Whether they are the same reading.
    public func isEquivalent(to other: SigningRule) -> Bool {
        guard scheme == other.scheme, encoding == other.encoding, key == other.key else { return false }
        switch scheme {
        case .urlParameters: return url == other.url && parameters == other.parameters
        case .jsonBody: return body == other.body && (body != .urlThenBody || url == other.url)
        }
    }

    public var description: String {
        ([scheme.rawValue, encoding.rawValue] + deviations).joined(separator: ", ")
    }

    /// The bytes this reading signs for a delivery.
    /// - Parameter message: The delivery as received.
    /// - Returns: The signing input.
    /// - Throws: `SigningInputError` when the body cannot be read this way, or the URL cannot be formed.
    public func signingInput(of message: SignedMessage) throws(SigningInputError) -> [UInt8] {
        switch scheme {
        case .jsonBody:
            switch body {
            case .raw: return message.body
            case .urlThenBody: return Array(try message.url(url).utf8) + message.body
            case .trimmed:
                var end = message.body.count
                while end > 0 && [0x20, 0x09, 0x0A, 0x0D].contains(message.body[end - 1]) { end -= 1 }
                return Array(message.body[..<end])
            case .reserialised: return try message.reserialisedBody()
            }
        case .urlParameters:
            var input = Array(try message.url(url).utf8)
            if parameters.join == .urlOnly { return input }
            var list = try message.parameters(parameters.values)
            if let limit = parameters.limit { list = Array(list.prefix(limit)) }
            switch parameters.order {
            case .bodyOrder:
                break
            case .bytes:
                list.sort { lhs, rhs in
                    lhs.name == rhs.name
                        ? lhs.value.lexicographicallyPrecedes(rhs.value) : lhs.name.lexicographicallyPrecedes(rhs.name)
                }
            case .caseInsensitive:
                // Stable, so names equal but for case keep their body order.
                list = list.enumerated().sorted { lhs, rhs in
                    let (left, right) = (ASCII.lowercased(lhs.element.name), ASCII.lowercased(rhs.element.name))
                    return left == right ? lhs.offset < rhs.offset : left.lexicographicallyPrecedes(right)
                }.map(\.element)
            case .utf16:
                list.sort { lhs, rhs in
                    let (left, right) = (
                        String(decoding: lhs.name, as: UTF8.self), String(decoding: rhs.name, as: UTF8.self)
                    )
                    return left == right
                        ? lhs.value.lexicographicallyPrecedes(rhs.value)
                        : left.utf16.lexicographicallyPrecedes(right.utf16)
                }
            }
            switch parameters.join {
            case .nameValue, .urlOnly:
                for parameter in list { input += parameter.name + parameter.value }
            case .valuesOnly:
                for parameter in list { input += parameter.value }
            case .nameEqualsValue:
                for (index, parameter) in list.enumerated() {
                    if index > 0 { input.append(UInt8(ascii: "&")) }
                    input += parameter.name + [UInt8(ascii: "=")] + parameter.value
                }
            }
            return input
        }
    }

    /// The key this reading uses: the configured one, or the body's `projectId` (`nil` when it has none).
    /// - Parameters:
    ///   - message: The delivery.
    ///   - configured: The configured projectId's bytes.
    /// - Returns: The key bytes.
    public func key(of message: SignedMessage, configured: [UInt8]) -> [UInt8]? {
        switch key {
        case .configured: configured
        case .body: message.bodyProjectID().map { Array($0.utf8) }
        }
    }

    /// The header value this reading produces for a delivery, `nil` when it cannot read it.
    /// - Parameters:
    ///   - message: The delivery.
    ///   - configuredKey: The configured projectId's bytes.
    /// - Returns: The encoded HMAC.
    public func signature(of message: SignedMessage, configuredKey: [UInt8]) -> String? {
        guard let key = key(of: message, configured: configuredKey),
            let input = try? signingInput(of: message)
        else { return nil }
        return encoding.encode(HMACSHA1(key: key).authenticationCode(for: input))
    }

    /// The URL a receiver checks signatures against (SPEC.md R10.2): the public URL as configured in PushPushGo up
    /// to its query, then the query exactly as it arrived. Without a public URL, an absolute-form request-target as
    /// it arrived (RFC 9112 §3.2.2), else `http://` + `Host` + the request-target.
    /// - Parameters:
    ///   - publicURL: The webhook URL as configured in PushPushGo, if the receiver knows it.
    ///   - target: The request-target as received.
    ///   - host: The `Host` header's value, if any.
    /// - Returns: The URL text to sign.
    public static func signedURL(publicURL: String?, target: String, host: String?) -> String {
        let query = target.firstIndex(of: "?").map { String(target[$0...]) } ?? ""
        if let publicURL {
            return (RawURL(publicURL)?.withoutQuery.description ?? publicURL) + query
        }
        if RawURL.isAbsoluteForm(target) { return target }
        return "http://" + (host ?? "localhost") + target
    }
}

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
        let base = configured?.withoutQuery.description ?? configuredURL
        let query = configured?.query
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
            guard case .object(let members) = value.kind else {
                throw SigningInputError(
                    kind: .notAnObject, offset: value.span.lowerBound,
                    message: "body is a JSON \(value.typeName), not an object")
            }
            list = members.compactMap { member in
                let raw = Array(body[member.value.span])
                switch (member.value.kind, values) {
                case (.null, .rawText), (.null, .nullAsText): return SigningParameter(name: member.name, value: raw)
                case (.null, _): return nil
                case (.string, .rawText): return SigningParameter(name: member.name, value: raw)
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

    /// The body as a typical JSON library writes it back: compact, minimal escapes, numbers through doubles.
    func reserialisedBody() throws(SigningInputError) -> [UInt8] {
        let value = try json()
        func convert(_ value: JSONValue) -> JSONOutput {
            switch value.kind {
            case .object(let members): .object(members.map { ($0.nameString, convert($0.value)) })
            case .array(let elements): .array(elements.map(convert))
            case .string(let bytes): .string(String(decoding: bytes, as: UTF8.self))
            case .number: .number(Self.throughDouble(String(decoding: body[value.span], as: UTF8.self)))
            case .bool(let flag): .bool(flag)
            case .null: .null
            }
        }
        return Array(convert(value).rendered(pretty: false).utf8)
    }

    private func json() throws(SigningInputError) -> JSONValue {
        if let parsed { return try parsed.get() }
        let result: Result<JSONValue, SigningInputError>
        do {
            result = .success(try JSONParser.parse(body))
        } catch {
            result = .failure(
                SigningInputError(
                    kind: .malformedJSON, offset: error.offset, message: "body is not JSON: \(error.message)"))
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
