import PPGConformance
import PPGSignature
import PPGVectors

/// `vectors list`: what the corpus holds.
enum VectorsListCommand: CLICommand {
    static let name = "vectors list"
    static let summary = "List the corpus's vectors (id, kind, expectation, flags)."
    static let usage = "ppg-conformance vectors list [--vectors DIR] [--json]"
    static let options: [OptionSpec] = [
        CorpusLoading.option,
        .flag("json", "Print one JSON document instead of a table."),
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
        if arguments.has("json") {
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
            "\(counted(rows.count, "vector")) in \(counted(corpus.categories.count, "category", "categories")), corpus \(corpus.manifest.version), "
                + "from \(location.directory)")
        return ExitCode.success
    }
}
