import Foundation
import PPGSignature
import PPGWire

/// One reading tried on one delivery.
package struct ReadingCandidate: Sendable {
    /// The reading tried.
    public var reading: SigningRule
    /// The bytes signed under this reading, for the readings reported (matches — past 64 KiB only the best one —
    /// or the closest when none matches); `nil` otherwise, and when the reading cannot read the body.
    public var signingInput: [UInt8]?
    /// The header value this reading produces.
    public var signature: String?
    /// Whether it reproduces the presented signature.
    public var matches: Bool
}

/// What `detect` found for one delivery.
package struct Detection: Sendable {
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
package enum ReadingDetector {
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
        _ request: HTTPRequest, projectID: String, publicURL: RawURL?
    )
        throws(Failure) -> Detection
    {
        let values = request.headers.signatureValues
        guard values.count == 1 else {
            throw Failure(
                message: values.isEmpty
                    ? "the request has no \(signatureHeaderName) header"
                    : "the request has \(values.count) \(signatureHeaderName) headers")
        }
        let presented = values[0].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        let configured = ReferenceReceiver(projectID: projectID, publicURL: publicURL, profile: .default)
            .signedURL(for: request)
        let message = SignedMessage(request, configuredURL: configured)
        let configuredKey = Array(projectID.utf8)
        // One parse of the body for every reading, and no reading's input kept beyond its HMAC: the inputs of the
        // few readings reported are computed again below.
        var candidates: [ReadingCandidate] = []
        for reading in SigningRule.detectable {
            // A reading whose encoding writes another length cannot reproduce the value: no HMAC is owed to it.
            guard presented.utf8.count == reading.encoding.encodedLength else {
                candidates.append(ReadingCandidate(reading: reading, signingInput: nil, signature: nil, matches: false))
                continue
            }
            let signature = reading.signature(of: message, configuredKey: configuredKey)
            let comparable = reading.encoding == .hex ? presented.lowercased() : presented
            candidates.append(
                ReadingCandidate(
                    reading: reading, signingInput: nil, signature: signature,
                    matches: signature != nil && comparable == signature))
        }
        // A body-keyed reading that matches only because the body carries the configured projectId is the same
        // reading as the configured one; keep the configured one.
        let bodyKeyIsConfigured = message.bodyProjectID() == projectID
        var matches = candidates.filter(\.matches).filter { !($0.reading.key == .body && bodyKeyIsConfigured) }
            .sorted {
                ($0.reading.deviations.count, $0.reading.scheme.rawValue) < (
                    $1.reading.deviations.count, $1.reading.scheme.rawValue
                )
            }
        var closest =
            matches.isEmpty
            ? candidates.filter { $0.reading.isSpec && $0.reading.encoding == guessEncoding(presented) } : []
        // Every match's input for an ordinary delivery; for a large one only the best match's, so memory stays a
        // small multiple of the body however many readings match.
        for index in matches.indices {
            let input = try? matches[index].reading.signingInput(of: message)
            if index == 0 || (input?.count ?? 0) <= 65_536 { matches[index].signingInput = input }
        }
        for index in closest.indices {
            closest[index].signingInput = try? closest[index].reading.signingInput(of: message)
        }
        return Detection(presented: presented, configuredURL: configured, matches: matches, closest: closest)
    }

    static func guessEncoding(_ presented: String) -> SignatureEncoding {
        presented.count == 40 && presented.allSatisfy(\.isHexDigit) ? .hex : .base64
    }
}

extension SignedMessage {
    /// A received request as signing rules read it, signed over `configuredURL` (SPEC.md R10.2).
    /// - Parameters:
    ///   - request: The request.
    ///   - configuredURL: The URL as configured, with the query as received.
    public convenience init(_ request: HTTPRequest, configuredURL: String) {
        self.init(
            configuredURL: configuredURL, body: request.body, contentType: request.header("Content-Type"),
            host: request.header("Host"), target: request.target, headers: request.headers)
    }
}
