import Foundation
import PPGWire

/// What `vectors lint` asks of git: whether a corpus under version control changed since the last commit without
/// its version being bumped and its changelog saying so. Where there is no git, no repository or no last commit,
/// there is nothing to compare with, and nothing is said.
public enum CorpusHistory {
    /// Changed files as a problem names them: the first three, then how many more.
    package static func named(_ files: [String]) -> String {
        files.prefix(3).joined(separator: ", ") + (files.count > 3 ? " and \(files.count - 3) more" : "")
    }

    /// Problems with the corpus's version bookkeeping against git's last commit.
    /// - Parameters:
    ///   - directory: The corpus directory (the one holding `manifest.json`).
    ///   - version: The manifest's version now.
    ///   - git: The git program (tests pass another).
    /// - Returns: One problem per missing step, empty when nothing changed or everything was done.
    public static func problems(directory: String, version: String, git: String = "git") -> [LintProblem] {
        let root = VectorLoader.resolve(directory)
        guard let top = run(git, ["-C", root, "rev-parse", "--show-toplevel"])?.trimmed,
            run(git, ["-C", root, "rev-parse", "--verify", "--quiet", "HEAD"]) != nil,
            let prefix = run(git, ["-C", root, "rev-parse", "--show-prefix"])?.trimmed,
            run(git, ["-C", top, "cat-file", "-e", "HEAD:\(prefix)manifest.json"]) != nil
        else { return [] }
        // Every change below the corpus, staged or not, new files included; the manifest alone is the bump itself.
        guard let status = run(git, ["-C", top, "status", "--porcelain", "--untracked-files=all", "--", prefix])
        else { return [] }
        let changed = status.split(separator: "\n").map { String($0.dropFirst(3)) }
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix("/manifest.json") && $0 != prefix + "manifest.json" }
        guard !changed.isEmpty else { return [] }
        let shown = named(changed)
        var problems: [LintProblem] = []
        let previous = run(git, ["-C", top, "show", "HEAD:\(prefix)manifest.json"]).flatMap(manifestVersion)
        if let previous, previous == version {
            problems.append(
                LintProblem(
                    file: "manifest.json", vectorID: nil,
                    message: "vectors changed since git's last commit (\(shown)) but the version is still \(version): "
                        + "bump it (CHANGELOG.md says how)"))
        }
        // The changelog lives beside the corpus's version directory (vectors/CHANGELOG.md for vectors/v1).
        let changelog = (root as NSString).deletingLastPathComponent + "/CHANGELOG.md"
        if FileManager.default.fileExists(atPath: changelog) {
            let text = (try? String(contentsOfFile: changelog, encoding: .utf8)) ?? ""
            if !text.contains("## \(version)") {
                problems.append(
                    LintProblem(
                        file: "../CHANGELOG.md", vectorID: nil,
                        message: "vectors changed since git's last commit (\(shown)) and CHANGELOG.md has no "
                            + "'## \(version)' entry saying what"))
            }
        }
        return problems
    }

    /// The `version` of a manifest's text.
    static func manifestVersion(_ text: String) -> String? {
        jsonStringMember("version", in: Array(text.utf8))
    }

    /// A program's standard output, or `nil` if it cannot run or exits other than 0.
    static func run(_ program: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_OPTIONAL_LOCKS"] = "0"
        process.environment = environment
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
