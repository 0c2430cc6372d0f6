import Foundation
import PPGVectors

/// Finds and loads the corpus for a command, with the one-line errors of the README.
enum CorpusLoading {
    static let option = OptionSpec.value(
        "vectors", "DIR",
        "The corpus directory (default: $\(VectorLocator.environmentVariable), beside the "
            + "executable, or the source checkout).")

    static func load(_ arguments: ParsedArguments) throws(CLIError) -> (Corpus, VectorLocator.Location) {
        let location = try locate(arguments)
        do {
            return (try VectorLoader.load(directory: location.directory), location)
        } catch {
            throw .input("invalid corpus in \(location.directory): \(error.description)")
        }
    }

    static func locate(_ arguments: ParsedArguments) throws(CLIError) -> VectorLocator.Location {
        guard
            let location = VectorLocator.locate(
                explicit: arguments.value(option), environment: ProcessInfo.processInfo.environment,
                executablePath: executablePath())
        else {
            throw .input(
                "\(arguments.command): no corpus found; pass --vectors DIR or set "
                    + "\(VectorLocator.environmentVariable)")
        }
        return location
    }

    static func executablePath() -> String? {
        #if os(Linux)
            if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
                return resolved
            }
        #endif
        return Bundle.main.executablePath
    }
}
