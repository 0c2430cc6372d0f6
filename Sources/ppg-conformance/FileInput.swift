import Foundation
import PPGWire

#if canImport(Glibc)
    @preconcurrency import Glibc
    private let systemRead = Glibc.read
#elseif canImport(Darwin)
    import Darwin
    private let systemRead = Darwin.read
#endif

/// Reads an input file into bytes, with a one-line error naming the option and the file.
enum FileInput {
    /// The file's bytes, read straight into one array (a report of hundreds of MB is held once, not twice); `-` is
    /// standard input.
    static func read(_ path: String, option: String, command: String) throws(CLIError) -> [UInt8] {
        if path == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        let shown = OutsideText.escape(path, for: .ascii(limit: 200))
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        var status = stat()
        guard descriptor >= 0 else { throw .input("\(command): cannot read \(option) file '\(shown)'") }
        defer { _ = close(descriptor) }
        // A regular file's size is known: read into one array of that size. Anything else (a pipe) grows below.
        let size = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : 0
        var failed = false
        var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let got = systemRead(descriptor, buffer.baseAddress.unsafelyUnwrapped + count, size - count)
                if got < 0 && errno == EINTR { continue }
                if got <= 0 {
                    failed = got < 0
                    break
                }
                count += got
            }
        }
        guard !failed else { throw .input("\(command): cannot read \(option) file '\(shown)'") }
        // A pipe, or a file that grew while it was read: the rest too.
        var more = [UInt8](repeating: 0, count: 65_536)
        while true {
            let got = more.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { throw .input("\(command): cannot read \(option) file '\(shown)'") }
            if got == 0 { break }
            bytes += more[0..<got]
        }
        return bytes
    }
}
