import PPGWire
import Testing

@Suite("HTTP fields")
struct HTTPFieldsTests {
    let fields: HTTPFields = [
        (name: "Content-Type", value: "text/plain"), (name: "x-ppg-signature", value: "one"),
        (name: "Host", value: "h"), (name: "X-PPG-Signature", value: "two"),
        (name: "content-type", value: "application/json"),
    ]

    @Test("order, case and duplicates are kept; lookups ignore ASCII case")
    func lookups() {
        #expect(fields.map(\.name) == ["Content-Type", "x-ppg-signature", "Host", "X-PPG-Signature", "content-type"])
        #expect(fields.first("CONTENT-TYPE") == "text/plain")
        #expect(fields.last("Content-type") == "application/json")
        #expect(fields.all("x-PPG-signature") == ["one", "two"])
        #expect(fields.signatureValues == ["one", "two"])
        #expect(fields.contentType == "application/json")
        #expect(fields.contains("HOST") && !fields.contains("Hos") && !fields.contains("Host "))
        #expect(fields.first("Accept") == nil && fields.all("Accept").isEmpty)
    }

    @Test("only ASCII letters fold: a non-ASCII name never matches its lookalike")
    func asciiOnly() {
        let fields: HTTPFields = [(name: "K\u{212A}ind", value: "x"), (name: "X-\u{130}d", value: "y")]
        #expect(fields.first("KKind") == nil && fields.first("kkind") == nil)
        #expect(fields.first("X-Id") == nil && fields.first("x-id") == nil)
        #expect(fields.first("K\u{212A}IND") == "x")
    }

    @Test("replacing and removing by name keep every other field where it was")
    func editing() {
        var edited = fields.replacingValues(named: "X-Ppg-Signature", with: "new")
        #expect(edited.map(\.value) == ["text/plain", "new", "h", "new", "application/json"])
        #expect(edited.map(\.name) == fields.map(\.name))
        edited.removeAll(named: "content-TYPE")
        #expect(edited.map(\.name) == ["x-ppg-signature", "Host", "X-PPG-Signature"])
        edited.append(name: "Accept", value: "*/*")
        #expect(edited.last?.name == "Accept" && edited.count == 4)
        #expect(HTTPFields() == [] && HTTPFields(edited) == edited)
    }
}
