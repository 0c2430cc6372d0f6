import Foundation
import PPGVectors
import TestSupport
import Testing

@Suite("vectors lint: invisible characters and version bookkeeping")
struct LintHygieneTests {
    /// A copy of the corpus in a new directory, laid out as the repository holds it: `vectors/v1` and
    /// `vectors/CHANGELOG.md`. Returns the `v1` path.
    static func corpusCopy(only files: [String]? = nil) throws -> String {
        let root = try TestSupport.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/vectors", withIntermediateDirectories: true)
        if let files {
            for file in files {
                let path = root + "/vectors/v1/" + file
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory + "/" + file, toPath: path)
            }
            // The manifest as shipped but for its one-line file list, which names only the files copied.
            let manifest = try String(contentsOfFile: TestSupport.corpusDirectory + "/manifest.json", encoding: .utf8)
            let lines = manifest.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.hasPrefix("  \"files\": [")
                    ? "  \"files\": [" + files.map { "\"\($0)\"" }.joined(separator: ", ") + "]" : String(line)
            }
            try lines.joined(separator: "\n").write(
                toFile: root + "/vectors/v1/manifest.json", atomically: true, encoding: .utf8)
        } else {
            try FileManager.default.copyItem(atPath: TestSupport.corpusDirectory, toPath: root + "/vectors/v1")
        }
        try FileManager.default.copyItem(
            atPath: TestSupport.packageRoot + "/vectors/CHANGELOG.md", toPath: root + "/vectors/CHANGELOG.md")
        return root + "/vectors/v1"
    }

    /// Every kind of invisible character: controls (C0 past JSON's required escapes, DEL, C1), format characters
    /// (zero-width, joiners, bidi embeddings and isolates, BOM, soft hyphen, an astral tag), separators.
    static let invisible: [Unicode.Scalar] = [
        "\u{7F}", "\u{85}", "\u{9F}", "\u{200B}", "\u{200D}", "\u{202E}", "\u{2066}", "\u{FEFF}", "\u{AD}",
        "\u{E0001}", "\u{2028}", "\u{2029}",
    ]

    @Test("each raw invisible character is found at its line and column, and --fix writes it as an escape")
    func invisibleCharacters() throws {
        // A corpus of the manifest and the one file, put back after each character: the lint of one file is what
        // is tested, twelve times over.
        let v1 = try Self.corpusCopy(only: ["receiver/delivery-query.json"])
        let file = v1 + "/receiver/delivery-query.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        defer { try? text.write(toFile: file, atomically: true, encoding: .utf8) }
        for scalar in Self.invisible {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let needle = "\"comment\": \"A bare '?'."
            let range = try #require(text.range(of: needle))
            let changed = text.replacingCharacters(in: range, with: needle + String(scalar))
            try changed.write(toFile: file, atomically: true, encoding: .utf8)
            let line = text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
            let column =
                text[..<range.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).last.map {
                    $0.unicodeScalars.count
                } ?? 0
            let code = String(scalar.value, radix: 16, uppercase: true)
            let problems = CorpusLint.formatting(directory: v1, fix: false)
            #expect(problems.count == 1, "U+\(code): \(problems)")
            let expectedColumn = column + needle.unicodeScalars.count + 1
            #expect(
                problems.first?.file == "receiver/delivery-query.json:\(line):\(expectedColumn)",
                "U+\(code): \(problems)")
            #expect(problems.first?.message.contains(code) == true, "U+\(code): \(problems)")
            _ = CorpusLint.formatting(directory: v1, fix: true)
            let fixed = try String(contentsOfFile: file, encoding: .utf8)
            #expect(!fixed.unicodeScalars.contains(scalar), "U+\(code) still raw")
            let escape = String(scalar).utf16.map { unit in
                let digits = String(unit, radix: 16)
                return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            }.joined()
            #expect(fixed.contains(escape), "U+\(code): \(escape)")
            #expect(CorpusLint.formatting(directory: v1, fix: false).isEmpty, "U+\(code)")
            // The escape means what the raw character did.
            let corpus = try VectorLoader.load(directory: v1)
            let comment = corpus.receiverVectors.first { $0.vector.id == "delivery-query/empty" }?.vector.comment
            #expect(comment == "A bare '?'." + String(scalar), "U+\(code)")
        }
    }

    @Test("a file's first five raw invisible characters are listed each, the rest counted on one line")
    func invisibleCharactersCounted() throws {
        let v1 = try Self.corpusCopy(only: ["receiver/delivery-query.json"])
        let file = v1 + "/receiver/delivery-query.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        defer { try? text.write(toFile: file, atomically: true, encoding: .utf8) }
        let needle = "\"comment\": \"A bare '?'."
        let range = try #require(text.range(of: needle))
        for count in 4...7 {
            let inserted = String(String.UnicodeScalarView(Self.invisible.prefix(count)))
            try text.replacingCharacters(in: range, with: needle + inserted).write(
                toFile: file, atomically: true, encoding: .utf8)
            let problems = CorpusLint.formatting(directory: v1, fix: false)
            let listed = problems.filter { $0.message.hasPrefix("a raw ") }
            let summary = problems.filter { $0.message.contains("more raw invisible characters") }
            #expect(listed.count == min(count, 5), "\(count): \(problems)")
            #expect(summary.count == (count > 5 ? 1 : 0), "\(count): \(problems)")
            if count > 5 { #expect(summary.first?.message.hasPrefix("\(count - 5) more") == true, "\(problems)") }
            #expect(problems.count == listed.count + summary.count, "\(count): \(problems)")
        }
    }

    @Test("the manifest is linted like every other file: not canonical, or with a raw invisible character")
    func manifestToo() throws {
        let v1 = try Self.corpusCopy()
        let manifest = v1 + "/manifest.json"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "\"description\": \"", with: "\"description\": \"\u{2028}")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect(
            CorpusLint.formatting(directory: v1, fix: false).map(\.file).contains { $0.hasPrefix("manifest.json:") })
        try text.replacingOccurrences(of: "\n  ", with: "\n   ").write(
            toFile: manifest, atomically: true, encoding: .utf8)
        #expect(CorpusLint.formatting(directory: v1, fix: false).map(\.file) == ["manifest.json"])
    }

    @Test("text a person sees — letters of any script, emoji, combining marks, a no-break space — is left as it is")
    func visibleCharactersStay() throws {
        let v1 = try Self.corpusCopy()
        let file = v1 + "/receiver/delivery-query.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let needle = "\"comment\": \"A bare '?'."
        let changed = text.replacingOccurrences(of: needle, with: needle + "é中😀e\u{301}\u{A0}")
        try changed.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(CorpusLint.formatting(directory: v1, fix: false).isEmpty)
    }

    @Test("a version problem names the first three changed files and counts the rest, for any number of them")
    func changedFilesNamed() {
        for count in 1...8 {
            let files = (1...count).map { "receiver/v\($0).json" }
            let named = CorpusHistory.named(files)
            #expect(files.prefix(3).allSatisfy { named.contains($0) }, "\(named)")
            #expect(files.dropFirst(3).allSatisfy { !named.contains($0) }, "\(named)")
            #expect(named.hasSuffix(count > 3 ? " and \(count - 3) more" : files[count - 1]), "\(named)")
        }
    }

    @Test(
        "a vector changed since git's last commit needs a new version and a CHANGELOG entry; nothing else does",
        .enabled(if: TestSupport.which("git") != nil, "git is not installed"))
    func versionBookkeeping() throws {
        let git = try #require(TestSupport.which("git"))
        let v1 = try Self.corpusCopy()
        let root = (v1 as NSString).deletingLastPathComponent + "/.."
        let manifest = v1 + "/manifest.json"
        let version = try VectorLoader.load(directory: v1).manifest.version.split(separator: ".").map { Int($0) ?? 0 }
        // Not a repository yet: nothing to compare with.
        #expect(CorpusHistory.problems(directory: v1, version: "0.0.0").isEmpty)
        let identity = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
        for arguments in [["init", "-q"], ["add", "-A"], identity + ["commit", "-q", "-m", "corpus"]] {
            #expect(try TestSupport.run(git, ["-C", root] + arguments).status == 0)
        }
        let current = version.map(String.init).joined(separator: ".")
        #expect(CorpusHistory.problems(directory: v1, version: current).isEmpty)
        // The manifest alone (a version bump) is no vector change.
        let file = v1 + "/receiver/delivery-query.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "A bare '?'.", with: "A bare '?' (changed).")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let unbumped = CorpusHistory.problems(directory: v1, version: current)
        #expect(unbumped.count == 1 && unbumped.first?.file == "manifest.json", "\(unbumped)")
        let next = "\(version[0]).\(version[1]).\(version[2] + 1)"
        let manifestText = try String(contentsOfFile: manifest, encoding: .utf8)
        try manifestText.replacingOccurrences(of: "\"version\": \"\(current)\"", with: "\"version\": \"\(next)\"")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let noEntry = CorpusHistory.problems(directory: v1, version: next)
        #expect(noEntry.count == 1 && noEntry.first?.message.contains("## \(next)") == true, "\(noEntry)")
        let changelog = v1 + "/../CHANGELOG.md"
        let log = try String(contentsOfFile: changelog, encoding: .utf8)
        try ("## \(next) — test\n\n- changed a comment\n\n" + log).write(
            toFile: changelog, atomically: true, encoding: .utf8)
        #expect(CorpusHistory.problems(directory: v1, version: next).isEmpty)
        // A new, untracked vector file counts as a change too.
        try text.write(toFile: v1 + "/receiver/new.json", atomically: true, encoding: .utf8)
        #expect(!CorpusHistory.problems(directory: v1, version: current).isEmpty)
    }
}
