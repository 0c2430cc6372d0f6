import PPGSignature
import PPGVectors

/// The corpus class a generated delivery falls in: the corpus vector whose reading it shares, and what SPEC.md
/// allows for it. A class with an expectation of its own (`either`, or a `recommended` rejection) is judged by it;
/// any other case by SPEC's rule as the reference receiver applies it. An expected-failures line that names the
/// class's vector covers the generated deliveries of the class, as it covers the vector.
package struct FuzzClass: Sendable, Hashable {
    /// The corpus vector (or a glob of vectors) that reads such a delivery.
    package var vectorID: String
    /// SPEC's expectation for the class, or `nil` where it is the verdict of SPEC's rule (the reference receiver).
    package var expect: ExpectedVerdict?
    /// How binding a disagreement is: `recommended` ones are warnings unless `--strict`, as in `run`.
    package var level: VectorLevel
    /// Why, with the SPEC rule.
    package var reason: String
}

extension FuzzCase {
    /// The class this case falls in under a profile, or `nil` when SPEC's rule alone decides (a required class).
    package func fuzzClass(under profile: SignatureProfile) -> FuzzClass? {
        func either(_ id: String, _ reason: String) -> FuzzClass {
            FuzzClass(vectorID: id, expect: .either, level: .required, reason: reason)
        }
        let scheme = profile.scheme
        switch signature {
        case .uppercase where profile.encoding == .hex:
            return either("headers/uppercase-hex", "uppercase hex is acceptable (R8.4)")
        case .whitespace: return either("headers/whitespace", "white space around the value is acceptable (R8.5)")
        case .forgedPath where scheme == .jsonBody:
            return either("inputs/path-forged", "json-body signs no URL: a valid body sent to another path (R6)")
        case .forgedAuthority where scheme == .jsonBody:
            return either(
                "inputs/absolute-form-forged", "json-body signs no URL: a valid body sent in absolute-form (R6)")
        default: break
        }
        // A wrong signature is refused whatever the body carries: no class below softens it. Under json-body the URL
        // is not signed: a signature made for another query is a valid one.
        guard signature == .valid || (signature == .otherQuery && scheme == .jsonBody) else { return nil }
        let names = members.map(\.name)
        guard let project = members.first(where: { $0.name == "projectId" }),
            case .string(let projectID, _) = project.value
        else {
            return either(
                "keys/body-project-missing", "a correctly signed body without the projectId as a string (R10.7)")
        }
        if projectID != Self.projectID {
            return FuzzClass(
                vectorID: "keys/body-project-mismatch", expect: .reject, level: .recommended,
                reason: "another project's body, correctly signed, should be refused (R10.7)")
        }
        if scheme == .urlParameters && !form {
            if Set(names).count < names.count {
                return either("bodies/duplicate-member", "duplicate member names are acceptable (R5.7)")
            }
            if members.contains(where: {
                if case .raw(let text) = $0.value { text.first == "{" || text.first == "[" } else { false }
            }) {
                return either("bodies/nested", "nested values are acceptable under url-params (R5.3)")
            }
        }
        if form {
            return either(
                "content/form-body",
                "a correctly signed form body, which PushPushGo never sends, may be accepted or refused (R5.4)")
        }
        if contentType == "" {
            return either("content/no-content-type", "a valid delivery with no Content-Type may be refused")
        }
        if let contentType, !Self.jsonLabels.contains(contentType) {
            return either("content/text-plain", "an unusual Content-Type on a valid delivery may be refused")
        }
        if pathForm != nil {
            return either("inputs/path-*", "a valid delivery to another path may be refused (R11)")
        }
        if query == [] {
            return FuzzClass(
                vectorID: "delivery-query/empty", expect: nil, level: .recommended,
                reason: "a bare '?' is part of the URL signed (R5.1); stacks that drop it depart, recommended")
        }
        if headers.contains(where: { $0.first == "X-HTTP-Method-Override" }) {
            return FuzzClass(
                vectorID: "inputs/method-override-ignored", expect: nil, level: .recommended,
                reason: "a method-override header changes nothing (R10.2); refusing it is a recommended departure")
        }
        return nil
    }
}
