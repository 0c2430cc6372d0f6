import Foundation

/// Writes a file so that readers see the old content or the new, never half: a temporary file beside it, then
/// a rename.
public enum AtomicFile {
    /// A file that could not be written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The file's path.
        public var path: String
        /// The reason phrase or explanation.
        public var reason: String
        public var description: String { "cannot write '\(path)': \(reason)" }
    }

    /// Writes text to a path atomically.
    /// - Parameters:
    ///   - text: The content, written as UTF-8.
    ///   - path: The destination.
    /// - Throws: `Failure` naming the path.
    public static func write(_ text: String, to path: String) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw Failure(path: path, reason: (error as NSError).localizedDescription)
        }
    }
}
