import Foundation
import PPGSignature
import PPGVectors
import PPGWire

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A verifier program over a pipe: started once, one JSON request per line on its stdin, one JSON answer per line
/// on its stdout (protocol in the README and vectors/README.md). A program that exits, answers garbage or the
/// wrong id, or does not answer in time, ends the run: `fatalError` says why, with the tail of its stderr.
public final class PipeTarget: ConformanceTarget, @unchecked Sendable {
    /// The shell command line run.
    public let command: String
    /// Seconds each answer may take.
    public let timeout: Double
    /// The projectId receiver vectors are signed with, and the URL the program is told they arrived at.
    public let configuration: ReceiverConfiguration
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private var stderrTail = StderrTail()
    private var fatal: TargetError?

    /// Starts the program.
    /// - Parameters:
    ///   - command: A shell command line, run with `/bin/sh -c`.
    ///   - configuration: The projectId and URL receiver vectors are materialised with.
    ///   - timeout: Seconds each answer may take.
    /// - Throws: `TargetError` when the program cannot be started.
    public init(command: String, configuration: ReceiverConfiguration, timeout: Double = 5) throws(TargetError) {
        self.command = command
        self.configuration = configuration
        self.timeout = timeout
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let tail = stderrTail
        errors.fileHandleForReading.readabilityHandler = { handle in tail.append(handle.availableData) }
        do {
            try process.run()
        } catch {
            throw TargetError(kind: .crashed, message: "cannot start '\(command)': \(error.localizedDescription)")
        }
        for descriptor in [input.fileHandleForWriting.fileDescriptor, output.fileHandleForReading.fileDescriptor] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL, 0) | O_NONBLOCK)
        }
    }

    deinit { finish() }

    /// Closes the program's stdin and waits briefly for it to exit.
    public func finish() {
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            let deadline = Date().addingTimeInterval(1)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { process.terminate() }
        }
        errors.fileHandleForReading.readabilityHandler = nil
    }

    /// Why the run had to stop, if it had to: the program exited, answered garbage or the wrong id, or hung.
    public var fatalError: TargetError? {
        lock.lock()
        defer { lock.unlock() }
        return fatal
    }

    public var name: String { "exec: \(command)" }
    public var takesSignatureVectors: Bool { true }
    public var judgesAsVerifier: Bool { true }

    public func digest(_ message: [UInt8]) -> String? { nil }

    public func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer {
        try ask(
            id: vector.id, key: vector.keyBytes, url: vector.url, method: vector.method, headers: vector.headers,
            body: vector.bodyBytes, profile: vector.profile)
    }

    public func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer] {
        var answers: [DeliveryAnswer] = []
        for delivery in deliveries {
            let id = deliveries.count > 1 ? "\(delivery.vectorID)#\(delivery.step + 1)" : delivery.vectorID
            let answer = try ask(
                id: id, key: Array(configuration.projectID.utf8), url: delivery.signedURL,
                method: delivery.request.method, headers: delivery.request.headers, body: delivery.request.body,
                profile: configuration.profile)
            switch answer {
            case .accept: answers.append(.response(HTTPResponse(status: 200, reason: "OK", body: Array("accept".utf8))))
            case .reject(let why):
                answers.append(.response(HTTPResponse(status: 401, reason: "Unauthorized", body: Array(why.utf8))))
            case .skip(let why): answers.append(.declined(why))
            }
        }
        return answers
    }

    public func reproduction(of deliveries: [Delivery]) -> String {
        "ppg-conformance run --exec \(CurlCommand.quote(command)) --only '\(deliveries.first?.vectorID ?? "")'"
    }

    /// The request line sent for one check, as documented.
    static func requestLine(
        id: String, key: [UInt8], url: String, method: String,
        headers: HTTPFields, body: [UInt8], profile: SignatureProfile
    ) -> String {
        var members: [(String, JSONOutput)] = [("id", .string(id))]
        if let text = String(validating: key, as: UTF8.self) {
            members.append(("key", .string(text)))
        }
        members += [
            ("keyBase64", .string(Data(key).base64EncodedString())),
            ("url", .string(url)), ("method", .string(method)),
            ("headers", .array(headers.map { .array([.string($0.name), .string($0.value)]) })),
            ("bodyBase64", .string(Data(body).base64EncodedString())),
            ("scheme", .string(profile.scheme.rawValue)), ("encoding", .string(profile.encoding.rawValue)),
        ]
        return JSONOutput.object(members).rendered(pretty: false)
    }

    func ask(
        id: String, key: [UInt8], url: String, method: String, headers: HTTPFields,
        body: [UInt8], profile: SignatureProfile
    ) throws(TargetError) -> LibraryAnswer {
        lock.lock()
        defer { lock.unlock() }
        if let fatal { throw fatal }
        let line = Self.requestLine(
            id: id, key: key, url: url, method: method, headers: headers, body: body,
            profile: profile)
        let deadline = Date().addingTimeInterval(timeout)
        do {
            try write(Array((line + "\n").utf8), deadline: deadline)
            let answer = try readLine(deadline: deadline)
            return try parse(answer, id: id)
        } catch {
            let tail = stderrTail.text
            let failure = TargetError(
                kind: .crashed,
                message: error.message
                    + (tail.isEmpty ? "" : "; its stderr ended with: \(tail)"))
            fatal = failure
            throw failure
        }
    }

    private func write(_ bytes: [UInt8], deadline: Date) throws(TargetError) {
        let descriptor = input.fileHandleForWriting.fileDescriptor
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                #if canImport(Glibc)
                    Glibc.write(descriptor, raw.baseAddress.unsafelyUnwrapped + offset, bytes.count - offset)
                #else
                    Darwin.write(descriptor, raw.baseAddress.unsafelyUnwrapped + offset, bytes.count - offset)
                #endif
            }
            if written > 0 {
                offset += written
            } else if errno == EAGAIN || errno == EINTR {
                try wait(descriptor, events: Int16(POLLOUT), deadline: deadline, doing: "reading its input")
            } else {
                throw TargetError(
                    kind: .crashed,
                    message: "the program exited (status \(exitStatus())) "
                        + "instead of reading its input")
            }
        }
    }

    private func readLine(deadline: Date) throws(TargetError) -> String {
        let descriptor = output.fileHandleForReading.fileDescriptor
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line
            }
            if buffer.count > 1 << 20 {
                throw TargetError(kind: .protocolViolation, message: "the program wrote over 1 MiB without a newline")
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { raw in
                #if canImport(Glibc)
                    Glibc.read(descriptor, raw.baseAddress, raw.count)
                #else
                    Darwin.read(descriptor, raw.baseAddress, raw.count)
                #endif
            }
            if count > 0 {
                buffer += chunk.prefix(count)
            } else if count == 0 {
                throw TargetError(
                    kind: .crashed, message: "the program exited (status \(exitStatus())) without answering")
            } else if errno == EAGAIN || errno == EINTR {
                try wait(descriptor, events: Int16(POLLIN), deadline: deadline, doing: "answering")
            } else {
                throw TargetError(kind: .crashed, message: "cannot read the program's output")
            }
        }
    }

    private func wait(_ descriptor: Int32, events: Int16, deadline: Date, doing: String) throws(TargetError) {
        let milliseconds = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        if poll(&entry, 1, milliseconds) == 0 {
            throw TargetError(
                kind: .timeout,
                message: "the program took more than \(formatDecimal(timeout, decimals: 1)) s "
                    + doing)
        }
    }

    private func exitStatus() -> String {
        let deadline = Date().addingTimeInterval(0.5)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        return process.isRunning ? "still running" : String(process.terminationStatus)
    }

    private func parse(_ line: String, id: String) throws(TargetError) -> LibraryAnswer {
        let shown = line.count > 120 ? String(line.prefix(120)) + "…" : line
        guard let value = try? JSONParser.parse(Array(line.utf8)), case .object(let members) = value.kind else {
            throw TargetError(kind: .protocolViolation, message: "the program answered '\(shown)', not a JSON object")
        }
        func member(_ name: String) -> JSONValue.Kind? { members.first { $0.nameString == name }?.value.kind }
        guard case .string(let answeredID)? = member("id") else {
            throw TargetError(kind: .protocolViolation, message: "the answer '\(shown)' has no string 'id'")
        }
        guard String(decoding: answeredID, as: UTF8.self) == id else {
            throw TargetError(
                kind: .protocolViolation,
                message: "the program answered id '\(String(decoding: answeredID, as: UTF8.self))' to '\(id)'")
        }
        if case .string(let reason)? = member("skip") { return .skip(String(decoding: reason, as: UTF8.self)) }
        guard case .bool(let accept)? = member("accept") else {
            throw TargetError(
                kind: .protocolViolation,
                message: "the answer '\(shown)' has neither a boolean 'accept' nor a string 'skip'")
        }
        var reason = ""
        if case .string(let text)? = member("reason") { reason = String(decoding: text, as: UTF8.self) }
        return accept ? .accept : .reject(reason)
    }
}

/// The last few hundred bytes a program wrote to stderr, for error messages.
final class StderrTail: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    func append(_ data: Data) {
        lock.lock()
        bytes += data
        if bytes.count > 600 { bytes.removeFirst(bytes.count - 600) }
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).suffix(4).joined(
            separator: " | ")
    }
}
