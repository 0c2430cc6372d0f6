import Foundation

/// Finds the corpus when the user does not name one, so that the tool works from any directory.
public enum VectorLocator {
    /// The environment variable that names a corpus directory.
    public static let environmentVariable = "PPG_VECTORS"

    /// Where a corpus was found, and by which rule.
    public struct Location: Sendable, Equatable {
        /// The corpus directory.
        public var directory: String
        /// `--vectors`, `PPG_VECTORS`, `beside the executable` or `source checkout`.
        public var origin: String
    }

    /// Finds the corpus: `--vectors`, then `PPG_VECTORS`, then `vectors/` beside the executable (or
    /// `../share/ppg-conformance/vectors`), then the source checkout the tool was built from.
    /// - Parameters:
    ///   - explicit: The `--vectors` value, if given.
    ///   - environment: The process environment.
    ///   - executablePath: The running executable's path.
    /// - Returns: The location, or `nil` when none of the places holds a manifest.
    public static func locate(
        explicit: String?, environment: [String: String], executablePath: String?
    )
        -> Location?
    {
        if let explicit { return Location(directory: explicit, origin: "--vectors") }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return Location(directory: fromEnvironment, origin: environmentVariable)
        }
        if let executablePath {
            let directory = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
            for candidate in ["vectors", "../share/ppg-conformance/vectors"] {
                let path = directory.appendingPathComponent(candidate).standardizedFileURL.path
                if hasCorpus(path) { return Location(directory: path, origin: "beside the executable") }
            }
        }
        // Sources/PPGVectors/Loading/VectorLocator.swift → the checkout's top level.
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("vectors").path
        if hasCorpus(checkout) { return Location(directory: checkout, origin: "source checkout") }
        return nil
    }

    static func hasCorpus(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: VectorLoader.resolve(path) + "/manifest.json")
    }

    /// The version of the corpus the tool finds by default, for `--version`.
    /// - Parameter executablePath: The running executable's path.
    /// - Returns: The manifest's version, or `nil`.
    public static func bundledCorpusVersion(executablePath: String?) -> String? {
        guard
            let location = locate(
                explicit: nil, environment: ProcessInfo.processInfo.environment,
                executablePath: executablePath),
            let corpus = try? VectorLoader.load(directory: location.directory)
        else { return nil }
        return corpus.manifest.version
    }
}
