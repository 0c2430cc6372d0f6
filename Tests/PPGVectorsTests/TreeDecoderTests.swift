import PPGWire
import Testing

@testable import PPGVectors

/// The corpus's own `Decoder`, driven directly: rules every `Decodable` meets, not only the corpus's types.
@Suite("Tree decoder")
struct TreeDecoderTests {
    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let bytes = Array(text.utf8)
        let root = try JSONParser.parse(bytes)
        return try T(from: TreeDecoder(value: root, context: TreeDecodingContext(source: bytes), codingPath: []))
    }

    @Test("an array of optionals keeps every element in its place: a null is one element, for every pattern of nulls")
    func optionalElements() throws {
        for pattern in 0..<64 {
            let values: [Int?] = (0..<6).map { (pattern >> $0) & 1 == 1 ? nil : $0 }
            let text = "[" + values.map { $0.map(String.init) ?? "null" }.joined(separator: ", ") + "]"
            #expect(try decode([Int?].self, text) == values, "\(text)")
            let nested = try decode([[Int?]].self, "[\(text), [null], []]")
            #expect(nested == [values, [nil], []], "\(text)")
        }
    }

    /// A list read the way `UnkeyedDecodingContainer` lets any `Decodable` read one: `decodeNil()` before each
    /// element, which consumes the element when it is null and leaves it otherwise.
    struct NullableList: Decodable, Equatable {
        var elements: [Int?] = []
        init(_ elements: [Int?]) { self.elements = elements }
        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            while !container.isAtEnd {
                elements.append(try container.decodeNil() ? nil : try container.decode(Int.self))
            }
            #expect(try !container.decodeNil(), "decodeNil at the end consumes nothing and says false")
        }
    }

    @Test("decodeNil consumes exactly the one null it finds and nothing else, as the container contract says")
    func decodeNilConsumesOne() throws {
        for pattern in 0..<64 {
            let values: [Int?] = (0..<6).map { (pattern >> $0) & 1 == 1 ? nil : $0 }
            let text = "[" + values.map { $0.map(String.init) ?? "null" }.joined(separator: ", ") + "]"
            #expect(try decode(NullableList.self, text) == NullableList(values), "\(text)")
        }
    }

    @Test("a null where a value is required is refused, not skipped")
    func nullIsNotAValue() {
        #expect(throws: DecodingError.self) { try decode([Int].self, "[1, null, 2]") }
        #expect(throws: DecodingError.self) { try decode([String].self, "[null]") }
    }
}
