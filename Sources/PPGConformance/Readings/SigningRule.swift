import PPGSignature
import PPGWire

/// One reading of the `X-PPG-Signature` rule: which bytes are signed, with which key, written how.
///
/// SPEC.md's rule is one value per profile (`SigningRule.spec(_:)`), whose signing input is `SigningInput.make`'s;
/// the reference verifier, the reference receiver, `detect` (which tries `detectable`), the mutant receivers whose
/// bug is a wrong reading, and the diagnosis all compute signing inputs through `signingInput(of:)`, so a reading is
/// written once.
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
        case forwardedProto = "X-Forwarded-Proto (else the receiver's own scheme) + Host header + request-target"
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
        /// As `decoded`, but string values HTML-escaped (`&`, `<`, `>`, `"`, `'` as entities), as a global input
        /// sanitiser leaves them before the handler reads them.
        case htmlEscaped
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
        /// String values HTML-escaped.
        public static let htmlEscaped = Parameters(values: .htmlEscaped)

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
                case .htmlEscaped: " with string values HTML-escaped"
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
        case reserialised = "the body parsed and written back"
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
    /// How a re-serialised body is written (`body == .reserialised`): which library, which options.
    public var style: JSONStyle = .javascript

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
            if body == .reserialised {
                list.append("signed: the body as \(style.rawValue) writes it back (\(style.effect))")
            } else if body != .raw {
                list.append("signed: \(body.rawValue)")
            }
        }
        return list
    }

    /// Whether this is SPEC.md's rule for its profile.
    public var isSpec: Bool { deviations.isEmpty }

    /// Whether this reading signs SPEC.md's bytes for its scheme (whatever its key).
    var signsAsSpec: Bool {
        switch scheme {
        case .urlParameters: url == .configured && parameters == .sorted
        case .jsonBody: body == .raw
        }
    }

    /// Whether the two rules sign the same bytes with the same key for every delivery, reading only what this
    /// rule's scheme reads (a URL form does not matter under json-body).
    /// - Parameter other: Another rule.
    /// - Returns: Whether they are the same reading.
    public func isEquivalent(to other: SigningRule) -> Bool {
        guard scheme == other.scheme, encoding == other.encoding, key == other.key else { return false }
        switch scheme {
        case .urlParameters: return url == other.url && parameters == other.parameters
        case .jsonBody:
            return body == other.body && (body != .urlThenBody || url == other.url)
                && (body != .reserialised || style == other.style)
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
        if signsAsSpec {
            // SPEC.md's reading is SigningInput's rule itself, not a second composition of its steps.
            // The message's parameters are R5.1–R5.4 read once and cached for every reading of the delivery.
            return try SigningInput.make(scheme: scheme, url: message.configuredURL.utf8, body: message.body) {
                () throws(SigningInputError) in try message.parameters(.decoded)
            }
        }
        switch scheme {
        case .jsonBody:
            switch body {
            case .raw: return message.body
            case .urlThenBody: return Array(try message.url(url).utf8) + message.body
            case .trimmed:
                var end = message.body.count
                while end > 0 && [0x20, 0x09, 0x0A, 0x0D].contains(message.body[end - 1]) { end -= 1 }
                return Array(message.body[..<end])
            case .reserialised: return try message.reserialisedBody(style)
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
                list = SigningInput.sorted(list)
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
                SigningInput.append(list, to: &input)
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
}
