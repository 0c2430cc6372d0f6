import PPGWire
import TestSupport
import Testing

@testable import PPGHTTP

/// `run`'s blocking client and `load`'s event-loop framer read responses with one set of number rules: a status,
/// a `Content-Length` and a chunk size are digits (hex digits) only, bounded, with nothing after them but what the
/// grammar allows. Fed the same bytes, the two give the same verdict.
@Suite("Response readers agree on numbers")
struct ResponseReadersAgreeTests {
    /// The blocking client's verdict: the status, or `nil` for a refusal.
    static func blocking(_ bytes: [UInt8]) throws -> Int? {
        let (first, second) = try TestSupport.socketPair()
        let pair = [first, second]
        let writer = Socket(descriptor: pair[0])
        try writer.send(bytes, deadline: .after(1))
        writer.close()
        let reading = Socket(descriptor: pair[1])
        defer { reading.close() }
        var framer = ResponseFramer(mode: .whole)
        do {
            return try HTTPConnection.readResponse(from: reading, &framer, method: "POST", deadline: .after(1))
                .response.status
        } catch {
            return nil
        }
    }

    /// The event-loop framer's verdict, the bytes given in two pieces split at `cut`.
    static func framer(_ bytes: [UInt8], cut: Int) -> Int? {
        var framer = ResponseFramer(mode: .statusOnly)
        for piece in [bytes[..<cut], bytes[cut...]] {
            Array(piece).withUnsafeBytes { framer.append($0) }
            switch framer.next() {
            case .response(let response, _): return response.status
            case .failed: return nil
            case .needMore: continue
            }
        }
        if case .response(let response, _) = framer.finishAtClose() { return response.status }
        return nil
    }

    /// Number texts: valid ones, and the junk a careless parser reads as a number.
    static let numbers = [
        "0", "5", "10", "007", "0x5", "5zz", "+5", "-5", " 5", "5 ", "1e1", "٥", "999999999999999999",
    ]

    @Test("a status, a Content-Length and a chunk size with anything after their digits are refused by both readers")
    func numbersAgree() throws {
        var cases: [(String, [UInt8])] = []
        for text in ["200", "2000", "20", "+20", "20x", "099", "1000"] {
            cases.append(("status \(text)", Array("HTTP/1.1 \(text) OK\r\nContent-Length: 0\r\n\r\n".utf8)))
        }
        for text in Self.numbers + ["5, 5", "5,5", "5, 6", "5,"] {
            cases.append(
                ("Content-Length \(text)", Array("HTTP/1.1 200 OK\r\nContent-Length: \(text)\r\n\r\nhello".utf8)))
        }
        for text in Self.numbers.filter({ $0 != "10" && $0 != "007" }) + ["5;ext=1", "5 ;x", "5\t;x", "A", "5;"] {
            cases.append(
                (
                    "chunk size \(text)",
                    Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(text)\r\nhello\r\n0\r\n\r\n".utf8)
                ))
        }
        for (name, bytes) in cases {
            let expected = try Self.blocking(bytes)
            for cut in [0, bytes.count / 2, bytes.count - 1] {
                #expect(Self.framer(bytes, cut: cut) == expected, "\(name): blocking \(String(describing: expected))")
            }
        }
        // The rule, not the example: these are refused, these read.
        #expect(try Self.blocking(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n".utf8)) == nil)
        #expect(try Self.blocking(Array("HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n".utf8)) == nil)
        #expect(try Self.blocking(Array("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello".utf8)) == 200)
        #expect(try Self.blocking(Array("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello".utf8)) == nil)
    }

    @Test("the number rules over generated texts: digits only, nothing after, bounded")
    func numberRules() {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEFxz+- ;\t,".utf8)
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...17, using: &random)).map { _ in
                alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
            }
            let string = String(decoding: text, as: UTF8.self)
            let decimal = !text.isEmpty && text.count <= 15 && text.allSatisfy { (48...57).contains($0) }
            #expect((MessageSize.contentLength(string) != nil) == decimal, "\(string)")
            #expect((MessageSize.statusCode(text) != nil) == (decimal && text.count == 3 && text.first != 48))
            let digits = text.prefix { Hex.value($0) != nil }
            let rest = text.dropFirst(digits.count).drop { $0 == 32 || $0 == 9 }
            let chunk = !digits.isEmpty && digits.count <= 15 && (rest.isEmpty || rest.first == 59)
            #expect((MessageSize.chunkSize(text) != nil) == chunk, "\(string)")
        }
    }
}
