import PPGSignature
import PPGVectors
import PPGWire
import Testing

@Suite("Receiver vectors become deliveries")
struct MaterializeTests {
    let configuration = ReceiverConfiguration(
        projectID: "p-1", targetURL: RawURL("http://127.0.0.1:8080/hook?t=1")!,
        publicURL: RawURL("https://hooks.example.com/hook?t=1")!, profile: .default)

    func vector(
        _ directive: SignatureDirective?, query: String? = nil, body: String = #"{"projectId":"{{projectId}}"}"#
    )
        -> ReceiverVector
    {
        ReceiverVector(
            id: "c/v", comment: "", flags: [], provenance: .derived, source: nil, level: .required,
            schemes: nil, encodings: nil,
            request: RequestTemplate(
                method: nil, query: query, headers: nil,
                body: BodyTemplate(text: body, base64: nil, json: nil), chunked: nil),
            signature: directive, expect: .accept, followUps: nil)
    }

    func signatures(_ delivery: Delivery) -> [String] {
        delivery.request.headers.filter { $0.name.lowercased() == "x-ppg-signature" }.map(\.value)
    }

    @Test("a valid delivery is signed over the public URL with the vector's query, sent to the target")
    func valid() throws {
        let delivery = try #require(try vector(nil, query: "a=b").deliveries(for: configuration).first)
        #expect(delivery.request.target == "/hook?t=1&a=b")
        #expect(delivery.signedURL == "https://hooks.example.com/hook?t=1&a=b")
        #expect(delivery.request.body == Array(#"{"projectId":"p-1"}"#.utf8))
        let expected = try Signer(projectID: "p-1").signature(
            url: delivery.signedURL, body: delivery.request.body,
            contentType: "application/json")
        #expect(signatures(delivery) == [expected])
        #expect(delivery.request.headers.first?.name == "Content-Type")
    }

    @Test("directives change the header as they say")
    func directives() throws {
        let good = try #require(signatures(try vector(nil).deliveries(for: configuration)[0]).first)
        func one(
            _ kind: SignatureDirective.Kind, _ edit: (inout SignatureDirective) -> Void = { _ in }
        ) throws -> [String] {
            var directive = SignatureDirective(kind: kind)
            edit(&directive)
            return signatures(try vector(directive).deliveries(for: configuration)[0])
        }
        #expect(try one(.missing).isEmpty)
        #expect(try one(.empty) == [""])
        #expect(try one(.truncate) { $0.count = 5 } == [String(good.prefix(5))])
        #expect(try one(.extend) { $0.value = "0" } == [good + "0"])
        #expect(try one(.uppercase) == [good.uppercased()])
        #expect(try one(.prefix) { $0.value = "sha1=" } == ["sha1=" + good])
        let flipped = try one(.flip) { $0.count = 0 }
        #expect(flipped.count == 1 && flipped[0] != good && flipped[0].dropFirst() == good.dropFirst())
        let pair = try one(.duplicate) { $0.order = "invalid-first" }
        #expect(pair.count == 2 && pair[1] == good && pair[0] != good)
        #expect(try one(.otherKey) { $0.value = "other" } != [good])
        #expect(try one(.otherEncoding)[0].count == 28)
        var url = URLChange()
        url.scheme = "swap"
        #expect(try one(.otherURL) { $0.url = url } != [good])
    }

    @Test("a URL change that changes nothing marks the vector not applicable")
    func notApplicable() throws {
        var directive = SignatureDirective(kind: .otherURL)
        var change = URLChange()
        change.host = "uppercase"
        directive.url = change
        let ipConfiguration = ReceiverConfiguration(
            projectID: "p", targetURL: RawURL("http://127.0.0.1:9/h")!,
            profile: .default)
        #expect(try vector(directive).deliveries(for: ipConfiguration)[0].notApplicable != nil)
        #expect(try vector(directive).deliveries(for: configuration)[0].notApplicable == nil)
    }

    @Test("placeholders expand; unknown ones are refused")
    func placeholders() throws {
        #expect(try Placeholders.expand("a{{projectId}}b{{fill:3}}", projectID: "P") == Array("aPbxxx".utf8))
        #expect(throws: Placeholders.Failure.self) { try Placeholders.expand("{{nope}}", projectID: "P") }
        #expect(throws: Placeholders.Failure.self) { try Placeholders.expand("{{projectId", projectID: "P") }
    }

    @Test("a placeholder is closed only by '}}': cut short anywhere, at the text's end or before more, it is unclosed")
    func unclosedPlaceholders() {
        for placeholder in ["{{projectId}}", "{{fill:2}}"] {
            for cut in 2..<placeholder.utf8.count {
                let open = String(decoding: Array(placeholder.utf8).prefix(cut), as: UTF8.self)
                for text in [open, open + "x", "a" + open + "xy", open + "}x"] where !text.contains("}}") {
                    #expect(throws: Placeholders.Failure.self, "\(text)") {
                        try Placeholders.expand(text, projectID: "P")
                    }
                    let failure = #expect(throws: Placeholders.Failure.self) {
                        try Placeholders.expandedLength(text, projectIDLength: 1)
                    }
                    #expect(failure?.message.contains("unclosed") == true, "\(text): \(failure?.message ?? "")")
                }
            }
            // Closed at the very end of the text, and before more.
            #expect((try? Placeholders.expand(placeholder, projectID: "P")) != nil)
            #expect((try? Placeholders.expand(placeholder + "z", projectID: "P")) != nil)
        }
    }
}
