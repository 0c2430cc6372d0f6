import PPGVectors
import PPGWire

/// The answers SPEC.md R11 allows to one delivery: its expectation and the statuses that conform whatever the
/// expectation — those its vector lists in `alsoAllowed`, and those an RFC lets any server give to the request as
/// sent, before a handler runs. `run` and `fuzz` judge by this one value, so a corpus vector and a generated
/// delivery with the same request are allowed the same answers.
package struct AllowedAnswers: Sendable, Equatable {
    /// Accept, reject, or either.
    package var expect: ExpectedVerdict
    /// Statuses that conform besides the expectation, in the order given, each once.
    package var alsoAllowed: [Int]

    /// The answers allowed to a delivery.
    /// - Parameter delivery: The delivery as materialised from its vector.
    package init(_ delivery: Delivery) {
        self.init(expect: delivery.expect, listed: delivery.alsoAllowed, request: delivery.request)
    }

    /// The answers allowed to a request with an expectation and a vector's `alsoAllowed`.
    package init(expect: ExpectedVerdict, listed: [Int], request: HTTPRequest) {
        self.expect = expect
        var statuses: [Int] = []
        for status in listed + Self.requestLineRefusals(target: request.target) where !statuses.contains(status) {
            statuses.append(status)
        }
        alsoAllowed = statuses
    }

    /// What RFC 9112 §3 lets a server answer to a request-line it finds invalid: 400, for a request-target with a
    /// character or a percent-escape RFC 3986 does not allow (Rack and the JDK's `HttpServer` answer so before any
    /// handler runs).
    /// - Parameter target: The request-target as sent.
    /// - Returns: `[400]`, or nothing for a valid target.
    package static func requestLineRefusals(target: String) -> [Int] {
        RawURL.isValidRequestTarget(target) ? [] : [400]
    }

    /// Whether a status conforms whatever the expectation.
    package func allows(_ status: Int) -> Bool { alsoAllowed.contains(status) }
}
