import PPGSignature
import PPGVectors
import PPGWire

/// SPEC.md R11's judging rules: which answers conform to a delivery, and what to say when one does not. `run`,
/// `fuzz` and the verifier target judge by these and nothing else.
enum ResponseJudging {
    /// Why a response is wrong for a delivery, or `nil` when it is right (SPEC.md R11).
    static func judge(_ response: HTTPResponse, delivery: Delivery, strict: Bool) -> String? {
        let status = response.status
        // A status the vector names as also conforming, or an RFC allows for this request, is never wrong.
        if AllowedAnswers(delivery).allows(status) { return nil }
        switch status {
        case 501 where delivery.request.method != "POST":
            // The one 5xx with a common innocent cause: a server with no handler for the method.
            return
                "answered 501 to "
                + "\(delivery.request.method): a server with no handler for a method answers that (Python's "
                + "http.server without do_"
                + "\(delivery.request.method), for one); RFC 9110 §9.1 has every general-purpose server "
                + "support GET and HEAD, so handle \(delivery.request.method) on the webhook's path and answer 405"
        case 500...599: return "the receiver broke: \(status) (a 5xx is never a conforming answer)"
        case 300...399: return "answered a redirect (\(status)); PushPushGo does not follow redirects"
        case 200...299, 400...499: break
        default: return "answered \(status), which is neither 2xx nor 4xx"
        }
        let accepted = (200...299).contains(status)
        switch delivery.expect {
        case .accept:
            return accepted ? nil : "rejected (\(status)) a delivery that must be accepted"
        case .reject:
            if accepted { return "accepted (\(status)) a delivery that must be rejected" }
            if strict && isSignatureRejection(delivery) && status != 401 && status != 403 {
                return "rejected with \(status); --strict expects 401 or 403 for a bad signature"
            }
            return nil
        case .either:
            return nil
        }
    }

    /// What a verifier library must answer to a delivery: a receiver vector's rejection that is not about the
    /// signature (a valid signature over a readable body, rejected for its method or content) is not a verifier's
    /// business, so either answer conforms there.
    static func verifierExpectation(_ delivery: Delivery, profile: SignatureProfile) -> ExpectedVerdict {
        guard delivery.expect == .reject, delivery.signatureKind == .valid else { return delivery.expect }
        let contentType = delivery.request.headers.contentType
        let readable =
            (try? SigningInput.make(
                scheme: profile.scheme, url: delivery.signedURL.utf8, body: delivery.request.body,
                contentType: contentType)) != nil
        return readable ? .either : .reject
    }

    /// Whether a rejection is about the signature (then `--strict` wants 401 or 403) rather than the body: the
    /// signature is tampered with, or sent under another name so that no `X-PPG-Signature` field arrives.
    static func isSignatureRejection(_ delivery: Delivery) -> Bool {
        delivery.signatureKind != .valid
            || !delivery.request.headers.contains(signatureHeaderName)
    }

    /// The statuses that conform for a delivery, as JSON reports them: classes (`2xx`, `4xx`) and codes.
    static func expectedStatuses(_ delivery: Delivery, strict: Bool) -> [String] {
        var statuses: [String] =
            switch delivery.expect {
            case .accept: ["2xx"]
            case .reject: strict && isSignatureRejection(delivery) ? ["401", "403"] : ["4xx"]
            case .either: ["2xx", "4xx"]
            }
        statuses += AllowedAnswers(delivery).alsoAllowed.map(String.init)
        return statuses
    }

    static func expectation(_ verdict: ExpectedVerdict, strict: Bool, signed delivery: Delivery) -> String {
        let text =
            switch verdict {
            case .accept: "accept (2xx)"
            case .reject: strict && isSignatureRejection(delivery) ? "reject (401 or 403)" : "reject (4xx)"
            case .either: "accept or reject (2xx or 4xx, never 5xx)"
            }
        let also = AllowedAnswers(delivery).alsoAllowed
        guard !also.isEmpty else { return text }
        return text + ", or " + also.map(String.init).joined(separator: " or ")
    }
}
