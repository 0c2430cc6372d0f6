import PPGSignature
import PPGVectors

/// A receiver that answers requests: the reference, or a mutant.
public protocol Receiver: Sendable {
    /// Answers one request.
    /// - Parameter request: The request.
    /// - Returns: The response.
    func respond(to request: ReceivedRequest) -> ReceiverResponse
}

extension ReferenceReceiver: Receiver {}

/// Realistic receiver bugs, each one a way real webhook receivers go wrong. `serve --mutant NAME` runs one;
/// `mutants` proves that the suite catches every one of them.
public enum Mutant: String, Sendable, CaseIterable {
    case acceptAll = "accept-all"
    case prefixCompare = "prefix-compare"
    case missingHeaderAccepted = "missing-ok"
    case emptyHeaderAccepted = "empty-ok"
    case firstHeaderWins = "first-header"
    case lastHeaderWins = "last-header"
    case keyFromBody = "key-from-body"
    case ignoresQuery = "ignores-query"
    case rebuildsURL = "rebuilds-url"
    case sortsQuery = "sorts-query"
    case decodesQuery = "decodes-query"
    case reserialisesBody = "reserialises-body"
    case caseInsensitiveSort = "case-insensitive-sort"
    case valuesOnly = "values-only"
    case nullAsString = "null-as-string"
    case serverErrorOnBadJSON = "500-on-bad-json"
    case okWithErrorBody = "200-with-error"
    case strictContentType = "strict-content-type"
    case rejectsUnknownMembers = "rejects-unknown-members"
    case serverErrorOnLargeBody = "500-on-large-body"
    case redirects

    /// The reference receiver's pipeline with this bug: one step replaced, or another signing rule.
    /// - Parameter reference: The correct pipeline.
    /// - Returns: The mutant's pipeline.
    public func pipeline(from reference: ReceiverPipeline) -> ReceiverPipeline {
        var pipeline = reference
        switch self {
        case .acceptAll: pipeline.shortcut = .acceptAll
        case .redirects: pipeline.shortcut = .redirect
        case .prefixCompare: pipeline.compare = .prefix
        case .missingHeaderAccepted: pipeline.header = .missingSkipsVerification
        case .emptyHeaderAccepted: pipeline.header = .emptySkipsVerification
        case .firstHeaderWins: pipeline.header = .firstWins
        case .lastHeaderWins: pipeline.header = .lastWins
        case .keyFromBody: pipeline.rule.key = .body
        case .ignoresQuery: pipeline.rule.url = .withoutQuery
        case .rebuildsURL: pipeline.rule.url = .hostHTTP
        case .sortsQuery: pipeline.rule.url = .sortedQuery
        case .decodesQuery: pipeline.rule.url = .decodedQuery
        case .reserialisesBody:
            pipeline.rule.parameters = .throughDoubles
            pipeline.rule.body = .reserialised
        case .caseInsensitiveSort: pipeline.rule.parameters = .caseInsensitive
        case .valuesOnly: pipeline.rule.parameters = .valuesOnly
        case .nullAsString: pipeline.rule.parameters = .nullAsText
        case .serverErrorOnBadJSON: pipeline.unreadable = .serverError
        case .okWithErrorBody: pipeline.status = .okWithErrorBody
        case .strictContentType: pipeline.contentType = .exactlyJSON
        case .rejectsUnknownMembers: pipeline.body = .legacySchema
        case .serverErrorOnLargeBody: pipeline.size = .crashAbove(32 * 1024)
        }
        return pipeline
    }

    /// Whether the bug changes anything under a scheme: a different reading that signs the same bytes under it
    /// (URL and parameter readings under json-body, which signs neither) cannot be told from the reference.
    /// - Parameter scheme: The scheme.
    /// - Returns: Whether a correct suite can tell this mutant from the reference.
    public func applies(to scheme: SignatureScheme) -> Bool {
        let reference = ReceiverPipeline.reference(SignatureProfile(scheme: scheme))
        let mutated = pipeline(from: reference)
        guard mutated.rule != reference.rule else { return mutated != reference }
        var others = mutated
        others.rule = reference.rule
        return others != reference || !mutated.rule.isEquivalent(to: reference.rule)
    }

    /// What the bug is, in the words of the code review that should have caught it.
    public var summary: String {
        switch self {
        case .acceptAll: "verification commented out: every request is accepted"
        case .prefixCompare: "compares only a prefix (expected.hasPrefix(presented)), so a truncated value passes"
        case .missingHeaderAccepted: "verifies only when the header is present"
        case .emptyHeaderAccepted: "treats an empty header as 'no signature to check'"
        case .firstHeaderWins: "with two headers, checks the first and ignores the other"
        case .lastHeaderWins: "with two headers, checks the last (a framework's dictionary overwrote the first)"
        case .keyFromBody: "keys the HMAC with the body's projectId instead of the configured one"
        case .ignoresQuery: "verifies the URL without its query string"
        case .rebuildsURL: "rebuilds the URL as http://Host/path behind a proxy instead of using the configured URL"
        case .sortsQuery: "the framework sorts query parameters before the URL is rebuilt"
        case .decodesQuery: "percent-decodes the query before verifying"
        case .reserialisesBody: "parses the JSON and re-serialises it before verifying (numbers through doubles)"
        case .caseInsensitiveSort: "sorts parameter names case-insensitively"
        case .valuesOnly: "signs the values without their names"
        case .nullAsString: "signs a null member as the text 'null'"
        case .serverErrorOnBadJSON: "crashes (500) on a body that is not JSON"
        case .okWithErrorBody: "answers 200 with an error message instead of a 4xx"
        case .strictContentType: "refuses any Content-Type but exactly application/json (charset included)"
        case .rejectsUnknownMembers: "validates the body against the old IBody schema and refuses new members"
        case .serverErrorOnLargeBody: "a 32 KiB buffer: larger bodies crash (500)"
        case .redirects: "redirects every request to another URL (301)"
        }
    }
}

/// A receiver with one bug: the reference receiver with one step of its pipeline replaced.
public struct MutantReceiver: Receiver {
    /// The bug this receiver has.
    public let mutant: Mutant
    let receiver: ReferenceReceiver

    /// Creates a mutant.
    /// - Parameters:
    ///   - mutant: The bug.
    ///   - reference: The correct receiver it departs from.
    public init(mutant: Mutant, reference: ReferenceReceiver) {
        self.mutant = mutant
        self.receiver = ReferenceReceiver(
            projectID: reference.projectID, publicURL: reference.publicURL,
            pipeline: mutant.pipeline(from: reference.pipeline))
    }

    public func respond(to request: ReceivedRequest) -> ReceiverResponse {
        receiver.respond(to: request)
    }
}
