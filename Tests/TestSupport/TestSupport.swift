import Foundation

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The result of running a program.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Small helpers shared by the test targets.
public enum TestSupport {
    /// A Unix-domain socket bound and listening at `path` (a socket file on disk); close the descriptor when done.
    /// A connected pair of Unix stream sockets, for feeding a reader bytes without a network.
    /// - Returns: The two descriptors.
    public static func socketPair() throws -> (Int32, Int32) {
        var pair: [Int32] = [0, 0]
        #if canImport(Glibc)
            let status = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair)
        #else
            let status = socketpair(AF_UNIX, SOCK_STREAM, 0, &pair)
        #endif
        guard status == 0 else { throw POSIXError(.EMFILE) }
        return (pair[0], pair[1])
    }

    public static func bindUnixSocket(at path: String) throws -> Int32 {
        #if canImport(Glibc)
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard descriptor >= 0, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw CocoaError(.fileWriteUnknown)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(descriptor, 1) == 0 else {
            close(descriptor)
            throw CocoaError(.fileWriteUnknown)
        }
        return descriptor
    }

    /// The package's top-level directory, from this file's path.
    public static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The shipped corpus.
    public static var corpusDirectory: String { packageRoot + "/vectors/v1" }

    /// The shared JUnit schemas, beside the checkout as CI lays them out.
    public static func junitSchema(_ name: String) -> String? {
        let path = URL(fileURLWithPath: packageRoot).deletingLastPathComponent()
            .appendingPathComponent("shared/junit/\(name)").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The directory holding the test bundle, where SwiftPM also puts the built executables.
    public static var buildDirectory: String {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On macOS the tests run from inside an .xctest bundle.
        while url.path.contains(".xctest") { url = url.deletingLastPathComponent() }
        return url.path
    }

    /// The built `ppg-conformance` executable.
    public static var toolPath: String { buildDirectory + "/ppg-conformance" }

    /// Whether a program is on the PATH.
    public static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Whether `python3` runs (pyenv shims exist even where no interpreter does).
    public static let hasPython: Bool = {
        guard let python = which("python3") else { return false }
        return (try? run(python, ["-c", "import hmac"]))?.status == 0
    }()

    public static let hasOpenSSL: Bool = which("openssl") != nil
    public static let hasXmllint: Bool = which("xmllint") != nil
    public static let hasCurl: Bool = which("curl") != nil
    /// Whether both JUnit schemas lie beside the checkout: only this project's CI lays out `../shared`; a user's
    /// clone has nothing there, and `.ci/run` validates the reports with them anyway.
    public static let hasJUnitSchemas: Bool = ["junit-10.xsd", "ant-junit.xsd"].allSatisfy { junitSchema($0) != nil }

    /// Runs a program to completion.
    /// - Parameters:
    ///   - path: The program.
    ///   - arguments: Its arguments.
    ///   - input: Bytes for its standard input.
    ///   - environment: Extra environment variables.
    ///   - directory: The working directory.
    /// - Returns: Exit status and output.
    public static func run(
        _ path: String, _ arguments: [String], input: Data? = nil,
        environment: [String: String] = [:], directory: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        // Read both pipes concurrently so a chatty child cannot fill one and block.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if let input { inPipe.fileHandleForWriting.write(input) }
        try? inPipe.fileHandleForWriting.close()
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts the tool as a server whose output nobody reads after its first line (which names the port): for
    /// tests of what a full standard output must not do. The caller signals and kills the process.
    /// - Returns: The process and the port its first line names (0 if none).
    public static func startUnread(_ arguments: [String]) throws -> (process: Process, port: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: toolPath)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        var line: [UInt8] = []
        while let byte = output.fileHandleForReading.readData(ofLength: 1).first, byte != 10 { line.append(byte) }
        let port = String(decoding: line, as: UTF8.self).firstMatch(of: /127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) }
        return (process, port ?? 0)
    }

    /// Runs the tool.
    public static func tool(
        _ arguments: [String], input: Data? = nil, environment: [String: String] = [:],
        directory: String? = nil
    ) throws -> ProcessResult {
        try run(toolPath, arguments, input: input, environment: environment, directory: directory)
    }

    /// Runs a program to completion, output discarded, and returns its exit status and peak resident set size in
    /// KiB. On Linux the child's own `VmHWM`, read every 10 ms while it runs: `wait4`'s `ru_maxrss` is not the
    /// child's alone there, since `posix_spawn` starts it on the parent's memory (vfork) and exec keeps that
    /// high-water mark — a test process of 200 MB made a 50 MB child read as 200 MB.
    public static func runMeasuringPeak(_ path: String, _ arguments: [String]) throws -> (status: Int32, kilobytes: Int)
    {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        var status: Int32 = 0
        #if canImport(Darwin)
            var usage = rusage()
            while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
            // ru_maxrss is in bytes on Apple platforms.
            let kilobytes = Int(usage.ru_maxrss) / 1024
        #else
            var kilobytes = 0
            while true {
                if let peak = peakKilobytes(of: pid) { kilobytes = max(kilobytes, peak) }
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid || (reaped < 0 && errno != EINTR) { break }
                usleep(10_000)
            }
        #endif
        return ((status >> 8) & 0xFF, kilobytes)
    }

    /// The peak resident set size of a running process in KiB (Linux's `VmHWM`), `nil` where /proc has none.
    public static func peakKilobytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// A fresh temporary directory, removed by the caller when done.
    public static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "ppg-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Lists a vector file in a corpus's `manifest.json` `files`, as a contributor adding a file by hand does.
    public static func listInManifest(_ relative: String, corpus: String) throws {
        let path = corpus + "/manifest.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try write(text.replacingOccurrences(of: #""files": ["#, with: #""files": [""# + relative + #"", "#), to: path)
    }

    /// Writes text to a file, creating its directory.
    public static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
