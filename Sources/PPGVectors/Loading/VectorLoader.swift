import Foundation
import PPGSignature
import PPGWire

/// Loads a corpus directory: `manifest.json` and every other `*.json` file below it, each checked strictly.
public enum VectorLoader {
    /// Loads and validates a corpus.
    /// - Parameter directory: The corpus directory (the one holding `manifest.json`), or its parent when that
    ///   holds exactly a `v1` corpus.
    ///   - overrides: File contents to read instead of the disk's, by path relative to the corpus directory — a file
    ///     about to be written, checked as part of the corpus before it is (`vectors new --into`).
    /// - Returns: The corpus.
    /// - Throws: `VectorLoadError` for the first problem found.
    public static func load(directory: String, overrides: [String: [UInt8]] = [:]) throws(VectorLoadError) -> Corpus {
        let root = resolve(directory)
        func parse(_ relative: String) throws(VectorLoadError) -> ParsedFile {
            if let bytes = overrides[relative] { return try ParsedFile(source: bytes, displayName: relative) }
            return try ParsedFile(path: root + "/" + relative, displayName: relative)
        }
        let manifestFile = try parse("manifest.json")
        let manifest: Manifest = try manifestFile.decode(Manifest.self)
        guard manifest.format == Corpus.supportedFormat else {
            throw VectorLoadError(
                kind: .unsupportedFormat, file: "manifest.json", path: "$.format",
                message: "format \(manifest.format) is not supported (this tool reads format 1)")
        }
        guard isSemanticVersion(manifest.version) else {
            throw VectorLoadError(
                kind: .invalidValue, file: "manifest.json", path: "$.version",
                message: "version '\(manifest.version)' is not MAJOR.MINOR.PATCH")
        }
        var corpus = Corpus(directory: root, manifest: manifest)
        var seenIDs: [String: String] = [:]
        var materialised = 0
        let files = try listedFiles(manifest, manifestFile: manifestFile, root: root, overrides: overrides)
        for relative in files {
            var file = try parse(relative)
            let kind = try file.header()
            func common(_ vector: some CorpusVector, category: String, index: Int) throws(VectorLoadError) {
                let id = vector.id
                let path = "$.vectors[\(index)]"
                guard isValidID(id) else {
                    throw file.error(
                        .invalidValue, path: path + ".id", vectorID: id,
                        "id must be 'category/name' in lowercase letters, digits, '-', '.' and '_'")
                }
                guard id.hasPrefix(category + "/") else {
                    throw file.error(
                        .invalidValue, path: path + ".id", vectorID: id,
                        "id must start with the file's category '\(category)/'")
                }
                if let other = seenIDs[id] {
                    throw file.error(.duplicateID, path: path + ".id", vectorID: id, "id already used in \(other)")
                }
                seenIDs[id] = relative
                for (flagIndex, flag) in vector.flags.enumerated() where manifest.notes[flag] == nil {
                    throw file.error(
                        .unknownFlag, path: path + ".flags[\(flagIndex)]", vectorID: id,
                        "flag '\(flag)' is not described in manifest.json notes")
                }
                if vector.provenance != .derived && (vector.source ?? "").isEmpty {
                    throw file.error(
                        .missingField, path: path, vectorID: id,
                        "a \(vector.provenance.rawValue) vector needs a 'source'")
                }
            }
            /// Decodes the file as vectors of one kind and checks each: the same steps for every kind.
            func load<V: CorpusVector>(_ type: V.Type) throws(VectorLoadError) -> [Located<V>] {
                let decoded = try file.decode(VectorFile<V>.self)
                for (index, vector) in decoded.vectors.enumerated() {
                    try common(vector, category: file.category, index: index)
                    try V.validate(vector, file: file, index: index)
                    // What running it would build, checked before anything is: a small file can ask for gigabytes.
                    let size = vector.materialisedBytes
                    guard size <= CorpusLimits.maximumVectorBytes else {
                        throw file.error(
                            .invalidValue, path: "$.vectors[\(index)]", vectorID: vector.id,
                            "asks for \(size == Int.max ? "more than \(Int.max)" : String(size)) bytes in memory "
                                + "(message × repeat, bodies after placeholders); a vector may ask for at most "
                                + "\(CorpusLimits.maximumVectorBytes)")
                    }
                    materialised += size
                    guard materialised <= CorpusLimits.maximumCorpusBytes else {
                        throw file.error(
                            .invalidValue, path: "$.vectors[\(index)]", vectorID: vector.id,
                            "with this vector the corpus asks for more than \(CorpusLimits.maximumCorpusBytes) bytes "
                                + "in memory in all, the most a corpus may")
                    }
                }
                corpus.fileDescriptions[relative] = decoded.description
                return decoded.vectors.map { Located(vector: $0, file: relative, category: decoded.category) }
            }
            switch kind {
            case .digest: corpus.digestVectors += try load(DigestVector.self)
            case .signature: corpus.signatureVectors += try load(SignatureVector.self)
            case .receiver: corpus.receiverVectors += try load(ReceiverVector.self)
            }
        }
        return corpus
    }

    /// The manifest's `files`, checked against the tree: each a relative `.json` path listed once, each present,
    /// and no vector file on disk left out. Sorted, so the corpus order does not depend on the listing.
    static func listedFiles(
        _ manifest: Manifest, manifestFile: ParsedFile, root: String, overrides: [String: [UInt8]]
    ) throws(VectorLoadError) -> [String] {
        var listed: Set<String> = []
        for (index, relative) in manifest.files.enumerated() {
            let path = "$.files[\(index)]"
            let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
            guard relative.hasSuffix(".json"), relative != "manifest.json", !relative.hasPrefix("/"),
                !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
            else {
                throw manifestFile.error(
                    .invalidValue, path: path, "'\(relative)' is not a vector file's path inside the corpus")
            }
            guard listed.insert(relative).inserted else {
                throw manifestFile.error(.invalidValue, path: path, "'\(relative)' is listed twice")
            }
            guard overrides[relative] != nil || FileManager.default.fileExists(atPath: root + "/" + relative) else {
                throw manifestFile.error(
                    .unreadable, path: path, "'\(relative)' is listed in 'files' but missing from the corpus")
            }
        }
        for relative in try vectorFiles(root: root) where !listed.contains(relative) {
            throw VectorLoadError(
                kind: .invalidValue, file: relative,
                message: "not listed in manifest.json 'files' (list it, or remove the file)")
        }
        return listed.sorted()
    }

    /// The corpus directory a user-given path means.
    static func resolve(_ directory: String) -> String {
        var root = directory
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        let manager = FileManager.default
        if !manager.fileExists(atPath: root + "/manifest.json")
            && manager.fileExists(atPath: root + "/v1/manifest.json")
        {
            return root + "/v1"
        }
        return root
    }

    /// Every `*.json` file below the root except the manifest, sorted, relative to the root. Symlinked
    /// directories are followed (eight levels at most), each real directory once, so links back up the tree
    /// (`a -> .`) cost nothing; a directory that cannot be read is an error, not a gap.
    static func vectorFiles(root: String) throws(VectorLoadError) -> [String] {
        var files: [String] = []
        var visited: Set<String> = []
        func walk(_ relative: String, depth: Int) throws(VectorLoadError) {
            let path = relative.isEmpty ? root : root + "/" + relative
            guard visited.insert(URL(fileURLWithPath: path).resolvingSymlinksInPath().path).inserted else { return }
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw VectorLoadError(
                    kind: .unreadable, file: relative.isEmpty ? root : relative + "/",
                    message: "cannot read the directory")
            }
            for entry in entries.sorted() where !entry.hasPrefix(".") {
                let child = relative.isEmpty ? entry : relative + "/" + entry
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: root + "/" + child, isDirectory: &isDirectory) else {
                    continue
                }
                if isDirectory.boolValue {
                    guard depth < 8 else { continue }
                    try walk(child, depth: depth + 1)
                } else if entry.hasSuffix(".json") && child != "manifest.json" {
                    files.append(child)
                }
            }
        }
        try walk("", depth: 0)
        return files.sorted()
    }

    static func isValidID(_ id: String) -> Bool {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-._")
        return parts.allSatisfy { part in
            guard let first = part.first, first.isLetter || first.isNumber else { return false }
            return part.allSatisfy { allowed.contains($0) }
        }
    }

    static func isSemanticVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}

/// One vector file, parsed, with what is needed to point at a position in it.
struct ParsedFile {
    let displayName: String
    let source: [UInt8]
    let root: JSONValue
    /// The category, known once the header is read.
    private(set) var category = ""

    init(path: String, displayName: String) throws(VectorLoadError) {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= CorpusLimits.maximumFileBytes else {
            throw VectorLoadError(
                kind: .invalidValue, file: displayName,
                message: "is \(size) bytes; a vector file may be at most \(CorpusLimits.maximumFileBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VectorLoadError(kind: .unreadable, file: displayName, message: "cannot read the file")
        }
        try self.init(source: Array(data), displayName: displayName)
    }

    init(source: [UInt8], displayName: String) throws(VectorLoadError) {
        self.displayName = displayName
        self.source = source
        do {
            root = try JSONParser.parse(source)
        } catch {
            let (line, column) = jsonLocation(of: error.offset, in: source)
            throw VectorLoadError(
                kind: .malformedJSON, file: displayName, line: line, column: column,
                message: "not JSON: \(error.message)")
        }
        try checkDuplicateMembers(root, path: "$")
    }

    func error(
        _ kind: VectorLoadError.Kind, path: String, vectorID: String? = nil, offset: Int? = nil,
        _ message: String
    ) -> VectorLoadError {
        let position = offset ?? node(atPath: path)?.span.lowerBound
        let location = position.map { jsonLocation(of: $0, in: source) }
        return VectorLoadError(
            kind: kind, file: displayName, line: location?.line, column: location?.column,
            vectorID: vectorID, path: path, message: message)
    }

    private func checkDuplicateMembers(_ value: JSONValue, path: String) throws(VectorLoadError) {
        switch value.kind {
        case .object(let members):
            var seen: Set<[UInt8]> = []
            for member in members {
                let childPath = path + "." + member.nameString
                guard seen.insert(member.name).inserted else {
                    throw error(
                        .duplicateMember, path: childPath, offset: member.nameSpan.lowerBound,
                        "member '\(member.nameString)' appears twice")
                }
                try checkDuplicateMembers(member.value, path: childPath)
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                try checkDuplicateMembers(element, path: path + "[\(index)]")
            }
        default:
            break
        }
    }

    /// Reads `format` and `kind` first, so that a file of another format gets that error, not a field error.
    mutating func header() throws(VectorLoadError) -> VectorKind {
        guard case .object(let members) = root.kind else {
            throw error(.wrongType, path: "$", "expected an object, found \(root.typeName)")
        }
        func member(_ name: String) -> JSONValue? { members.first { $0.nameString == name }?.value }
        guard let format = member("format") else { throw error(.missingField, path: "$", "missing field 'format'") }
        let formatText = String(decoding: source[format.span], as: UTF8.self)
        guard formatText == String(Corpus.supportedFormat) else {
            throw error(
                .unsupportedFormat, path: "$.format",
                "format \(formatText) is not supported (this tool reads format \(Corpus.supportedFormat))")
        }
        guard let kindValue = member("kind") else { throw error(.missingField, path: "$", "missing field 'kind'") }
        guard case .string(let bytes) = kindValue.kind,
            let kind = VectorKind(rawValue: String(decoding: bytes, as: UTF8.self))
        else {
            throw error(.invalidValue, path: "$.kind", "kind must be one of: digest, signature, receiver")
        }
        if let category = member("category"), case .string(let name) = category.kind {
            self.category = String(decoding: name, as: UTF8.self)
        }
        return kind
    }

    /// Decodes the whole file, then reports members that no field read.
    func decode<T: Decodable>(_ type: T.Type) throws(VectorLoadError) -> T {
        let context = TreeDecodingContext(source: source)
        let decoded: T
        do {
            decoded = try T(from: TreeDecoder(value: root, context: context, codingPath: []))
        } catch let failure as DecodingError {
            throw translate(failure)
        } catch let failure as VectorLoadError {
            throw failure
        } catch {
            throw VectorLoadError(kind: .invalidValue, file: displayName, message: "\(error)")
        }
        try checkUnknownMembers(root, path: "$", context: context)
        return decoded
    }

    private func checkUnknownMembers(
        _ value: JSONValue, path: String, context: TreeDecodingContext
    )
        throws(VectorLoadError)
    {
        switch value.kind {
        case .object(let members):
            let read = context.read[value.span.lowerBound]
            for member in members {
                let childPath = path + "." + member.nameString
                if let read, !read.contains(member.nameString) {
                    throw error(
                        .unknownField, path: childPath, vectorID: vectorID(in: childPath),
                        offset: member.nameSpan.lowerBound, "unknown field '\(member.nameString)'")
                }
                try checkUnknownMembers(member.value, path: childPath, context: context)
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                try checkUnknownMembers(element, path: path + "[\(index)]", context: context)
            }
        default:
            break
        }
    }

    private func translate(_ failure: DecodingError) -> VectorLoadError {
        func render(_ codingPath: [any CodingKey]) -> String {
            "$" + codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
        }
        switch failure {
        case .keyNotFound(let key, let context):
            let path = render(context.codingPath)
            return error(.missingField, path: path, vectorID: vectorID(in: path), "missing field '\(key.stringValue)'")
        case .typeMismatch(_, let context):
            let path = render(context.codingPath)
            return error(.wrongType, path: path, vectorID: vectorID(in: path), context.debugDescription)
        case .valueNotFound(_, let context):
            let path = render(context.codingPath)
            return error(.missingField, path: path, vectorID: vectorID(in: path), context.debugDescription)
        case .dataCorrupted(let context):
            let path = render(context.codingPath)
            var message = context.debugDescription
            if let value = node(atPath: path), case .string(let bytes) = value.kind {
                message =
                    "invalid value '\(String(decoding: bytes, as: UTF8.self))'"
                    + (allowedValues(atPath: path).map { " (expected one of: \($0))" } ?? "")
            }
            return error(.invalidValue, path: path, vectorID: vectorID(in: path), message)
        @unknown default:
            return VectorLoadError(kind: .invalidValue, file: displayName, message: "\(failure)")
        }
    }

    /// The allowed values of the enumeration stored at a path, by the field's name.
    private func allowedValues(atPath path: String) -> String? {
        let field = path.split(separator: ".").last.map(String.init) ?? ""
        let name = field.split(separator: "[").first.map(String.init) ?? field
        let values: [String]? =
            switch name {
            case "scheme", "schemes": SignatureScheme.allCases.map(\.rawValue)
            case "encoding", "encodings": SignatureEncoding.allCases.map(\.rawValue)
            case "result": SignatureResult.allCases.map(\.rawValue)
            case "level": VectorLevel.allCases.map(\.rawValue)
            case "expect": ExpectedVerdict.allCases.map(\.rawValue)
            case "provenance": Provenance.allCases.map(\.rawValue)
            case "kind": SignatureDirective.Kind.allCases.map(\.rawValue)
            default: nil
            }
        return values?.joined(separator: ", ")
    }

    /// The id of the vector a path lies in (`$.vectors[N]…`), read from the tree.
    func vectorID(in path: String) -> String? {
        guard path.hasPrefix("$.vectors["), let close = path.firstIndex(of: "]") else { return nil }
        let indexText = path[path.index(path.startIndex, offsetBy: 10)..<close]
        guard let index = Int(indexText), let vector = node(atPath: "$.vectors[\(index)]"),
            case .object(let members) = vector.kind,
            let idValue = members.first(where: { $0.nameString == "id" })?.value,
            case .string(let bytes) = idValue.kind
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value at a path such as `$.vectors[3].request.headers[0]`.
    func node(atPath path: String) -> JSONValue? {
        var current = root
        var rest = Substring(path.dropFirst())
        while !rest.isEmpty {
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"),
                    let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                    case .array(let elements) = current.kind, elements.indices.contains(index)
                else { return nil }
                current = elements[index]
                rest = rest[rest.index(after: close)...]
            } else if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                let name = String(rest[..<end])
                guard case .object(let members) = current.kind,
                    let member = members.first(where: { $0.nameString == name })
                else { return nil }
                current = member.value
                rest = rest[end...]
            } else {
                return nil
            }
        }
        return current
    }
}
