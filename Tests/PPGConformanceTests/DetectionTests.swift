import Foundation
import PPGConformance
import PPGHTTP
import PPGSignature
import PPGWire
import Testing

/// A delivery on which every known reading gives a different signing input.
enum Synthetic {
    static let configuredKey = "configured-project"
    static let bodyKey = "body-project"
    static let publicURL = RawURL("https://hooks.example.com/ppg/webhook")!
    static let body = #"{"projectId":"body-project","Zeta":"z","alpha":"caf\u00e9","n":1.50,"x":null}"# + "\n"

    // Written out by hand, not computed by the detector, so the test checks the detector rather than itself.
    static let urls: [SigningRule.URLForm: String] = [
        .configured: "https://hooks.example.com/ppg/webhook?b=2",
        .hostHTTP: "http://127.0.0.1:8080/ppg/webhook?b=2",
        .hostHTTPS: "https://127.0.0.1:8080/ppg/webhook?b=2",
        .withoutQuery: "https://hooks.example.com/ppg/webhook",
        .togglePort: "https://hooks.example.com:443/ppg/webhook?b=2",
    ]
    static let parameters: [SigningRule.Parameters: String] = [
        .sorted: "Zetazalphacafén1.50projectIdbody-project",
        .bodyOrder: "projectIdbody-projectZetazalphacafén1.50",
        .valuesOnly: "zcafé1.50body-project",
        .rawText: #"Zeta"z"alpha"caf\u00e9"n1.50projectId"body-project"xnull"#,
        .caseInsensitive: "alphacafén1.50projectIdbody-projectZetaz",
        .separators: "Zeta=z&alpha=café&n=1.50&projectId=body-project",
        .none: "",
    ]

    static func input(_ reading: SigningRule) -> [UInt8] {
        switch reading.scheme {
        case .jsonBody:
            switch reading.body {
            case .raw: return Array(body.utf8)
            case .urlThenBody: return Array((urls[.configured, default: ""] + body).utf8)
            case .trimmed: return Array(body.dropLast().utf8)
            case .reserialised: return []
            }
        case .urlParameters:
            return Array((urls[reading.url, default: ""] + parameters[reading.parameters, default: ""]).utf8)
        }
    }

    static func request(signedUnder reading: SigningRule) -> HTTPRequest {
        let key = reading.key == .configured ? configuredKey : bodyKey
        let signature = reading.encoding.encode(HMACSHA1(key: key).authenticationCode(for: input(reading)))
        return HTTPRequest(
            method: "POST", target: "/ppg/webhook?b=2",
            headers: [
                (name: "Host", value: "127.0.0.1:8080"),
                (name: "Content-Type", value: "application/json"),
                (name: "X-PPG-Signature", value: signature),
            ],
            body: Array(body.utf8))
    }
}

@Suite("detect")
struct DetectionTests {
    @Test(
        "a delivery signed under each reading is identified as that reading and no other",
        arguments: SigningRule.detectable)
    func identifiesEachReading(reading: SigningRule) throws {
        let detection = try ReadingDetector.detect(
            Synthetic.request(signedUnder: reading),
            projectID: Synthetic.configuredKey, publicURL: Synthetic.publicURL)
        #expect(detection.matches.map(\.reading) == [reading])
    }

    @Test(
        "two readings are the same exactly where they sign alike: json-body's URL form and style matter only where read"
    )
    func equivalentReadingsSignAlike() throws {
        var rules: [SigningRule] = []
        for url in SigningRule.URLForm.allCases {
            for body in SigningRule.Body.allCases {
                for style in [JSONStyle.javascript, .pythonDefault] {
                    var rule = SigningRule(scheme: .jsonBody, encoding: .hex, url: url, body: body)
                    rule.style = style
                    rules.append(rule)
                }
            }
        }
        let request = Synthetic.request(signedUnder: SigningRule.spec(.default))
        let configured = "https://hooks.example.com/ppg/webhook?b=2"
        func input(_ rule: SigningRule) -> [UInt8]? {
            try? rule.signingInput(of: SignedMessage(request, configuredURL: configured))
        }
        for one in rules {
            #expect(one.isEquivalent(to: one))
            for other in rules {
                let same = one.isEquivalent(to: other)
                #expect(same == other.isEquivalent(to: one), "\(one.deviations) / \(other.deviations)")
                // The same reading signs every delivery alike; this one tells their URLs and styles apart.
                if same { #expect(input(one) == input(other), "\(one.deviations) / \(other.deviations)") }
                let readsURL = one.body == .urlThenBody
                let readsStyle = one.body == .reserialised
                if one.body == other.body && (one.url == other.url || !readsURL)
                    && (one.style == other.style || !readsStyle)
                {
                    #expect(same, "\(one.deviations) / \(other.deviations)")
                }
            }
        }
    }

    @Test("SPEC.md's readings agree with the reference signer")
    func specReadingsAreTheReference() throws {
        for profile in SignatureProfile.all {
            let reading = try #require(SigningRule.detectable.first { $0.isSpec && $0.profile == profile })
            let signer = Signer(projectID: Synthetic.configuredKey, profile: profile)
            let reference = try signer.signature(
                url: Synthetic.urls[.configured, default: ""],
                body: Array(Synthetic.body.utf8), contentType: "application/json")
            let request = Synthetic.request(signedUnder: reading)
            #expect(request.headers.last?.value == reference, "\(profile)")
        }
    }

    @Test("a tampered delivery matches nothing, and the closest candidates are shown")
    func tampered() throws {
        let reading = try #require(SigningRule.detectable.first { $0.isSpec })
        var request = Synthetic.request(signedUnder: reading)
        request.body = Array(Synthetic.body.replacingOccurrences(of: "\"z\"", with: "\"y\"").utf8)
        let detection = try ReadingDetector.detect(
            request, projectID: Synthetic.configuredKey, publicURL: Synthetic.publicURL)
        #expect(detection.matches.isEmpty)
        #expect(detection.closest.count == 2)
        #expect(detection.closest.allSatisfy { $0.reading.isSpec && $0.signingInput != nil })
    }

    @Test("a request without exactly one signature header cannot be examined")
    func noHeader() {
        let request = HTTPRequest(method: "POST", target: "/", headers: [], body: [])
        #expect(throws: ReadingDetector.Failure.self) {
            try ReadingDetector.detect(request, projectID: "p", publicURL: nil)
        }
    }

    @Test("raw requests parse with Content-Length, chunked and unframed bodies")
    func rawParsing() throws {
        let chunked = try HTTPRequest.parse(
            raw: Array(
                "POST /h HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8))
        #expect(chunked.body == Array("abcde".utf8))
        let sized = try HTTPRequest.parse(raw: Array("POST /h HTTP/1.1\r\nContent-Length: 2\r\n\r\nokEXTRA".utf8))
        #expect(sized.body == Array("ok".utf8))
        #expect(throws: FramingError.self) { try HTTPRequest.parse(raw: Array("POST /h HTTP/1.1\r\n".utf8)) }
        #expect(throws: FramingError.self) {
            try HTTPRequest.parse(raw: Array("POST /h HTTP/1.1\r\nContent-Length: 9\r\n\r\nshort".utf8))
        }
    }
}
