import Foundation
import PPGSignature
import PPGWire

/// One problem `vectors lint` found.
public struct LintProblem: Sendable, CustomStringConvertible {
    /// The file concerned.
    public var file: String
    /// The vector concerned, when there is one.
    public var vectorID: String?
    /// One line for a person.
    public var message: String

    /// Creates a problem.
    /// - Parameters:
    ///   - file: The file concerned.
    ///   - vectorID: The vector concerned, if any.
    ///   - message: One line for a person.
    public init(file: String, vectorID: String?, message: String) {
        self.file = file
        self.vectorID = vectorID
        self.message = message
    }

    public var description: String {
        file + ":" + (vectorID.map { " vector '\($0)':" } ?? "") + " " + message
    }
}

/// The checks beyond loading: every vector recomputed with the reference, and every file in canonical form.
public enum CorpusLint {
    /// Recomputes digests, signing inputs and signatures, and checks each result against the reference verifier.
    /// - Parameter corpus: The loaded corpus.
    /// - Returns: The problems, empty when the corpus is sound.
    public static func check(_ corpus: Corpus) -> [LintProblem] {
        var problems: [LintProblem] = []
        for located in corpus.digestVectors {
            let vector = located.vector
            let actual = SignatureEncoding.hex.encode(SHA1.hash(vector.messageBytes))
            if actual != vector.digest {
                problems.append(
                    LintProblem(
                        file: located.file, vectorID: vector.id,
                        message: "digest is \(vector.digest), the reference computes \(actual)"))
            }
        }
        // A scaffold's placeholder left in place (`vectors new` writes them) says nothing to the next reader.
        let comments =
            corpus.digestVectors.map { ($0.file, $0.vector.id, $0.vector.comment) }
            + corpus.signatureVectors.map { ($0.file, $0.vector.id, $0.vector.comment) }
            + corpus.receiverVectors.map { ($0.file, $0.vector.id, $0.vector.comment) }
        for (file, id, comment) in comments where comment.hasPrefix("TODO") {
            problems.append(LintProblem(file: file, vectorID: id, message: "the comment is still a TODO: \(comment)"))
        }
        for (file, description) in corpus.fileDescriptions.sorted(by: { $0.key < $1.key })
        where description.hasPrefix("TODO") {
            problems.append(LintProblem(file: file, vectorID: nil, message: "the description is still a TODO"))
        }
        for located in corpus.signatureVectors {
            problems += check(located.vector).map {
                LintProblem(file: located.file, vectorID: located.vector.id, message: $0)
            }
        }
        return problems
    }

    static func check(_ vector: SignatureVector) -> [String] {
        var problems: [String] = []
        if vector.bodyBase64 != nil, String(validating: vector.bodyBytes, as: UTF8.self) != nil {
            problems.append("the body is UTF-8: write it as 'body', not 'bodyBase64'")
        }
        if vector.signingInputBase64 != nil, let bytes = vector.signingInputBytes,
            String(validating: bytes, as: UTF8.self) != nil
        {
            problems.append("the signing input is UTF-8: write it as 'signingInput', not 'signingInputBase64'")
        }
        let computed: [UInt8]?
        do {
            computed = try SigningInput.make(
                scheme: vector.scheme, url: vector.url.utf8, body: vector.bodyBytes,
                contentType: vector.contentType)
        } catch {
            computed = nil
            if vector.signingInputBytes != nil {
                problems.append("the reference cannot read this body (\(error.description)): omit the signing input")
            }
            if vector.result == .valid { problems.append("no signing input exists, so the vector cannot be valid") }
        }
        if let computed, let given = vector.signingInputBytes, computed != given {
            let shown = String(decoding: computed.prefix(200), as: UTF8.self)
            problems.append("signing input differs from the reference's: \(shown)")
        }
        if computed != nil, vector.signingInputBytes == nil {
            problems.append("the reference computes a signing input: add it")
        }
        let verifier = SignatureVerifier(key: vector.keyBytes, profile: vector.profile)
        let verdict = verifier.verify(url: vector.url, headers: vector.headers, body: vector.bodyBytes)
        switch (vector.result, verdict) {
        case (.valid, .failure(let failure)):
            problems.append("result is valid, but the reference rejects it (\(failure))")
        case (.invalid, .success):
            problems.append("result is invalid, but the reference accepts it")
        case (.acceptable, _) where vector.flags.isEmpty:
            problems.append("an acceptable vector needs a flag that says why")
        default:
            break
        }
        if vector.result == .invalid, let computed {
            let correct = Signer(key: vector.keyBytes, profile: vector.profile).signature(forSigningInput: computed)
            if correct == vector.signature {
                problems.append("result is invalid, but the signature is the correct one")
            }
        }
        return problems
    }

    /// Files that are not in canonical form (the pretty rendering of `JSONOutput`, then a newline).
    /// - Parameters:
    ///   - directory: The corpus directory.
    ///   - fix: Rewrite such files in canonical form.
    /// - Returns: The problems (with `fix`, the files rewritten).
    public static func formatting(directory: String, fix: Bool) -> [LintProblem] {
        let root = VectorLoader.resolve(directory)
        var problems: [LintProblem] = []
        let files = ["manifest.json"] + ((try? VectorLoader.vectorFiles(root: root)) ?? [])
        for relative in files {
            let path = root + "/" + relative
            guard let data = FileManager.default.contents(atPath: path),
                let value = try? JSONParser.parse(Array(data))
            else { continue }
            // Invisible characters are written as escapes: a diff then shows `\u2028`, not nothing.
            let canonical = escapingInvisible(value.output(source: Array(data)).rendered(pretty: true) + "\n")
            guard Array(canonical.utf8) != Array(data) else { continue }
            let invisible = invisibleCharacters(in: String(decoding: data, as: UTF8.self))
            if !fix && !invisible.isEmpty {
                for found in invisible.prefix(5) {
                    problems.append(
                        LintProblem(
                            file: relative + ":\(found.line):\(found.column)", vectorID: nil,
                            message: "a raw \(found.name) is invisible in a diff: write it as \(found.escape) "
                                + "(vectors lint --fix)"))
                }
                if invisible.count > 5 {
                    problems.append(
                        LintProblem(
                            file: relative, vectorID: nil,
                            message: "\(invisible.count - 5) more raw invisible characters (vectors lint --fix)"))
                }
                continue
            }
            if fix {
                try? Data(canonical.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                problems.append(LintProblem(file: relative, vectorID: nil, message: "rewritten in canonical form"))
            } else {
                problems.append(
                    LintProblem(
                        file: relative, vectorID: nil,
                        message: "not in canonical form (run 'vectors lint --fix')"))
            }
        }
        return problems
    }

    /// Whether a scalar is invisible or misleading when written raw: a control (`Cc`, other than the line feed
    /// the canonical form writes between lines), a format character (`Cf`: zero-width, bidi controls, the byte
    /// order mark, soft hyphen), or a line or paragraph separator (`Zl`, `Zp`).
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        // Printable ASCII, nearly every scalar of a corpus, without a Unicode table lookup.
        if scalar == "\n" || (0x20..<0x7F).contains(scalar.value) { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// The JSON escape of a scalar: `\uXXXX`, a surrogate pair past the BMP.
    static func jsonEscape(_ scalar: Unicode.Scalar) -> String {
        func hex(_ unit: UInt16) -> String {
            let digits = String(unit, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        return String(scalar).utf16.map(hex).joined()
    }

    /// The text with every invisible scalar written as its escape. Outside strings JSON holds only white space
    /// and tokens, none of them invisible, so every such scalar sits in a string, where the escape means the same.
    static func escapingInvisible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isInvisible) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isInvisible(scalar) { out += jsonEscape(scalar) } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// Each raw invisible scalar in a file's text: where it is (line and column from 1, columns in scalars), its
    /// Unicode name and its escape.
    static func invisibleCharacters(
        in text: String
    ) -> [(line: Int, column: Int, name: String, escape: String)] {
        var found: [(line: Int, column: Int, name: String, escape: String)] = []
        var line = 1
        var column = 1
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                line += 1
                column = 1
                continue
            }
            if isInvisible(scalar) {
                let code = String(scalar.value, radix: 16, uppercase: true)
                let name = scalar.properties.name ?? scalar.properties.nameAlias ?? "control character"
                found.append(
                    (
                        line, column,
                        "U+" + String(repeating: "0", count: max(0, 4 - code.count)) + code + " (\(name))",
                        jsonEscape(scalar)
                    ))
            }
            column += 1
        }
        return found
    }
}
