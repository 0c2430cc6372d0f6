import Foundation
import PPGHTTP
import PPGSignature
import PPGVectors

/// One way of reading the documented rule: which bytes are signed, with which key, written how. The reference
/// reading (SPEC.md) is `url-params` or `json-body` with every other choice at its default.
public struct Reading: Sendable, Hashable, CustomStringConvertible {
    /// Where the key comes from.
    public enum Key: String, Sendable, CaseIterable {
        case configured = "configured projectId"
        case body = "the body's projectId"
    }

    /// Which URL a url-params signature covers.
    public enum URLForm: String, Sendable, CaseIterable {
        case configured = "the configured URL with the query as received"
        case hostHTTP = "http:// + Host header + request-target"
        case hostHTTPS = "https:// + Host header + request-target"
        case withoutQuery = "the configured URL without the query"
        case togglePort = "the configured URL with its default port written out (or removed)"
    }

    /// How the parameters follow the URL.
    public enum Parameters: String, Sendable, CaseIterable {
        case sorted = "name+value, sorted by bytes"
        case bodyOrder = "name+value, in body order"
        case valuesOnly = "values only, sorted by name"
        case rawText = "name+value with JSON values as raw text (strings keep quotes and escapes)"
        case caseInsensitive = "name+value, sorted case-insensitively"
        case separators = "name=value joined with '&'"
        case none = "no parameters (the URL alone)"
    }

    /// What a json-body signature covers.
    public enum Body: String, Sendable, CaseIterable {
        case raw = "the body exactly as received"
        case urlThenBody = "the configured URL, then the body"
        case trimmed = "the body without trailing white space"
    }

    /// Which bytes are signed.
    public var scheme: SignatureScheme
    /// How the signature is written.
    public var encoding: SignatureEncoding
    /// Where the key comes from.
    public var key: Key
    /// The URL concerned.
    public var url: URLForm
    /// How the parameters follow the URL.
    public var parameters: Parameters
    /// The body bytes.
    public var body: Body

    /// Every reading the tool knows.
    public static let all: [Reading] = {
        var readings: [Reading] = []
        for encoding in SignatureEncoding.allCases {
            for key in Key.allCases {
                for url in URLForm.allCases {
                    for parameters in Parameters.allCases {
                        readings.append(
                            Reading(
                                scheme: .urlParameters, encoding: encoding, key: key, url: url,
                                parameters: parameters, body: .raw))
                    }
                }
                for body in Body.allCases {
                    readings.append(
                        Reading(
                            scheme: .jsonBody, encoding: encoding, key: key, url: .configured,
                            parameters: .sorted, body: body))
                }
            }
        }
        return readings
    }()

    /// How this reading departs from SPEC.md's (an empty list for the reference readings).
    public var deviations: [String] {
        var list: [String] = []
        if key != .configured { list.append("keyed with \(key.rawValue)") }
        switch scheme {
        case .urlParameters:
            if url != .configured { list.append("URL: \(url.rawValue)") }
            if parameters != .sorted { list.append("parameters: \(parameters.rawValue)") }
        case .jsonBody:
            if body != .raw { list.append("signed: \(body.rawValue)") }
        }
        return list
    }

    /// Whether this is one of the readings SPEC.md adopts (any scheme, any encoding, nothing else changed).
    public var isSpecReading: Bool { deviations.isEmpty }

    public var description: String {
        ([scheme.rawValue, encoding.rawValue] + deviations).joined(separator: ", ")
    }

    /// The profile, when this is a SPEC.md reading.
    public var profile: SignatureProfile { SignatureProfile(scheme: scheme, encoding: encoding) }
}

/// One reading tried on one delivery.
public struct ReadingCandidate: Sendable {
    /// The reading tried.
    public var reading: Reading
    /// The bytes signed under this reading, `nil` when the reading cannot read the body.
    public var signingInput: [UInt8]?
    /// The header value this reading produces.
    public var signature: String?
    /// Whether it reproduces the presented signature.
    public var matches: Bool
}

/// What `detect` found for one delivery.
public struct Detection: Sendable {
    /// The signature the delivery carried.
    public var presented: String
    /// The URL taken as configured (the public URL with the query as received).
    public var configuredURL: String
    /// Readings that reproduce the signature, best first (SPEC.md readings, then fewest deviations).
    public var matches: [ReadingCandidate]
    /// When nothing matches: the SPEC.md readings, for a person to compare by eye.
    public var closest: [ReadingCandidate]
}

/// Tries every known reading of the rule on a captured delivery.
public enum ReadingDetector {
    /// Why a delivery cannot be examined.
    public struct Failure: Error, Sendable {
        /// One line for a person.
        public var message: String
    }

    /// Detects which readings reproduce a delivery's signature.
    /// - Parameters:
    ///   - request: The delivery as received.
    ///   - projectID: The projectId the webhook is configured for.
    ///   - publicURL: The webhook URL as configured in PushPushGo; `http://` + Host + target when `nil`.
    /// - Returns: The matching readings, best first, or the closest ones.
    /// - Throws: `Failure` when the delivery has no single signature header.
    public static func detect(
        _ request: HTTPServerRequest, projectID: String, publicURL: RawURL?
    )
        throws(Failure) -> Detection
    {
        let values = request.headers.filter { ASCII.equalsIgnoringCase($0.name, signatureHeaderName) }.map(\.value)
        guard values.count == 1 else {
            throw Failure(
                message: values.isEmpty
                    ? "the request has no \(signatureHeaderName) header"
                    : "the request has \(values.count) \(signatureHeaderName) headers")
        }
        let presented = values[0].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        let received = ReceivedRequest(
            method: request.method, target: request.target, headers: request.headers,
            body: request.body)
        let configured = ReferenceReceiver(projectID: projectID, publicURL: publicURL, profile: .default)
            .signedURL(for: received)
        var candidates: [ReadingCandidate] = []
        for reading in Reading.all {
            let input = signingInput(reading, request: request, configuredURL: configured)
            let key: [UInt8]? =
                switch reading.key {
                case .configured: Array(projectID.utf8)
                case .body: jsonStringMember("projectId", in: request.body).map { Array($0.utf8) }
                }
            guard let input, let key else {
                candidates.append(
                    ReadingCandidate(reading: reading, signingInput: input, signature: nil, matches: false))
                continue
            }
            let signature = reading.encoding.encode(HMACSHA1(key: key).authenticationCode(for: input))
            let comparable = reading.encoding == .hex ? presented.lowercased() : presented
            candidates.append(
                ReadingCandidate(
                    reading: reading, signingInput: input, signature: signature,
                    matches: comparable == signature))
        }
        // A body-keyed reading that matches only because the body carries the configured projectId is the same
        // reading as the configured one; keep the configured one.
        let matches = candidates.filter(\.matches).filter { candidate in
            !(candidate.reading.key == .body && jsonStringMember("projectId", in: request.body) == projectID)
        }.sorted {
            ($0.reading.deviations.count, $0.reading.scheme.rawValue) < (
                $1.reading.deviations.count, $1.reading.scheme.rawValue
            )
        }
        let closest =
            matches.isEmpty
            ? candidates.filter { $0.reading.isSpecReading && $0.reading.encoding == guessEncoding(presented) } : []
        return Detection(presented: presented, configuredURL: configured, matches: matches, closest: closest)
    }

    static func guessEncoding(_ presented: String) -> SignatureEncoding {
        presented.count == 40 && presented.allSatisfy(\.isHexDigit) ? .hex : .base64
    }

    static func signingInput(_ reading: Reading, request: HTTPServerRequest, configuredURL: String) -> [UInt8]? {
        let body = request.body
        switch reading.scheme {
        case .jsonBody:
            switch reading.body {
            case .raw: return body
            case .urlThenBody: return Array(configuredURL.utf8) + body
            case .trimmed:
                let trimmed = Array(body.reversed().drop { [0x20, 0x09, 0x0A, 0x0D].contains($0) }.reversed())
                return trimmed
            }
        case .urlParameters:
            guard let url = urlText(reading.url, request: request, configuredURL: configuredURL) else { return nil }
            let contentType = request.headers.last { ASCII.equalsIgnoringCase($0.name, "Content-Type") }?.value
            if reading.parameters == .none { return Array(url.utf8) }
            guard let pairs = parameterPairs(body: body, contentType: contentType, raw: reading.parameters == .rawText)
            else { return nil }
            var ordered = pairs
            switch reading.parameters {
            case .bodyOrder: break
            case .caseInsensitive:
                ordered.sort { ASCII.lowercased($0.name).lexicographicallyPrecedes(ASCII.lowercased($1.name)) }
            default:
                ordered.sort {
                    $0.name == $1.name
                        ? $0.value.lexicographicallyPrecedes($1.value)
                        : $0.name.lexicographicallyPrecedes($1.name)
                }
            }
            switch reading.parameters {
            case .valuesOnly: return Array(url.utf8) + ordered.flatMap(\.value)
            case .separators:
                let joined = ordered.map { $0.name + Array("=".utf8) + $0.value }
                    .joined(separator: Array("&".utf8))
                return Array(url.utf8) + Array(joined)
            default: return Array(url.utf8) + ordered.flatMap { $0.name + $0.value }
            }
        }
    }

    static func urlText(_ form: Reading.URLForm, request: HTTPServerRequest, configuredURL: String) -> String? {
        let host = request.headers.last { ASCII.equalsIgnoringCase($0.name, "Host") }?.value
        switch form {
        case .configured: return configuredURL
        case .hostHTTP: return host.map { "http://" + $0 + request.target }
        case .hostHTTPS: return host.map { "https://" + $0 + request.target }
        case .withoutQuery: return String(configuredURL.prefix { $0 != "?" })
        case .togglePort:
            guard var url = RawURL(configuredURL) else { return nil }
            url.port = url.port == nil ? (url.scheme.lowercased() == "https" ? "443" : "80") : nil
            return url.description
        }
    }

    /// Body parameters in body order: decoded (SPEC.md) or, for the raw-text reading, each JSON value as written.
    static func parameterPairs(body: [UInt8], contentType: String?, raw: Bool) -> [(name: [UInt8], value: [UInt8])]? {
        if body.isEmpty { return [] }
        if SigningInput.isForm(contentType) {
            return SigningInput.formParameters(body).map { ($0.name, $0.value) }
        }
        guard let value = try? JSONParser.parse(body), case .object(let members) = value.kind else { return nil }
        return members.compactMap { member in
            switch member.value.kind {
            case .null: raw ? (member.name, Array(body[member.value.span])) : nil
            case .string(let decoded): (member.name, raw ? Array(body[member.value.span]) : decoded)
            default: (member.name, Array(body[member.value.span]))
            }
        }
    }

}
