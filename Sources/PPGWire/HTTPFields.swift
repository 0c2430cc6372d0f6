/// One header field: its name as written (case kept, so a request goes out byte for byte) and its value.
public struct HTTPField: Sendable, Hashable {
    /// The name as written.
    public var name: String
    /// The value, without the white space around it.
    public var value: String

    /// Creates a field.
    /// - Parameters:
    ///   - name: The name as written.
    ///   - value: The value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Header fields in the order they were written, duplicates kept, looked up by name without regard to ASCII case
/// (RFC 9110 §5.1): the one place a field is found by name.
public struct HTTPFields: Sendable, Hashable, RandomAccessCollection, RangeReplaceableCollection,
    ExpressibleByArrayLiteral
{
    private var fields: [HTTPField]

    /// No fields.
    public init() {
        fields = []
    }

    /// Fields in this order.
    /// - Parameter fields: The fields.
    public init(_ fields: some Sequence<HTTPField>) {
        self.fields = Array(fields)
    }

    /// Fields written as `(name:value:)` pairs, in this order.
    /// - Parameter elements: The pairs.
    public init(arrayLiteral elements: (name: String, value: String)...) {
        fields = elements.map { HTTPField(name: $0.name, value: $0.value) }
    }

    /// The first position.
    public var startIndex: Int { fields.startIndex }
    /// Past the last position.
    public var endIndex: Int { fields.endIndex }

    /// The field at a position.
    public subscript(position: Int) -> HTTPField {
        get { fields[position] }
        set { fields[position] = newValue }
    }

    /// Replaces a range of fields.
    public mutating func replaceSubrange(_ subrange: Range<Int>, with newElements: some Collection<HTTPField>) {
        fields.replaceSubrange(subrange, with: newElements)
    }

    /// Appends a field.
    /// - Parameters:
    ///   - name: Its name as written.
    ///   - value: Its value.
    public mutating func append(name: String, value: String) {
        fields.append(HTTPField(name: name, value: value))
    }

    /// Whether a field has this name, compared without regard to ASCII case.
    public static func matches(_ field: HTTPField, _ name: String) -> Bool {
        ASCII.equalsIgnoringCase(field.name, name)
    }

    /// The first value of the fields with this name, if any.
    public func first(_ name: String) -> String? {
        fields.first { Self.matches($0, name) }?.value
    }

    /// The last value of the fields with this name, if any.
    public func last(_ name: String) -> String? {
        fields.last { Self.matches($0, name) }?.value
    }

    /// Every value of the fields with this name, in order.
    public func all(_ name: String) -> [String] {
        fields.filter { Self.matches($0, name) }.map(\.value)
    }

    /// Whether any field has this name.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.matches($0, name) }
    }

    /// These fields with every value of the fields named `name` replaced by `value`, names and order kept.
    public func replacingValues(named name: String, with value: String) -> HTTPFields {
        HTTPFields(fields.map { Self.matches($0, name) ? HTTPField(name: $0.name, value: value) : $0 })
    }

    /// Removes every field with this name.
    public mutating func removeAll(named name: String) {
        fields.removeAll { Self.matches($0, name) }
    }

    /// The `Content-Type` value; of several, the last, as the lookups of most frameworks give (several are
    /// invalid, RFC 9110 §8.3).
    public var contentType: String? { last("Content-Type") }

    /// The name of the field PushPushGo signs deliveries in.
    public static let signatureName = "X-PPG-Signature"

    /// Every `X-PPG-Signature` value, in order: a careful receiver refuses more than one.
    public var signatureValues: [String] { all(Self.signatureName) }
}
