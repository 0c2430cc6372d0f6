import PPGWire

/// A `Decoder` over a parsed `JSONValue` that is strict where Foundation's `JSONDecoder` is lenient: it records
/// which members each object's container read so that unknown fields can be reported, it never converts between
/// types, and member order is the source order.
final class TreeDecoder: Decoder {
    let value: JSONValue
    let context: TreeDecodingContext
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, context: TreeDecodingContext, codingPath: [any CodingKey]) {
        self.value = value
        self.context = context
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value.kind else {
            throw mismatch(Key.self, "an object", at: codingPath)
        }
        context.opened(value.span.lowerBound)
        return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value.kind else {
            throw mismatch([Any].self, "an array", at: codingPath)
        }
        return UnkeyedContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleContainer(decoder: self)
    }

    func mismatch(_ type: Any.Type, _ expected: String, at path: [any CodingKey]) -> DecodingError {
        DecodingError.typeMismatch(
            type, .init(codingPath: path, debugDescription: "expected \(expected), found \(value.typeName)"))
    }

    func child(_ value: JSONValue, key: any CodingKey) -> TreeDecoder {
        TreeDecoder(value: value, context: context, codingPath: codingPath + [key])
    }

    func decodeScalar<T: Decodable>(_ type: T.Type) throws -> T {
        let path = codingPath
        func fail(_ expected: String) -> DecodingError { mismatch(type, expected, at: path) }
        func cast(_ result: Any) throws -> T {
            guard let typed = result as? T else { throw fail("a \(T.self)") }
            return typed
        }
        if type == String.self {
            guard case .string(let bytes) = value.kind else { throw fail("a string") }
            return try cast(String(decoding: bytes, as: UTF8.self))
        }
        if type == Bool.self {
            guard case .bool(let flag) = value.kind else { throw fail("a boolean") }
            return try cast(flag)
        }
        if type == Int.self {
            guard case .number = value.kind, let number = Int(context.text(of: value)) else {
                throw fail("a whole number")
            }
            return try cast(number)
        }
        if type == Double.self {
            guard case .number = value.kind, let number = Double(context.text(of: value)) else {
                throw fail("a number")
            }
            return try cast(number)
        }
        return try T(from: self)
    }
}

/// What all decoders of one file share: the source bytes and which objects were opened by keyed containers and
/// which of their members were read.
final class TreeDecodingContext {
    let source: [UInt8]
    private(set) var read: [Int: Set<String>] = [:]

    init(source: [UInt8]) {
        self.source = source
    }

    func opened(_ object: Int) {
        if read[object] == nil { read[object] = [] }
    }

    func markRead(_ object: Int, _ name: String) {
        read[object, default: []].insert(name)
    }

    func text(of value: JSONValue) -> String {
        String(decoding: source[value.span], as: UTF8.self)
    }
}

struct TreeKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TreeDecoder
    let members: [JSONMember]
    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.nameString) } }

    func contains(_ key: Key) -> Bool { member(key) != nil }

    private func member(_ key: Key) -> JSONMember? {
        members.first { $0.nameString == key.stringValue }
    }

    private func require(_ key: Key) throws -> JSONMember {
        decoder.context.markRead(decoder.value.span.lowerBound, key.stringValue)
        guard let member = member(key) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "missing field '\(key.stringValue)'"))
        }
        return member
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        let member = try require(key)
        if case .null = member.value.kind { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let member = try require(key)
        return try decoder.child(member.value, key: key).decodeScalar(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        decoder.context.markRead(decoder.value.span.lowerBound, key.stringValue)
        guard let member = member(key) else { return nil }
        return try decoder.child(member.value, key: key).decodeScalar(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.child(try require(key).value, key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(try require(key).value, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder.child(try require(key).value, key: key) }
}

struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TreeDecoder
    let elements: [JSONValue]
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(decoder: TreeDecoder, elements: [JSONValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    private mutating func next() throws -> TreeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, .init(codingPath: codingPath, debugDescription: "array too short"))
        }
        defer { currentIndex += 1 }
        return decoder.child(elements[currentIndex], key: TreeKey(intValue: currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if case .null = elements[currentIndex].kind {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeScalar(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

struct SingleContainer: SingleValueDecodingContainer {
    let decoder: TreeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = decoder.value.kind { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeScalar(type) }
}
