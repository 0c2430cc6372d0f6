import PPGSignature
import Testing

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite("Signing inputs")
struct SigningInputTests {
    let url = "https://example.com/hook?b=2&a=1"

    @Test("url-params: URL as given, then sorted name+value pairs with no separators")
    func urlParamsJSON() throws {
        let body = Array(#"{"projectId":"p1","customId":"c","ppgId":"g"}"#.utf8)
        let input = try SigningInput.make(
            scheme: .urlParameters, url: url.utf8, body: body, contentType: "application/json")
        #expect(text(input) == "https://example.com/hook?b=2&a=1customIdcppgIdgprojectIdp1")
    }

    @Test("url-params: strings decoded, numbers and nested values raw, booleans as words, null left out")
    func urlParamsValueReadings() throws {
        let body = Array(#"{"s":"caf\u00e9 \/","n":1.50,"e":1e3,"t":true,"f":false,"z":null,"o":{ "a" : [1] }}"#.utf8)
        let input = try SigningInput.make(scheme: .urlParameters, url: "u".utf8, body: body, contentType: nil)
        #expect(text(input) == "ue1e3ffalsen1.50o{ \"a\" : [1] }scafé /ttrue")
    }

    @Test("url-params: byte order puts capitals and shorter prefixes first, ties by value")
    func ordering() throws {
        let body = Array(#"{"b":"1","B":"2","Sid":"x","SidAccount":"y","10":"t","9":"n","a":"2","a":"1"}"#.utf8)
        // Through the signing input every signature is made of, so the order tested is the order signed.
        let input = try SigningInput.make(scheme: .urlParameters, url: "u".utf8, body: body, contentType: nil)
        #expect(text(input) == "u10t9nB2SidxSidAccountya1a2b1")
    }

    @Test("url-params: form bodies decode + and %XX, keep repeated names, drop empty pieces")
    func formBodies() throws {
        let body = Array("To=%2B1800&a=x+y&a=b&&flag&bad=%zz".utf8)
        let input = try SigningInput.make(
            scheme: .urlParameters, url: "u".utf8, body: body,
            contentType: "application/x-www-form-urlencoded; charset=utf-8")
        #expect(text(input) == "uTo+1800abax ybad%zzflag")
    }

    @Test("a form's media type is known in any case, with white space and parameters around it, and nothing else is")
    func formMediaType() {
        let media = Array("application/x-www-form-urlencoded".utf8)
        // Every letter's case chosen by the bits of a counter stepped by a large odd number: 300 spellings.
        var bits: UInt64 = 0
        for _ in 0..<300 {
            bits = bits &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let spelled = media.enumerated().map { offset, byte in
                bits >> UInt64(offset % 64) & 1 == 1 && byte >= 0x61 && byte <= 0x7A ? byte - 32 : byte
            }
            let text = String(decoding: spelled, as: UTF8.self)
            #expect(SigningInput.isForm(text), "\(text)")
            #expect(SigningInput.isForm(" \t" + text + " ; charset=utf-8"), "\(text)")
            #expect(!SigningInput.isForm(text + "x"), "\(text)x")
            #expect(!SigningInput.isForm(String(text.dropLast())), "\(text) shortened")
        }
        for other in [
            "application/json", "multipart/form-data", "", "application/x-www-form-urlencoded-x", "text/plain",
        ] {
            #expect(!SigningInput.isForm(other), "\(other)")
        }
        #expect(!SigningInput.isForm(nil))
    }

    @Test("url-params: an empty body has no parameters")
    func emptyBody() throws {
        #expect(
            try SigningInput.make(scheme: .urlParameters, url: "u".utf8, body: [], contentType: nil) == Array("u".utf8))
    }

    @Test(
        "url-params: bodies that are not a JSON object cannot be signed",
        arguments: [
            (#"["a"]"#, SigningInputError.Kind.notAnObject), ("{", .malformedJSON),
            (#"{"a":"\ud800"}"#, .malformedJSON),
            ("\u{FEFF}{}", .malformedJSON), (" ", .malformedJSON), (#"{"a":1,}"#, .malformedJSON),
        ])
    func unreadable(body: String, kind: SigningInputError.Kind) {
        #expect(throws: SigningInputError.self) {
            try SigningInput.make(scheme: .urlParameters, url: "u".utf8, body: Array(body.utf8), contentType: nil)
        }
        do {
            _ = try SigningInput.make(scheme: .urlParameters, url: "u".utf8, body: Array(body.utf8), contentType: nil)
        } catch {
            #expect(error.kind == kind)
        }
    }

    @Test("json-body: the body bytes exactly, whatever they are")
    func jsonBody() throws {
        let body: [UInt8] = [0xEF, 0xBB, 0xBF, 0x7B, 0xFF, 0x7D, 0x0D, 0x0A]
        #expect(try SigningInput.make(scheme: .jsonBody, url: "ignored".utf8, body: body, contentType: nil) == body)
    }

    @Test("the Twilio published example signs to its published value")
    func twilioExample() throws {
        let body = Array(
            "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212".utf8)
        let signer = Signer(projectID: "12345", profile: SignatureProfile(scheme: .urlParameters, encoding: .base64))
        let signature = try signer.signature(
            url: "https://mycompany.com/myapp.php?foo=1&bar=2", body: body,
            contentType: "application/x-www-form-urlencoded")
        #expect(signature == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    }
}
