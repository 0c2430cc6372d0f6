import PPGConformance
import PPGVectors
import PPGWire

/// `vectors list`: what the corpus holds.
enum VectorsListCommand: CLICommand {
    static let name = "vectors list"
    static let summary = "List the corpus's vectors (id, kind, expectation, flags) or its categories."
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let categories = OptionSpec.flag(
            "categories", "List the categories (kind, file, vector count, description) instead of the vectors.")
        static let json = OptionSpec.flag("json", "Print one JSON document instead of a table.")
    }

    static let options: [OptionSpec] = [
        CorpusLoading.option, Options.categories, Options.json,
    ]

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let (corpus, location) = try CorpusLoading.load(arguments)
        var rows:
            [(
                id: String, kind: String, category: String, expectation: String, level: String, flags: [String],
                comment: String
            )] = []
        for located in corpus.digestVectors {
            rows.append(
                (
                    located.vector.id, "digest", located.category, "digest", "required", located.vector.flags,
                    located.vector.comment
                ))
        }
        for located in corpus.signatureVectors {
            let vector = located.vector
            rows.append(
                (
                    vector.id, "signature", located.category, vector.result.rawValue, "required", vector.flags,
                    vector.comment
                ))
        }
        for located in corpus.receiverVectors {
            let vector = located.vector
            rows.append(
                (
                    vector.id, "receiver", located.category, vector.expect.rawValue, vector.level.rawValue,
                    vector.flags, vector.comment
                ))
        }
        if arguments.has(Options.categories) {
            return listCategories(corpus, rows: rows.map { ($0.category, $0.kind) }, json: arguments.has(Options.json))
        }
        if arguments.has(Options.json) {
            let document = JSONOutput.object([
                ("corpusVersion", .string(corpus.manifest.version)),
                ("directory", .string(location.directory)),
                (
                    "vectors",
                    .array(
                        rows.map { row in
                            .object([
                                ("id", .string(row.id)), ("kind", .string(row.kind)),
                                ("category", .string(row.category)),
                                ("expectation", .string(row.expectation)), ("level", .string(row.level)),
                                ("flags", .array(row.flags.map { .string($0) })), ("comment", .string(row.comment)),
                            ])
                        })
                ),
                (
                    "flags",
                    .object(corpus.manifest.notes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
                ),
            ])
            Console.out(document.rendered(pretty: true))
            return ExitCode.success
        }
        let width = min(60, rows.map(\.id.count).max() ?? 10) + 2
        for row in rows {
            Console.out(
                row.id.padding(to: width) + row.kind.padding(to: 11) + row.expectation.padding(to: 11)
                    + row.level.padding(to: 13) + row.flags.joined(separator: ","))
        }
        Console.out(
            "\(counted(rows.count, "vector")) in "
                + "\(counted(corpus.categories.count, "category", "categories")), corpus \(corpus.manifest.version), "
                + "from \(location.directory)")
        return ExitCode.success
    }

    /// One row a category, in corpus order: its kind, its file, how many vectors and the file's description.
    static func listCategories(_ corpus: Corpus, rows: [(category: String, kind: String)], json: Bool) -> Int32 {
        var files: [String: String] = [:]
        for located in corpus.digestVectors { files[located.category] = located.file }
        for located in corpus.signatureVectors { files[located.category] = located.file }
        for located in corpus.receiverVectors { files[located.category] = located.file }
        var order: [String] = []
        var counts: [String: (kind: String, count: Int)] = [:]
        for row in rows {
            if counts[row.category] == nil { order.append(row.category) }
            counts[row.category, default: (row.kind, 0)].count += 1
        }
        let entries = order.map { category in
            (
                name: category, kind: counts[category]?.kind ?? "", count: counts[category]?.count ?? 0,
                file: files[category] ?? "", description: corpus.fileDescriptions[files[category] ?? ""] ?? ""
            )
        }
        if json {
            let document = JSONOutput.object([
                ("corpusVersion", .string(corpus.manifest.version)),
                (
                    "categories",
                    .array(
                        entries.map { entry in
                            .object([
                                ("name", .string(entry.name)), ("kind", .string(entry.kind)),
                                ("file", .string(entry.file)), ("vectors", .integer(entry.count)),
                                ("description", .string(entry.description)),
                            ])
                        })
                ),
            ])
            Console.out(document.rendered(pretty: true))
            return ExitCode.success
        }
        let width = min(40, entries.map(\.name.count).max() ?? 10) + 2
        for entry in entries {
            Console.out(
                entry.name.padding(to: width) + entry.kind.padding(to: 11) + "\(entry.count)".padding(to: 5)
                    + OutsideText.escape(entry.description, for: .line))
        }
        Console.out("\(counted(entries.count, "category", "categories")), corpus \(corpus.manifest.version)")
        return ExitCode.success
    }
}
