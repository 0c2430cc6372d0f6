import PPGSignature
import PPGWire

/// Where a vector comes from.
public enum Provenance: String, Sendable, Codable, CaseIterable {
    /// Derived from the documented rule as SPEC.md reads it.
    case derived
    /// Taken from a third party's published tests; `source` names them.
    case published
    /// A real PushPushGo delivery.
    case captured
}

/// What a conforming verifier must do with a signature vector.
public enum SignatureResult: String, Sendable, Codable, CaseIterable {
    /// Must accept.
    case valid
    /// Must reject.
    case invalid
    /// Either answer conforms; the vector's flags say why.
    case acceptable
}

/// How binding a receiver vector is.
public enum VectorLevel: String, Sendable, Codable, CaseIterable {
    /// A failure fails the run.
    case required
    /// A failure is a warning unless `--strict`.
    case recommended
}

/// What a receiver must answer to a delivery.
public enum ExpectedVerdict: String, Sendable, Codable, CaseIterable {
    /// A 2xx.
    case accept
    /// A 4xx.
    case reject
    /// Either, but never a 5xx.
    case either
}

/// The corpus manifest, `manifest.json` at the top of a corpus directory.
public struct Manifest: Sendable, Codable {
    /// The file format; this loader reads format 1.
    public var format: Int
    /// The corpus version (semver), bumped in CHANGELOG.md with every vector or reading change.
    public var version: String
    /// One paragraph about the corpus.
    public var description: String
    /// Every flag a vector may carry, with what bug it catches.
    public var notes: [String: String]
    /// Every vector file of the corpus, by path relative to the corpus directory: a file missing, unreadable or
    /// not listed is an error, so a damaged corpus never loads as a smaller one.
    public var files: [String]
}

/// A digest vector: the SHA-1 primitive on its own (FIPS 180-4 examples).
public struct DigestVector: Sendable, Codable {
    /// The stable id, `category/name`.
    public var id: String
    /// What the vector checks.
    public var comment: String
    /// Flags from the manifest's notes: the bugs this catches.
    public var flags: [String]
    /// Where the vector comes from.
    public var provenance: Provenance
    /// Where a published or captured vector comes from.
    public var source: String?
    /// The message as text, repeated `repeat` times (default once).
    public var message: String?
    /// The message bytes in base64, when they are not text.
    public var messageBase64: String?
    /// How many times the message repeats (default once).
    public var `repeat`: Int?
    /// The SHA-1 digest, lowercase hex.
    public var digest: String
}

/// A signature vector: fixed bytes any library can check, in the manner of Wycheproof.
public struct SignatureVector: Sendable, Codable {
    /// The stable id, `category/name`.
    public var id: String
    /// What the vector checks.
    public var comment: String
    /// Flags from the manifest's notes: the bugs this catches.
    public var flags: [String]
    /// Where the vector comes from.
    public var provenance: Provenance
    /// Where a published or captured vector comes from.
    public var source: String?
    /// Which bytes are signed.
    public var scheme: SignatureScheme
    /// How the signature is written.
    public var encoding: SignatureEncoding
    /// The key as UTF-8 text: the projectId.
    public var key: String?
    /// The key as hex bytes, for binary keys such as RFC 2202's.
    public var keyHex: String?
    /// The request method.
    public var method: String
    /// The webhook URL as configured, with the delivery's query.
    public var url: String
    /// The `Content-Type` header value, if the request has one.
    public var contentType: String?
    /// The body as text.
    public var body: String?
    /// The body bytes in base64, when they are not UTF-8.
    public var bodyBase64: String?
    /// The bytes signed, as text.
    public var signingInput: String?
    /// The bytes signed in base64, when they are not UTF-8.
    public var signingInputBase64: String?
    /// The `X-PPG-Signature` value presented.
    public var signature: String
    /// What a conforming verifier must do with it.
    public var result: SignatureResult
}

/// A receiver vector: a template that becomes one or more real HTTP deliveries.
public struct ReceiverVector: Sendable, Codable {
    /// The stable id, `category/name`.
    public var id: String
    /// What the vector checks.
    public var comment: String
    /// Flags from the manifest's notes: the bugs this catches.
    public var flags: [String]
    /// Where the vector comes from.
    public var provenance: Provenance
    /// Where a published or captured vector comes from.
    public var source: String?
    /// How binding the vector is.
    public var level: VectorLevel
    /// Only under these schemes; all when absent.
    public var schemes: [SignatureScheme]?
    /// Only under these encodings; all when absent.
    public var encodings: [SignatureEncoding]?
    /// The request template.
    public var request: RequestTemplate
    /// How the signature header is produced; a valid signature when absent.
    public var signature: SignatureDirective?
    /// What the receiver must answer.
    public var expect: ExpectedVerdict
    /// Further deliveries on the same keep-alive connection, each with its own expectation.
    public var followUps: [DeliveryStep]?
    /// Statuses that also conform for this delivery besides the expectation, each allowed by an RFC for this
    /// request (501 for a method the server does not implement, 411 for a chunked body, …); said in the comment.
    public var alsoAllowed: [Int]?

    /// Creates a receiver vector.
    public init(
        id: String, comment: String, flags: [String] = [], provenance: Provenance = .derived,
        source: String? = nil, level: VectorLevel = .required, schemes: [SignatureScheme]? = nil,
        encodings: [SignatureEncoding]? = nil, request: RequestTemplate, signature: SignatureDirective? = nil,
        expect: ExpectedVerdict, followUps: [DeliveryStep]? = nil
    ) {
        self.id = id
        self.comment = comment
        self.flags = flags
        self.provenance = provenance
        self.source = source
        self.level = level
        self.schemes = schemes
        self.encodings = encodings
        self.request = request
        self.signature = signature
        self.expect = expect
        self.followUps = followUps
    }
}

/// One further delivery of a receiver vector.
public struct DeliveryStep: Sendable, Codable {
    /// The request template.
    public var request: RequestTemplate
    /// How the signature header is produced; a valid signature when absent.
    public var signature: SignatureDirective?
    /// What the receiver must answer.
    public var expect: ExpectedVerdict
    /// Statuses that also conform for this delivery, as for a vector's own.
    public var alsoAllowed: [Int]?

    /// Creates a step.
    public init(request: RequestTemplate, signature: SignatureDirective? = nil, expect: ExpectedVerdict) {
        self.request = request
        self.signature = signature
        self.expect = expect
    }
}

/// The request of a receiver vector, before it is signed for a receiver.
public struct RequestTemplate: Sendable, Codable {
    /// The method; POST when absent.
    public var method: String?
    /// Text after `?` appended to the receiver's URL; `""` sends a bare `?`; absent sends no `?`.
    public var query: String?
    /// Header fields in order, case kept, as `[name, value]`; `[["Content-Type", "application/json"]]` when absent.
    /// Host, Content-Length and X-PPG-Signature are added unless listed.
    public var headers: [[String]]?
    /// The body bytes.
    public var body: BodyTemplate?
    /// Send the body with `Transfer-Encoding: chunked` instead of `Content-Length`.
    public var chunked: Bool?
    /// A request-target other than the receiver's path: the same delivery as the sender can aim it.
    public var target: TargetChange?

    /// Creates a request template.
    public init(
        method: String? = nil, query: String? = nil, headers: [[String]]? = nil, body: BodyTemplate? = nil,
        chunked: Bool? = nil
    ) {
        self.method = method
        self.query = query
        self.headers = headers
        self.body = body
        self.chunked = chunked
    }
}

/// How a delivery's request-target departs from the receiver's URL. The signed URL stays the configured one.
public struct TargetChange: Sendable, Codable {
    /// Absolute-form (RFC 9112 §3.2.2): `scheme://authority` written before the path and query on the request line.
    public var absolute: String?
    /// The path as sent: `trailing-slash`, `uppercase`, `dot-segment` (`/./` before the last segment),
    /// `percent-encoded` (the last segment's first letter as `%XX`), `double-slash` (`//` before the last segment),
    /// or a literal path starting with `/`.
    public var path: String?

    /// The path transformations by name.
    public static let pathForms = ["trailing-slash", "uppercase", "dot-segment", "percent-encoded", "double-slash"]

    /// Creates a change that changes nothing yet.
    public init() {}
}

/// A body: exactly one of the members. Text may hold `{{projectId}}` (the receiver's projectId) and
/// `{{fill:N}}` (N bytes of `x`).
public struct BodyTemplate: Sendable, Codable {
    /// The body as text, placeholders allowed.
    public var text: String?
    /// The body's exact bytes in base64.
    public var base64: String?
    /// JSON members, serialised compactly in the order written; strings may hold the placeholders.
    public var json: JSONObjectTemplate?

    /// Creates a body template; give exactly one of the three.
    public init(text: String? = nil, base64: String? = nil, json: JSONObjectTemplate? = nil) {
        self.text = text
        self.base64 = base64
        self.json = json
    }
}

/// How the `X-PPG-Signature` header of a delivery is produced.
public struct SignatureDirective: Sendable, Codable {
    /// The ways of producing the header; vectors/README.md describes each.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case valid, missing, empty, literal, truncate, extend, flip, uppercase
        case otherEncoding = "other-encoding"
        case prefix, whitespace, duplicate
        case otherKey = "other-key"
        case bodyProjectId = "body-project-id"
        case otherURL = "other-url"
        case otherBody = "other-body"
    }

    /// What kind it is.
    public var kind: Kind
    /// literal: the value; prefix: the text before; whitespace: the text around; extend: the text after;
    /// other-key: the key; other-body: the body that was signed.
    public var value: String?
    /// truncate: characters kept; flip: index of the character changed.
    public var count: Int?
    /// duplicate: `valid-first` or `invalid-first`.
    public var order: String?
    /// other-url: the parts of the signed URL that differ from the receiver's.
    public var url: URLChange?
    /// The header name as sent; `X-PPG-Signature` when absent.
    public var header: String?

    /// Creates a directive with no arguments yet.
    /// - Parameter kind: How the header is produced.
    public init(kind: Kind) {
        self.kind = kind
    }
}

/// Parts of the signed URL replaced for an `other-url` directive.
public struct URLChange: Sendable, Codable {
    /// Which bytes are signed.
    public var scheme: String?
    /// The host: a name, an IPv4 address or a bracketed IPv6 address.
    public var host: String?
    /// `""` removes the port; digits set it.
    public var port: String?
    /// The file's path.
    public var path: String?
    /// The query after `?`; `""` a bare `?`.
    public var query: String?
    /// Remove the query altogether.
    public var dropQuery: Bool?

    /// Creates a change that changes nothing yet.
    public init() {}
}

/// A JSON object whose members keep the order they were written in.
public struct JSONObjectTemplate: Sendable, Codable {
    /// The members, in order.
    public var members: [(String, JSONOutput)]

    /// Creates an object template.
    /// - Parameter members: The members, in order.
    public init(members: [(String, JSONOutput)]) {
        self.members = members
    }

    public init(from decoder: any Decoder) throws {
        let value = try JSONOutput(from: decoder)
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch(
                JSONObjectTemplate.self, .init(codingPath: decoder.codingPath, debugDescription: "expected an object"))
        }
        self.members = members
    }

    public func encode(to encoder: any Encoder) throws {
        try JSONOutput.object(members).encode(to: encoder)
    }
}

extension JSONOutput: Codable {
    public init(from decoder: any Decoder) throws {
        if let tree = decoder as? TreeDecoder {
            self = tree.value.output(source: tree.context.source)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let flag = try? single.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? single.decode(Double.self) {
            self = .number(String(number))
        } else if let text = try? single.decode(String.self) {
            self = .string(text)
        } else if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONOutput] = []
            while !array.isAtEnd { elements.append(try array.decode(JSONOutput.self)) }
            self = .array(elements)
        } else {
            let object = try decoder.container(keyedBy: TreeKey.self)
            self = .object(try object.allKeys.map { ($0.stringValue, try object.decode(JSONOutput.self, forKey: $0)) })
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let members):
            var container = encoder.container(keyedBy: TreeKey.self)
            for (name, value) in members { try container.encode(value, forKey: TreeKey(stringValue: name)) }
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .string(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .number(let text):
            var container = encoder.singleValueContainer()
            try container.encode(Double(text) ?? 0)
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        }
    }
}
