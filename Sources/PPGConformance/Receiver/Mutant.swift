import PPGSignature
import PPGWire

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
    case forwardedHeaders = "trusts-forwarded-headers"
    case originalURLHeader = "x-original-url"
    case originPlusPath = "base-url-plus-path"
    case absoluteFormURL = "absolute-form-url"
    case anyMethod = "any-method"
    case verifiesJSONOnly = "verifies-json-only"
    case failOpenPath = "fail-open-path"
    case utf16Sort = "utf16-sort"
    case firstTwentyParameters = "first-20-parameters"
    case rebuildsHTTPSURL = "rebuilds-https-url"
    case forwardedProtoOnly = "trusts-forwarded-proto"
    case htmlEscapesInput = "html-escapes-input"
    case serverErrorOnInvalidTarget = "500-on-invalid-target"

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
        case .forwardedHeaders: pipeline.rule.url = .forwarded
        case .originalURLHeader: pipeline.rule.url = .originalURL
        case .originPlusPath: pipeline.rule.url = .configuredOrigin
        case .absoluteFormURL: pipeline.rule.url = .absoluteTarget
        case .anyMethod: pipeline.method = .any
        case .verifiesJSONOnly: pipeline.contentType = .verifyOnlyJSON
        case .failOpenPath: pipeline.route = .exactPathOnly
        case .utf16Sort: pipeline.rule.parameters = .utf16
        case .firstTwentyParameters: pipeline.rule.parameters = .firstTwenty
        case .rebuildsHTTPSURL: pipeline.rule.url = .hostHTTPS
        case .forwardedProtoOnly: pipeline.rule.url = .forwardedProto
        case .htmlEscapesInput: pipeline.rule.parameters = .htmlEscaped
        case .serverErrorOnInvalidTarget: pipeline.target = .crashOnInvalidAbsoluteForm
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

    /// Whether the bug has common forms the diagnosis tells apart on the wire (the ways a JSON library writes a
    /// body back, under json-body).
    public func hasFamily(under scheme: SignatureScheme) -> Bool {
        self == .reserialisesBody && scheme == .jsonBody
    }

    /// Whether the bug is in what happens before a handler verifies — the method, the route, the size, the label,
    /// the request-target, a redirect — so that a router's refusal (404, 405, 501…) can speak for or against it.
    public var replacesRouting: Bool {
        let reference = ReceiverPipeline.reference(.default)
        let mutated = pipeline(from: reference)
        return mutated.shortcut == .redirect || mutated.method != reference.method || mutated.route != reference.route
            || mutated.size != reference.size || mutated.contentType == .exactlyJSON
            || mutated.target != reference.target
    }

    /// What the bug is, in the words of the code review that should have caught it.
    public var summary: String {
        switch self {
        case .acceptAll:
            "verification commented out: every POST with a readable body is accepted (the route and the body "
                + "checks stay)"
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
        case .forwardedHeaders:
            "builds the signed URL from X-Forwarded-Proto/-Host (or Forwarded), which any client can send"
        case .originalURLHeader:
            "takes the request path from X-Original-URL or X-Rewrite-URL, which any client can send"
        case .originPlusPath: "signs the configured origin plus the request path as received, not the configured URL"
        case .absoluteFormURL: "signs an absolute-form request-target (POST http://host/path) as the URL"
        case .anyMethod: "handles every method on the webhook route, verifying as usual"
        case .verifiesJSONOnly:
            "verifies only requests labelled application/json; anything else is processed unverified"
        case .failOpenPath:
            "verifies only on the exact webhook path, while the router also serves its case, trailing-slash, "
                + "dot-segment, double-slash and percent-encoded variants: those reach the handler unverified"
        case .utf16Sort: "sorts parameter names by UTF-16 code units (JavaScript's default sort), not UTF-8 bytes"
        case .firstTwentyParameters: "signs only the first 20 parameters: a parser's parameter limit drops the rest"
        case .rebuildsHTTPSURL:
            "rebuilds the URL as https://Host/path (the scheme written in, the host from the request)"
        case .forwardedProtoOnly:
            "takes the scheme from X-Forwarded-Proto and the host from Host: behind a TLS terminator that keeps the "
                + "client's Host, any Host is signed for"
        case .htmlEscapesInput:
            "an input filter HTML-escapes every value (& < > \" ') before the handler verifies the signature"
        case .serverErrorOnInvalidTarget:
            "answers 500 to an absolute-form request-target with an invalid percent-escape (its URI parser throws)"
        }
    }
}

extension Mutant {
    /// The code that produces this bug, in the terms of the frameworks receivers are written in.
    public var idioms: String {
        switch self {
        case .acceptAll: "a verify() call commented out, or behind a flag left off in production"
        case .prefixCompare:
            "expected.startsWith(header) / strncmp(header, expected, strlen(header)) / a loop over the header's length"
        case .missingHeaderAccepted: "if (req.headers['x-ppg-signature']) { verify(...) }"
        case .emptyHeaderAccepted: "if not signature: return  # nothing to check"
        case .firstHeaderWins: "request.headers.get(...) in Flask/Werkzeug, getHeader() in Java: the first of several"
        case .lastHeaderWins: "a dict built from the header list (Express req.headers joins, Go's map last write wins)"
        case .keyFromBody: "hmac.new(body['projectId'].encode(), …) — the key read from the request itself"
        case .ignoresQuery: "request.path / req.path / r.URL.Path instead of the full URL with its query"
        case .rebuildsURL:
            "request.url / req.protocol + req.get('host') + req.originalUrl / r.Host behind a proxy or TLS terminator"
        case .sortsQuery:
            "a framework that parses the query into a sorted map and re-encodes it (url_for, urlencode(sorted))"
        case .decodesQuery: "urllib.parse.unquote(request.url) / decodeURIComponent(req.url) before signing"
        case .reserialisesBody:
            "JSON.stringify(req.body) / json.dumps(request.json) / a parsed model re-encoded: numbers come back as 1.5, key order and escapes change"
        case .caseInsensitiveSort: "sorted(params, key=str.lower) / localeCompare / String.CASE_INSENSITIVE_ORDER"
        case .valuesOnly: "''.join(str(v) for k, v in sorted(params.items())) — the names left out"
        case .nullAsString: "str(None) / String(null) / `${value}` turning a null member into the text null"
        case .serverErrorOnBadJSON:
            "request.get_json() / JSON.parse() without a try: the parser's exception escapes as 500"
        case .okWithErrorBody: "return {'error': …} with the framework's default status 200"
        case .strictContentType:
            "if request.content_type != 'application/json': abort(415) — a charset parameter refused"
        case .rejectsUnknownMembers:
            "a strict schema (pydantic extra='forbid', additionalProperties: false) for the old IBody"
        case .serverErrorOnLargeBody: "a fixed 32 KiB buffer or body-size limit that throws instead of answering 413"
        case .redirects: "a trailing-slash or http→https redirect in front of the webhook route"
        case .forwardedHeaders:
            "Express 'trust proxy' (req.protocol, req.hostname), Werkzeug ProxyFix, Django USE_X_FORWARDED_HOST, Laravel TrustProxies '*', uvicorn --forwarded-allow-ips, Rails url_for"
        case .originalURLHeader:
            "Symfony and Zend before CVE-2018-14773, Yii's IIS workaround: the request URI from X-Original-URL/X-Rewrite-URL"
        case .originPlusPath: "PUBLIC_BASE_URL + req.originalUrl / settings.BASE_URL + request.get_full_path()"
        case .absoluteFormURL:
            "Go's r.URL.String() or Node's req.url, which hold the absolute URL when the request line carries one"
        case .anyMethod:
            "app.all('/hook', …), @app.route('/hook', methods=[...all]), a handler that never checks the method"
        case .verifiesJSONOnly:
            "if request.is_json: verify(...) / if (req.is('json')) verify() — the decision to verify taken from the request"
        case .failOpenPath:
            "a verification middleware guarding req.path == '/ppg/webhook' exactly, before a router that matches without case, strips a trailing slash or decodes %XX (Express's default routing, strict_slashes=False, a path-normalisation bypass)"
        case .utf16Sort: "Object.keys(params).sort() / names.sort() in JavaScript, String.compareTo in Java and C#"
        case .firstTwentyParameters:
            "querystring.parse(body, '&', '=', { maxKeys: 20 }) / a fixed array of parameters / PHP max_input_vars"
        case .rebuildsHTTPSURL:
            "'https://' . $_SERVER['HTTP_HOST'] . $_SERVER['REQUEST_URI'] / `https://${req.headers.host}${req.url}`"
        case .forwardedProtoOnly:
            "Werkzeug ProxyFix(x_proto=1) without x_host, `${req.headers['x-forwarded-proto']}://${req.headers.host}`, "
                + "Django SECURE_PROXY_SSL_HEADER with request.build_absolute_uri(), behind ProxyPreserveHost On or "
                + "proxy_set_header Host $http_host"
        case .htmlEscapesInput:
            "a global XSS filter (a servlet filter wrapping getParameter, htmlspecialchars over $_POST, an "
                + "'escape all input' middleware) in front of the webhook"
        case .serverErrorOnInvalidTarget:
            "Puma 5 (URI.parse of POST http://host/path?z=%zz before the application), a server that parses the "
                + "request-target with a strict URL parser and lets its exception escape"
        }
    }

    /// What to change, in a receiver author's words, and the SPEC.md rule it follows.
    public var fix: String {
        switch self {
        case .acceptAll: "verify every request before acting on it (SPEC.md R8)"
        case .prefixCompare:
            "compare the whole value, lengths included, with a constant-time equality (hmac.compare_digest, crypto.timingSafeEqual) (R8.6, R8.7)"
        case .missingHeaderAccepted: "reject a request without X-PPG-Signature with 401 (R8.3)"
        case .emptyHeaderAccepted: "reject an empty X-PPG-Signature with 401 (R8.3)"
        case .firstHeaderWins, .lastHeaderWins:
            "read every X-PPG-Signature field and reject unless there is exactly one (R8.2)"
        case .keyFromBody: "key the HMAC with the projectId your receiver is configured with, never the body's (R4.1)"
        case .ignoresQuery, .sortsQuery, .decodesQuery:
            "sign your configured URL followed by the raw query exactly as it arrived: no decoding, no reordering (R5.1, R10.2)"
        case .rebuildsURL:
            "sign the URL as configured in PushPushGo (a setting of yours), not one rebuilt from Host or X-Forwarded-* headers (R5.1, R10.2)"
        case .reserialisesBody:
            "sign the raw body bytes as received (request.get_data(), express.raw()), or for url-params the number text as written (R5.3, R6)"
        case .caseInsensitiveSort: "sort parameter names by their UTF-8 bytes, capitals before lowercase (R5.2)"
        case .valuesOnly: "sign each parameter's name followed by its value (R5)"
        case .nullAsString: "leave null members out of the signing input (R5.3)"
        case .serverErrorOnBadJSON: "catch the parse error and answer 400 (R10.4, R10.8)"
        case .okWithErrorBody: "answer a rejection with 401/403 (bad signature) or 400 (bad body), never 2xx (R10.4)"
        case .strictContentType:
            "accept application/json with parameters such as charset; the signature, not the label, decides (R10.4)"
        case .rejectsUnknownMembers:
            "accept members the documentation does not list; they are signed like any other (R1)"
        case .serverErrorOnLargeBody: "answer a body over your limit with 413, never 5xx (R10.5, R10.8)"
        case .redirects: "serve the webhook at the URL configured in PushPushGo; it follows no redirects (R11)"
        case .rebuildsHTTPSURL:
            "sign the URL as configured in PushPushGo, not one rebuilt from the Host header (R5.1, R10.2)"
        case .forwardedHeaders, .originalURLHeader, .originPlusPath, .absoluteFormURL, .forwardedProtoOnly:
            "sign the URL as configured in PushPushGo plus the raw query; no request header or request-target may change it (R10.2, the threat model)"
        case .anyMethod: "answer any method but POST with 405 before doing anything (R10.6)"
        case .verifiesJSONOnly: "verify every request that reaches the handler, whatever it is labelled (R10.4)"
        case .failOpenPath:
            "verify inside the handler, for every request that reaches it, never by comparing the request's path (R10.2)"
        case .utf16Sort:
            "sort names by their UTF-8 bytes (Buffer.compare(Buffer.from(a), Buffer.from(b)) in Node) (R5.2)"
        case .firstTwentyParameters:
            "sign every parameter; refuse a delivery past your parser's limit (400 or 413), never drop members (R5)"
        case .htmlEscapesInput:
            "verify the raw body before any filter rewrites it; escape for HTML where you render, not on input (R5.3, R6)"
        case .serverErrorOnInvalidTarget:
            "answer a request-target your server cannot parse with 400, never 500 (RFC 9112 §3, R10.8); Examples/sinatra "
                + "shows it for Puma"
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

    public var pipeline: ReceiverPipeline { receiver.pipeline }

    public func respond(to request: HTTPRequest) -> ReceiverAnswer {
        receiver.respond(to: request)
    }
}
