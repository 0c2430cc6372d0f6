import Foundation

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file a command will write — a report, an expected-failures file, a vector file — checked before any work is
/// done and written atomically (a temporary file beside it, then a rename) once there is something to write.
///
/// A path that names a device, a FIFO, a socket or a directory is refused: the rename would replace it with a
/// regular file. A symlink is followed: the file it points to is replaced and the link stays.
public struct OutputFile: Sendable, Equatable {
    /// A path that cannot be written, with the option that named it.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The option that named the path (`--junit`), when there is one.
        public var option: String?
        /// The path as given.
        public var path: String
        /// Why it cannot be written, in a few words.
        public var reason: String

        public var description: String {
            (option.map { "\($0) '\(path)': " } ?? "cannot write '\(path)': ") + reason
        }
    }

    /// The path as the user gave it.
    public let path: String
    /// The option that named it, for messages.
    public let option: String?
    /// The absolute path written, symlinks followed.
    public let resolved: String

    /// Checks that a path can take a file, before anything is run.
    /// - Parameters:
    ///   - path: The path as given.
    ///   - option: The option that named it, for messages.
    /// - Returns: The checked file.
    /// - Throws: `Failure` naming the option and saying why.
    public static func check(_ path: String, option: String? = nil) throws(Failure) -> OutputFile {
        func failure(_ reason: String) -> Failure { Failure(option: option, path: path, reason: reason) }
        guard !path.isEmpty else { throw failure("the path is empty") }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var target = absolute
        var info = stat()
        if lstat(absolute, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            guard let real = realPath(absolute) else {
                throw failure("is a symlink to something that does not exist; give a file's own path")
            }
            target = real
        }
        if stat(target, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw failure("is \(kindName(info.st_mode)), not a regular file; give the path of a file to create")
            }
            guard access(target, W_OK) == 0 else { throw failure("the file is not writable") }
        } else if errno != ENOENT {
            throw failure(String(cString: strerror(errno)))
        }
        let (directory, name) = split(target)
        guard stat(directory, &info) == 0 else { throw failure("the directory '\(directory)' does not exist") }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw failure("'\(directory)' is not a directory") }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw failure("the directory '\(directory)' is not writable")
        }
        guard let realDirectory = realPath(directory), !name.isEmpty, name != ".", name != ".." else {
            throw failure("does not name a file")
        }
        return OutputFile(path: path, option: option, resolved: realDirectory + "/" + name)
    }

    /// Checks that no two files are one.
    /// - Parameter files: The files of one command.
    /// - Throws: `Failure` naming both options.
    public static func checkDistinct(_ files: [OutputFile]) throws(Failure) {
        for (index, file) in files.enumerated() {
            if let other = files[..<index].first(where: { $0.resolved == file.resolved }) {
                throw Failure(
                    option: file.option, path: file.path,
                    reason: "is the same file as \(other.option ?? "another output") '\(other.path)'; "
                        + "give each report a file of its own")
            }
        }
    }

    /// Writes text, replacing the file atomically.
    /// - Parameter text: The content, as UTF-8.
    /// - Throws: `Failure` naming the option and saying why.
    public func write(_ text: String) throws(Failure) {
        try write(bytes: Array(text.utf8))
    }

    /// Writes bytes, replacing the file atomically.
    /// - Parameter bytes: The content.
    /// - Throws: `Failure` naming the option and saying why.
    public func write(bytes: [UInt8]) throws(Failure) {
        try replace { descriptor in bytes.withUnsafeBytes { writeAll(descriptor, $0) } }
    }

    /// Writes the pieces `produce` hands its `emit`, in order, replacing the file atomically: a page of hundreds of
    /// MB is written as it is made instead of held whole.
    /// - Parameter produce: Calls `emit` with each piece of the content.
    /// - Throws: `Failure` naming the option and saying why.
    public func write(pieces produce: (_ emit: (String) -> Void) -> Void) throws(Failure) {
        try replace { descriptor in
            var complete = true
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            produce { piece in
                guard complete else { return }
                buffer += piece.utf8
                if buffer.count >= 1 << 20 {
                    complete = buffer.withUnsafeBytes { writeAll(descriptor, $0) }
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            return complete && buffer.withUnsafeBytes { writeAll(descriptor, $0) }
        }
    }

    /// Writes a new file beside the target with `body`, then renames it over the target; nothing is left on failure.
    private func replace(_ body: (Int32) -> Bool) throws(Failure) {
        func failure(_ what: String) -> Failure {
            Failure(option: option, path: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let (directory, name) = Self.split(resolved)
        var info = stat()
        let mode = stat(resolved, &info) == 0 ? mode_t(info.st_mode & 0o777) : 0o644
        let temporary = directory + "/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw failure("cannot create a file in '\(directory)'") }
        let complete = body(descriptor)
        let closed = close(descriptor) == 0
        guard complete, closed else {
            let error = failure("cannot write the file")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, resolved) == 0 else {
            let error = failure("cannot replace the file")
            unlink(temporary)
            throw error
        }
    }

    /// A path's directory and last component (`/` for a file at the root, `.` for a bare name).
    /// - Parameter path: The path.
    /// - Returns: The directory and the name.
    public static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}

/// `write(2)`, which `OutputFile.write` hides inside the type.
private func writeDescriptor(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
    #else
        Darwin.write(descriptor, buffer, count)
    #endif
}

/// Writes every byte, through short writes and interruptions; false on an error (errno says which).
private func writeAll(_ descriptor: Int32, _ raw: UnsafeRawBufferPointer) -> Bool {
    var written = 0
    while written < raw.count {
        let count = writeDescriptor(descriptor, raw.baseAddress.map { $0 + written }, raw.count - written)
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { return false }
        written += count
    }
    return true
}
