import PPGSignature
import PPGWire

/// Where and how a receiver is tested: what it is configured with and where deliveries are sent.
public struct ReceiverConfiguration: Sendable {
    /// The projectId the receiver is configured with: the key of valid signatures.
    public var projectID: String
    /// Where deliveries are sent.
    public var targetURL: RawURL
    /// The URL configured in PushPushGo, which url-params signatures cover; often the target URL itself.
    public var publicURL: RawURL
    /// Scheme and encoding.
    public var profile: SignatureProfile

    /// Creates a configuration.
    /// - Parameters:
    ///   - projectID: The receiver's projectId.
    ///   - targetURL: Where deliveries are sent.
    ///   - publicURL: The URL configured in PushPushGo; the target URL when `nil`.
    ///   - profile: Scheme and encoding.
    public init(projectID: String, targetURL: RawURL, publicURL: RawURL? = nil, profile: SignatureProfile) {
        self.projectID = projectID
        self.targetURL = targetURL
        self.publicURL = publicURL ?? targetURL
        self.profile = profile
    }
}

/// One concrete HTTP delivery made from a receiver vector.
public struct Delivery: Sendable {
    /// The vector concerned, when there is one.
    public var vectorID: String
    /// 0 for the vector's own request, then 1, 2, … for its follow-ups on the same connection.
    public var step: Int
    /// The request as the harness sends it: Host and Content-Length are added by the sender unless its fields
    /// carry them; its request-target is `url`'s origin-form, or an absolute-form target where the vector asks.
    public var request: HTTPRequest
    /// The URL the request is sent to, with the vector's query.
    public var url: RawURL
    /// The URL a correct receiver reconstructs and verifies: the public URL with the vector's query.
    public var signedURL: String
    /// Whether the body goes out chunked.
    public var chunked: Bool
    /// What the receiver must answer.
    public var expect: ExpectedVerdict
    /// How the signature header was produced; `valid` for a correct signature.
    public var signatureKind: SignatureDirective.Kind
    /// Set when the vector cannot test anything against this receiver, e.g. an `other-url` change that leaves
    /// this receiver's URL as it is; the runner skips the vector with this reason.
    public var notApplicable: String?
    /// What was signed, for failure reports.
    public var signing: DeliverySigning = DeliverySigning(specInput: [], departure: nil, signedInput: nil)
    /// Statuses that also conform besides `expect` (the vector's `alsoAllowed`).
    public var alsoAllowed: [Int] = []

    /// Whether the request-target is not `url`'s origin-form (an absolute-form target).
    public var hasOtherTarget: Bool { request.target != url.requestTarget }

    /// The request as a receiver reads it off the wire: with the `Host` field an HTTP client adds when the vector
    /// sets none. In-process targets hand this to the receiver.
    /// - Parameter authority: The authority the delivery is addressed to (`host[:port]`).
    /// - Returns: The request.
    public func requestAsReceived(authority: String) -> HTTPRequest {
        var received = request
        if !received.headers.contains("Host") {
            received.headers.insert(HTTPField(name: "Host", value: authority), at: 0)
        }
        return received
    }
}

/// How a delivery's signature header was made: the bytes SPEC.md's reading signs for it (what a correct receiver
/// computes), and for a must-reject delivery how the header departs from that signature.
public struct DeliverySigning: Sendable {
    /// The signing input under SPEC.md's reading over the configured URL (the URL alone where url-params cannot
    /// read the body).
    public var specInput: [UInt8]
    /// How the header value departs from SPEC.md's signature over `specInput`, in words; `nil` when it is that
    /// signature.
    public var departure: String?
    /// The bytes the header was signed over when they are not `specInput` (another URL or body).
    public var signedInput: [UInt8]?
}

extension ReceiverVector {
    /// Why this vector does not apply under a profile, or `nil` when it does.
    /// - Parameter profile: The run's profile.
    /// - Returns: A skip reason.
    public func skipReason(for profile: SignatureProfile) -> String? {
        if let schemes, !schemes.contains(profile.scheme) {
            return "only for scheme " + schemes.map(\.rawValue).joined(separator: ", ")
        }
        if let encodings, !encodings.contains(profile.encoding) {
            return "only for encoding " + encodings.map(\.rawValue).joined(separator: ", ")
        }
        return nil
    }

    /// The deliveries of this vector for a receiver: its own request, then its follow-ups.
    /// - Parameter configuration: The receiver's configuration.
    /// - Returns: The deliveries, in the order they are sent on one connection.
    /// - Throws: `Placeholders.Failure` for a bad template (the loader already rejects those).
    public func deliveries(for configuration: ReceiverConfiguration) throws(Placeholders.Failure) -> [Delivery] {
        var first = try DeliveryBuilder.make(
            id: id, step: 0, request: request, directive: signature, expect: expect, configuration: configuration)
        first.alsoAllowed = alsoAllowed ?? []
        var result = [first]
        for (offset, followUp) in (followUps ?? []).enumerated() {
            var next = try DeliveryBuilder.make(
                id: id, step: offset + 1, request: followUp.request, directive: followUp.signature,
                expect: followUp.expect, configuration: configuration)
            next.alsoAllowed = followUp.alsoAllowed ?? []
            result.append(next)
        }
        return result
    }
}

enum DeliveryBuilder {
    static let defaultHeaders: HTTPFields = [(name: "Content-Type", value: "application/json")]

    static func make(
        id: String, step: Int, request: RequestTemplate, directive: SignatureDirective?,
        expect: ExpectedVerdict, configuration: ReceiverConfiguration
    ) throws(Placeholders.Failure)
        -> Delivery
    {
        let projectID = configuration.projectID
        let body = try bodyBytes(request.body, projectID: projectID)
        var headers = defaultHeaders
        if let listed = request.headers {
            headers = []
            for pair in listed {
                let value = try Placeholders.expand(pair[1], projectID: projectID, publicURL: configuration.publicURL)
                headers.append(name: pair[0], value: String(decoding: value, as: UTF8.self))
            }
        }
        let contentType = headers.contentType
        let signedURL = configuration.publicURL.appendingQuery(request.query)
        let directive = directive ?? SignatureDirective(kind: .valid)
        // SPEC's signing input of this delivery, computed once: the signature values and the report both start there.
        let specInput = signingInput(
            scheme: configuration.profile.scheme, url: signedURL.description, body: body, contentType: contentType)
        let values = try signatureValues(
            directive, url: signedURL, body: body, contentType: contentType, specInput: specInput,
            configuration: configuration)
        var notApplicable: String?
        if directive.kind == .otherURL, changed(signedURL, directive.url) == signedURL {
            notApplicable = "the URL change leaves \(signedURL) as it is"
        }
        let name = directive.header ?? signatureHeaderName
        headers += values.map { HTTPField(name: name, value: $0) }
        var sentTo = configuration.targetURL.appendingQuery(request.query)
        if let path = request.target?.path { sentTo.path = changedPath(sentTo.path, path) }
        let target = (request.target?.absolute ?? "") + sentTo.requestTarget
        var delivery = Delivery(
            vectorID: id, step: step,
            request: HTTPRequest(method: request.method ?? "POST", target: target, headers: headers, body: body),
            url: sentTo, signedURL: signedURL.description, chunked: request.chunked ?? false, expect: expect,
            signatureKind: directive.kind, notApplicable: notApplicable)
        delivery.signing = try signing(
            directive, url: signedURL, body: body, contentType: contentType, specInput: specInput,
            configuration: configuration)
        return delivery
    }

    /// What was signed and how the header departs from SPEC.md's signature, for failure reports.
    static func signing(
        _ directive: SignatureDirective, url: RawURL, body: [UInt8], contentType: String?, specInput spec: [UInt8],
        configuration: ReceiverConfiguration
    ) throws(Placeholders.Failure) -> DeliverySigning {
        let profile = configuration.profile
        let other: SignatureEncoding = profile.encoding == .hex ? .base64 : .hex
        var signedInput: [UInt8]?
        let departure: String?
        switch directive.kind {
        case .valid: departure = nil
        case .missing: departure = "no header sent"
        case .empty: departure = "an empty value"
        case .literal: departure = "a fixed value, '\(directive.value ?? "")'"
        case .truncate: departure = "the valid value cut to its first \(directive.count ?? 0) characters"
        case .extend: departure = "the valid value followed by '\(directive.value ?? "")'"
        case .flip: departure = "the valid value with character \(directive.count ?? 0) changed"
        case .uppercase: departure = "the valid value in upper case"
        case .otherEncoding: departure = "the valid HMAC written in \(other.rawValue), not \(profile.encoding.rawValue)"
        case .prefix: departure = "the valid value after '\(directive.value ?? "")'"
        case .whitespace: departure = "the valid value inside '\(directive.value ?? "")'"
        case .duplicate:
            departure =
                directive.order == "invalid-first"
                ? "two headers: a wrong value, then the valid one" : "two headers: the valid value, then a wrong one"
        case .otherKey:
            departure = "SPEC.md's reading keyed with '\(directive.value ?? "")' instead of the configured projectId"
        case .bodyProjectId:
            departure = "SPEC.md's reading keyed with the body's projectId instead of the configured one"
        case .otherURL:
            let changedURL = changed(url, directive.url).description
            signedInput = signingInput(scheme: profile.scheme, url: changedURL, body: body, contentType: contentType)
            departure = "SPEC.md's reading over another URL, \(changedURL), not the configured \(url)"
        case .otherBody:
            let signedBody = try Placeholders.expand(directive.value ?? "", projectID: configuration.projectID)
            signedInput = signingInput(
                scheme: profile.scheme, url: url.description, body: signedBody, contentType: contentType)
            departure = "SPEC.md's reading over another body than the one sent"
        }
        return DeliverySigning(specInput: spec, departure: departure, signedInput: signedInput)
    }

    static func bodyBytes(_ template: BodyTemplate?, projectID: String) throws(Placeholders.Failure) -> [UInt8] {
        guard let template else { return [] }
        if let text = template.text { return try Placeholders.expand(text, projectID: projectID) }
        if let base64 = template.base64 { return Base64.decode(base64) ?? [] }
        if let json = template.json {
            return try Placeholders.expand(
                JSONOutput.object(json.members).rendered(pretty: false), projectID: projectID)
        }
        return []
    }

    /// The signing input the harness uses; where url-params cannot read the body, the URL alone, which is the
    /// closest thing to a valid signature such a delivery can carry (SPEC.md R10.3).
    static func signingInput(scheme: SignatureScheme, url: String, body: [UInt8], contentType: String?) -> [UInt8] {
        (try? SigningInput.make(scheme: scheme, url: url.utf8, body: body, contentType: contentType)) ?? Array(url.utf8)
    }

    static func signatureValues(
        _ directive: SignatureDirective, url: RawURL, body: [UInt8], contentType: String?, specInput: [UInt8],
        configuration: ReceiverConfiguration
    ) throws(Placeholders.Failure) -> [String] {
        let profile = configuration.profile
        func sign(key: String, url: String, body: [UInt8]) -> String {
            Signer(projectID: key, profile: profile)
                .signature(
                    forSigningInput: signingInput(
                        scheme: profile.scheme, url: url, body: body,
                        contentType: contentType))
        }
        let valid = Signer(projectID: configuration.projectID, profile: profile).signature(forSigningInput: specInput)
        switch directive.kind {
        case .valid: return [valid]
        case .missing: return []
        case .empty: return [""]
        case .literal: return [directive.value ?? ""]
        case .truncate: return [String(valid.prefix(max(0, directive.count ?? 0)))]
        case .extend: return [valid + (directive.value ?? "")]
        case .flip: return [flipped(valid, at: directive.count ?? 0, encoding: profile.encoding)]
        case .uppercase: return [valid.uppercased()]
        case .otherEncoding:
            let other: SignatureEncoding = profile.encoding == .hex ? .base64 : .hex
            return [other.encode(HMACSHA1(key: configuration.projectID).authenticationCode(for: specInput))]
        case .prefix: return [(directive.value ?? "") + valid]
        case .whitespace: return [(directive.value ?? "") + valid + (directive.value ?? "")]
        case .duplicate:
            let invalid = directive.value ?? flipped(valid, at: 0, encoding: profile.encoding)
            return directive.order == "invalid-first" ? [invalid, valid] : [valid, invalid]
        case .otherKey: return [sign(key: directive.value ?? "", url: url.description, body: body)]
        case .bodyProjectId:
            return [sign(key: jsonStringMember("projectId", in: body) ?? "", url: url.description, body: body)]
        case .otherURL:
            return [sign(key: configuration.projectID, url: changed(url, directive.url).description, body: body)]
        case .otherBody:
            let signedBody = try Placeholders.expand(directive.value ?? "", projectID: configuration.projectID)
            return [sign(key: configuration.projectID, url: url.description, body: signedBody)]
        }
    }

    /// The signature with one character replaced by the next in its alphabet.
    static func flipped(_ signature: String, at index: Int, encoding: SignatureEncoding) -> String {
        var characters = Array(signature.utf8)
        guard characters.indices.contains(index) else { return signature }
        let alphabet = Array(
            (encoding == .hex ? "0123456789abcdef" : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                .utf8)
        if let position = alphabet.firstIndex(of: characters[index]) {
            characters[index] = alphabet[(position + 1) % alphabet.count]
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// The path a request is sent to after a `target.path` change (the signed URL keeps the configured path).
    static func changedPath(_ path: String, _ form: String) -> String {
        let base = path.isEmpty ? "/" : path
        let lastSlash = base.lastIndex(of: "/") ?? base.startIndex
        let head = base[..<lastSlash]
        let last = base[base.index(after: lastSlash)...]
        switch form {
        case "trailing-slash": return base.hasSuffix("/") ? String(base.dropLast()) : base + "/"
        case "uppercase": return base.uppercased()
        case "dot-segment": return head + "/." + "/" + last
        case "double-slash": return head + "//" + last
        case "percent-encoded":
            guard let first = last.utf8.first else { return base }
            let hex = Array("0123456789ABCDEF")
            return head + "/%" + String(hex[Int(first >> 4)]) + String(hex[Int(first & 0x0F)]) + last.dropFirst()
        default: return form
        }
    }

    /// The signed URL after an `other-url` change. Besides literal values: scheme `swap` (http ↔ https), host
    /// `uppercase`, port `default` (the scheme's default port written out, or removed if one is written) and path
    /// `trailing-slash` (added, or removed if present).
    static func changed(_ url: RawURL, _ change: URLChange?) -> RawURL {
        guard let change else { return url }
        var copy = url
        switch change.scheme {
        case nil: break
        case "swap": copy.scheme = url.otherScheme
        case let scheme?: copy.scheme = scheme
        }
        switch change.host {
        case nil: break
        case "uppercase": copy.host = url.host.uppercased()
        case let host?: copy.host = host
        }
        switch change.port {
        case nil: break
        case "default": copy.port = url.togglingDefaultPort().port
        case let port?: copy.port = port.isEmpty ? nil : port
        }
        switch change.path {
        case nil: break
        case "trailing-slash": copy.path = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path + "/"
        case let path?: copy.path = path
        }
        if let query = change.query { copy.query = query }
        if change.dropQuery == true { copy.query = nil }
        return copy
    }
}
