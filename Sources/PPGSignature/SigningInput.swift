/// Which bytes the HMAC covers. See SPEC.md R4–R6.
import PPGWire

public enum SignatureScheme: String, Sendable, Hashable, CaseIterable, Codable {
    /// The original documented rule (Twilio-style): the full URL, then each POST parameter's name and value in
    /// sorted order, with no separators. The default.
    case urlParameters = "url-params"
    /// The newer documented rule: the request body exactly as received.
    case jsonBody = "json-body"
}

/// A scheme and an encoding: everything a receiver and PushPushGo must agree on besides the key.
public struct SignatureProfile: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which bytes are signed.
    public var scheme: SignatureScheme
    /// How the code is written in the header.
    public var encoding: SignatureEncoding

    /// Creates a profile.
    /// - Parameters:
    ///   - scheme: Which bytes are signed; `url-params` by default.
    ///   - encoding: How the code is written; `hex` by default.
    public init(scheme: SignatureScheme = .urlParameters, encoding: SignatureEncoding = .hex) {
        self.scheme = scheme
        self.encoding = encoding
    }

    /// The profile every command uses unless told otherwise.
    public static let `default` = SignatureProfile()

    /// Every combination of scheme and encoding.
    public static let all: [SignatureProfile] = SignatureScheme.allCases.flatMap { scheme in
        SignatureEncoding.allCases.map { SignatureProfile(scheme: scheme, encoding: $0) }
    }

    public var description: String { "\(scheme.rawValue)/\(encoding.rawValue)" }
}

/// Why a body cannot be turned into url-params parameters.
public struct SigningInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Sendable, Equatable {
        /// The body is not JSON (RFC 8259, UTF-8, no byte order mark).
        case malformedJSON
        /// The body is JSON but not an object, so it has no members to sign.
        case notAnObject
        /// A reading's URL cannot be formed for this delivery (it rebuilds the URL from a `Host` header the
        /// request does not have).
        case urlUnavailable
    }

    /// What went wrong.
    public var kind: Kind
    /// Byte offset in the body where it went wrong.
    public var offset: Int
    /// One line for a person.
    public var message: String

    package init(kind: Kind, offset: Int, message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(message) at byte \(offset)" }
}

/// One POST parameter of the url-params scheme: name and value as the bytes that are signed.
public struct SigningParameter: Sendable, Hashable {
    /// The name's bytes.
    public var name: [UInt8]
    /// The value's bytes.
    public var value: [UInt8]

    /// Creates a parameter.
    /// - Parameters:
    ///   - name: The name's bytes.
    ///   - value: The value's bytes.
    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// Builds the bytes the HMAC covers.
public enum SigningInput {
    /// The signing input of one delivery.
    /// - Parameters:
    ///   - scheme: Which rule to apply.
    ///   - url: The webhook URL as configured in PushPushGo, with the query the delivery carries.
    ///   - body: The request body as sent.
    ///   - contentType: The `Content-Type` header value, if any; `application/x-www-form-urlencoded` selects form
    ///     parameters, anything else (or none) JSON members.
    /// - Returns: The bytes to sign.
    /// - Throws: `SigningInputError` when the url-params scheme cannot read the body.
    public static func make(
        scheme: SignatureScheme, url: some Sequence<UInt8>, body: [UInt8], contentType: String?
    ) throws(SigningInputError) -> [UInt8] {
        try make(scheme: scheme, url: url, body: body) { () throws(SigningInputError) in
            try parameters(body: body, contentType: contentType)
        }
    }

    /// The signing input of one delivery whose parameters (R5.1–R5.4, in body order) the caller has already read:
    /// the rest of the rule — sorting, joining, the URL first — is this one.
    package static func make(
        scheme: SignatureScheme, url: some Sequence<UInt8>, body: [UInt8],
        parameters: () throws(SigningInputError) -> [SigningParameter]
    ) throws(SigningInputError) -> [UInt8] {
        switch scheme {
        case .jsonBody:
            return body
        case .urlParameters:
            var input = Array(url)
            append(sorted(try parameters()), to: &input)
            return input
        }
    }

    /// SPEC.md R5: a url-params body's parameters in body order: form pairs when the `Content-Type` names a form,
    /// else the JSON object's members, strings decoded, `null` left out, anything else as written.
    package static func parameters(
        body: [UInt8], contentType: String?
    ) throws(SigningInputError)
        -> [SigningParameter]
    {
        if body.isEmpty { return [] }
        if isForm(contentType) { return formParameters(body) }
        return try decodedParameters(of: parseBody(body), body: body)
    }

    /// The body parsed as JSON, or the url-params scheme's error for it.
    package static func parseBody(_ body: [UInt8]) throws(SigningInputError) -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw SigningInputError(
                kind: .malformedJSON, offset: error.offset, message: "body is not JSON: \(error.message)")
        }
    }

    /// SPEC.md R5.2–R5.4: an object's members as parameters: strings decoded, `null` left out, anything else as its
    /// JSON text.
    package static func decodedParameters(
        of value: JSONValue, body: [UInt8]
    ) throws(SigningInputError)
        -> [SigningParameter]
    {
        try members(of: value).compactMap { member in
            switch member.value.kind {
            case .null: nil
            case .string(let decoded): SigningParameter(name: member.name, value: decoded)
            default: SigningParameter(name: member.name, value: Array(body[member.value.span]))
            }
        }
    }

    /// An object's members; any other JSON value has none to sign.
    package static func members(of value: JSONValue) throws(SigningInputError) -> [JSONMember] {
        guard case .object(let members) = value.kind else {
            throw SigningInputError(
                kind: .notAnObject, offset: value.span.lowerBound,
                message: "body is a JSON \(value.typeName), not an object")
        }
        return members
    }

    /// SPEC.md R5.5: parameters sorted by name, then by value, comparing bytes.
    package static func sorted(_ parameters: [SigningParameter]) -> [SigningParameter] {
        parameters.sorted { lhs, rhs in
            lhs.name == rhs.name
                ? lhs.value.lexicographicallyPrecedes(rhs.value) : lhs.name.lexicographicallyPrecedes(rhs.name)
        }
    }

    /// SPEC.md R5.6: each parameter's name, then its value, no separators, after the URL.
    package static func append(_ parameters: [SigningParameter], to input: inout [UInt8]) {
        for parameter in parameters { input += parameter.name + parameter.value }
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
        guard let publicURL else { return signedURL(publicURL: RawURL?.none, target: target, host: host) }
        guard let url = RawURL(publicURL) else { return publicURL + query(of: target) }
        return signedURL(publicURL: url, target: target, host: host)
    }

    /// ``signedURL(publicURL:target:host:)`` for a public URL already split (a receiver splits its own once).
    public static func signedURL(publicURL: RawURL?, target: String, host: String?) -> String {
        if let publicURL { return publicURL.withoutQuery.description + query(of: target) }
        if RawURL.isAbsoluteForm(target) { return target }
        return "http://" + (host ?? "localhost") + target
    }

    /// A request-target's query with its `?`, or nothing.
    private static func query(of target: String) -> String {
        target.firstIndex(of: "?").map { String(target[$0...]) } ?? ""
    }

    /// Whether a `Content-Type` value names a form body (media type compared case-insensitively, parameters
    /// ignored).
    package static func isForm(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = ASCII.trimmingWhitespace(Array(contentType.utf8.prefix { $0 != UInt8(ascii: ";") }))
        return ASCII.equalsIgnoringCase(mediaType[...], "application/x-www-form-urlencoded")
    }

    /// `application/x-www-form-urlencoded` pairs, `+` and `%XX` decoded; a malformed escape stays as written and
    /// empty pieces are dropped, as the WHATWG URL standard does.
    package static func formParameters(_ body: [UInt8]) -> [SigningParameter] {
        body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { piece in
            if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
                SigningParameter(
                    name: formDecode(piece[piece.startIndex..<equals]),
                    value: formDecode(piece[(equals + 1)...]))
            } else {
                SigningParameter(name: formDecode(piece[...]), value: [])
            }
        }
    }

    static func formDecode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                let high = Hex.value(bytes[index + 1]), let low = Hex.value(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }
}
