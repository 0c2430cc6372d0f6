import Foundation
import PPGConformance
import PPGSignature
import PPGVectors
import PPGWire

/// `vectors new`: scaffolds a signature vector with its signing input and signature computed, for contributors.
enum VectorsNewCommand: CLICommand {
    static let name = "vectors new"
    static let summary = "Scaffold a signature vector with the signing input and signature computed."
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let identifier = OptionSpec.value("id", "ID", "The new vector's id, 'category/name'.").required()
        static let key = OptionSpec.value("key", "K", "The projectId (key) as text.")
        static let keyHex = OptionSpec.value("key-hex", "HEX", "The key as hex bytes, instead of --key.")
        static let url = OptionSpec.value("url", "U", "The webhook URL as configured.").required()
        static let body = OptionSpec.value("body", "TEXT", "The body as text.")
        static let bodyFile = OptionSpec.value("body-file", "F", "Read the body's bytes from a file.")
        static let contentType = OptionSpec.value(
            "content-type", "T", "The Content-Type (default application/json when there is a body).")
        static let scheme = OptionSpec.value("scheme", "S", "url-params (default) or json-body.")
        static let encoding = OptionSpec.value("encoding", "E", "hex (default) or base64.")
        static let signature = OptionSpec.value(
            "signature", "VALUE", "The header value presented (default: the correct signature).")
        static let result = OptionSpec.value(
            "result", "R", "valid, invalid or acceptable (default: valid for the correct signature).")
        static let comment = OptionSpec.value("comment", "TEXT", "What the vector checks.")
        static let flag = OptionSpec.value("flag", "NAME", "A flag from manifest.json notes.", repeatable: true)
        static let into = OptionSpec.value(
            "into", "FILE", "Append the vector to this vector file (rewritten in canonical form).")
    }

    static let options: [OptionSpec] = [
        Options.identifier, Options.key, Options.keyHex, Options.url, Options.body, Options.bodyFile,
        Options.contentType, Options.scheme, Options.encoding, Options.signature, Options.result, Options.comment,
        Options.flag, Options.into,
    ]

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let id = try arguments.required(Options.identifier)
        let key = try SignCommand.keyBytes(arguments)
        let scheme: SignatureScheme = try arguments.choice(Options.scheme, default: .urlParameters)
        let encoding: SignatureEncoding = try arguments.choice(Options.encoding, default: .hex)
        let url = try arguments.required(Options.url)
        let body = try SignCommand.bodyBytes(arguments)
        let contentType = arguments.value(Options.contentType) ?? (body.isEmpty ? nil : "application/json")
        let input = try? SigningInput.make(scheme: scheme, url: url.utf8, body: body, contentType: contentType)
        let correct = input.map {
            Signer(key: key, profile: SignatureProfile(scheme: scheme, encoding: encoding))
                .signature(forSigningInput: $0)
        }
        let signature = arguments.value(Options.signature) ?? correct ?? ""
        let defaultResult: SignatureResult = signature == correct ? .valid : .invalid
        let result: SignatureResult = try arguments.choice(Options.result, default: defaultResult)
        var members: [(String, JSONOutput)] = [
            ("id", .string(id)),
            ("comment", .string(arguments.value(Options.comment) ?? scaffoldComment)),
            ("flags", .array(arguments.all(Options.flag).map { .string($0) })),
            ("provenance", .string("derived")),
            ("scheme", .string(scheme.rawValue)),
            ("encoding", .string(encoding.rawValue)),
        ]
        if arguments.value(Options.keyHex) != nil {
            members.append(("keyHex", .string(Hex.encode(key))))
        } else {
            members.append(("key", .string(String(decoding: key, as: UTF8.self))))
        }
        members += [("method", .string("POST")), ("url", .string(url))]
        if let contentType { members.append(("contentType", .string(contentType))) }
        if let text = String(validating: body, as: UTF8.self) {
            members.append(("body", .string(text)))
        } else {
            members.append(("bodyBase64", .string(Data(body).base64EncodedString())))
        }
        if let input {
            if let text = String(validating: input, as: UTF8.self) {
                members.append(("signingInput", .string(text)))
            } else {
                members.append(("signingInputBase64", .string(Data(input).base64EncodedString())))
            }
        }
        members += [("signature", .string(signature)), ("result", .string(result.rawValue))]
        let vector = JSONOutput.object(members)
        guard let file = try arguments.outputFile(Options.into) else {
            Console.out(vector.rendered(pretty: true))
            return ExitCode.success
        }
        let into = file.path
        let (root, relative) = try corpusLocation(of: file)
        var fileMembers: [(String, JSONOutput)]
        var manifestText: String?
        if let bytes = FileManager.default.contents(atPath: file.resolved) {
            guard let parsed = try? JSONParser.parse(Array(bytes)), case .object = parsed.kind,
                case .object(let members) = parsed.output(source: Array(bytes)),
                let index = members.firstIndex(where: { $0.0 == "vectors" }),
                case .array(let vectors) = members[index].1
            else {
                throw CLIError.input("vectors new: '\(into)' is not a vector file with a 'vectors' array")
            }
            if let kind = members.first(where: { $0.0 == "kind" })?.1, kind != .string(VectorKind.signature.rawValue) {
                throw CLIError.input(
                    "vectors new: '\(into)' is not a signature vector file ('kind' is \(kind.rendered(pretty: false))); "
                        + "'vectors new' scaffolds signature vectors")
            }
            fileMembers = members
            fileMembers[index].1 = .array(vectors + [vector])
        } else {
            // A new category file: its category is the id's first part, its description the contributor's to write.
            fileMembers = [
                ("format", .integer(Corpus.supportedFormat)), ("kind", .string(VectorKind.signature.rawValue)),
                ("category", .string(String(id.prefix { $0 != "/" }))),
                ("description", .string(scaffoldDescription)), ("vectors", .array([vector])),
            ]
            manifestText = try manifestListing(relative, root: root)
        }
        let text = JSONOutput.object(fileMembers).rendered(pretty: true) + "\n"
        // The corpus as it would be with the file written: every loader check (duplicate ids, unknown flags, ids of
        // another category, fields of another kind) refuses the vector before anything is written.
        do {
            var overrides = [relative: Array(text.utf8)]
            if let manifestText { overrides["manifest.json"] = Array(manifestText.utf8) }
            _ = try VectorLoader.load(directory: root, overrides: overrides)
        } catch {
            throw CLIError.input("vectors new: not written: \(error.description)")
        }
        try arguments.write(text, to: file)
        if let manifestText {
            try arguments.write(manifestText, to: try OutputFile.check(root + "/manifest.json", option: "manifest"))
            Console.out("listed \(relative) in manifest.json 'files'")
        }
        // Name only what is left to write: the comment when '--comment' was not given, a new file's description.
        var todos: [String] = []
        if arguments.value(Options.comment) == nil { todos.append("the vector's 'comment'") }
        if manifestText != nil { todos.append("the new file's 'description'") }
        let next =
            todos.isEmpty
            ? "now run 'ppg-conformance vectors lint'"
            : "now replace the TODO in \(todos.joined(separator: " and ")) and run 'ppg-conformance vectors lint'"
        Console.out("added '\(id)' to \(into); \(next)")
        return ExitCode.success
    }

    /// What a scaffolded vector's comment and a new file's description say until the contributor writes them;
    /// `vectors lint` reports any left.
    static let scaffoldComment = "TODO: say what this vector checks"
    static let scaffoldDescription = "TODO: say what this category checks"

    /// The manifest with a new vector file added to its `files`, in canonical form.
    static func manifestListing(_ relative: String, root: String) throws(CLIError) -> String {
        guard let bytes = FileManager.default.contents(atPath: root + "/manifest.json"),
            let parsed = try? JSONParser.parse(Array(bytes)),
            case .object(var members) = parsed.output(source: Array(bytes)),
            let index = members.firstIndex(where: { $0.0 == "files" }), case .array(let files) = members[index].1
        else {
            throw CLIError.input("vectors new: \(root)/manifest.json has no 'files' list to add '\(relative)' to")
        }
        let names = (files.compactMap { if case .string(let name) = $0 { name } else { nil } } + [relative]).sorted()
        members[index].1 = .array(names.map { .string($0) })
        return JSONOutput.object(members).rendered(pretty: true) + "\n"
    }

    /// The corpus directory above a vector file (the nearest holding `manifest.json`) and the file's path in it.
    static func corpusLocation(of file: OutputFile) throws(CLIError) -> (root: String, relative: String) {
        var directory = OutputFile.split(file.resolved).directory
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: directory + "/manifest.json") {
                return (directory, String(file.resolved.dropFirst(directory.count + 1)))
            }
            guard directory != "/" else { break }
            directory = OutputFile.split(directory).directory
        }
        throw CLIError.usage(
            "vectors new: '--into \(file.path)' is not inside a corpus (no manifest.json in its directory or above)")
    }
}
