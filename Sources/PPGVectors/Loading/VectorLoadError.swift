/// Why a corpus could not be loaded: one line naming the file, the position, the vector and the JSON path.
public struct VectorLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of problem.
    public enum Kind: String, Sendable, Equatable {
        case unreadable, malformedJSON = "malformed-json", unsupportedFormat = "unsupported-format"
        case unknownField = "unknown-field", missingField = "missing-field", wrongType = "wrong-type"
        case invalidValue = "invalid-value", duplicateID = "duplicate-id", unknownFlag = "unknown-flag"
        case duplicateMember = "duplicate-member"
    }

    /// What is wrong.
    public var kind: Kind
    /// The file, relative to the corpus directory where possible.
    public var file: String
    /// Line and column (from 1), when known.
    public var line: Int?
    /// The column, from 1 (in bytes), when known.
    public var column: Int?
    /// The id of the vector concerned, when known.
    public var vectorID: String?
    /// A JSON path such as `$.vectors[3].signature`.
    public var path: String?
    /// One line for a person.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - kind: What is wrong.
    ///   - file: The file.
    ///   - line: The line, from 1.
    ///   - column: The column, from 1.
    ///   - vectorID: The vector's id.
    ///   - path: The JSON path.
    ///   - message: One line for a person.
    public init(
        kind: Kind, file: String, line: Int? = nil, column: Int? = nil, vectorID: String? = nil,
        path: String? = nil, message: String
    ) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.vectorID = vectorID
        self.path = path
        self.message = message
    }

    public var description: String {
        var text = file
        if let line, let column { text += ":\(line):\(column)" }
        text += ":"
        if let vectorID { text += " vector '\(vectorID)':" }
        if let path { text += " \(path):" }
        return text + " " + message
    }
}
