import PPGWire
import Testing

@testable import PPGConformance

/// The URL rebuilds of the readings, from forwarding fields written the ways proxies and people write them.
@Suite("Signed message: forwarding fields")
struct SignedMessageTests {
    static func message(_ headers: HTTPFields) -> SignedMessage {
        SignedMessage(
            configuredURL: "https://hooks.example.com/ppg/webhook?x=1", body: [], contentType: nil,
            host: "internal:8080", target: "/ppg/webhook?x=1", headers: headers)
    }

    @Test(
        "Forwarded parameters are read with white space and quotes around them removed",
        arguments: [
            "for=192.0.2.1;proto=https;host=hooks.example.com",
            "for=192.0.2.1; proto=https ; host=\"hooks.example.com\"",
            "proto=https\t;host=hooks.example.com , for=1", "Proto=https; HOST=hooks.example.com",
            "proto= https;host=\t\"hooks.example.com\"",
        ])
    func forwardedParameters(value: String) throws {
        let url = try Self.message([(name: "Forwarded", value: value)]).url(.forwarded)
        #expect(url == "https://hooks.example.com/ppg/webhook?x=1", "\(value)")
    }

    @Test(
        "X-Forwarded-* take their first list element, without white space",
        arguments: [" https", "https , http", "https\t,x"])
    func forwardedProto(value: String) throws {
        let message = Self.message([(name: "X-Forwarded-Proto", value: value)])
        #expect(try message.url(.forwardedProto) == "https://internal:8080/ppg/webhook?x=1", "\(value)")
    }
}
