import Foundation
import PPGSignature
import PPGWire

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Stores captured deliveries: each raw (`capture-N.http`) and, when a SPEC.md reading reproduces its signature,
/// as a `captured` signature vector file (`capture-N.json`) that can be added to the corpus.
package final class CaptureStore: @unchecked Sendable {
    /// The projectId placeholder written by `--redact`.
    public static let redactedProjectID = "redacted-project-id"

    /// The corpus directory.
    public let directory: String
    /// The projectId the receiver is configured with: the key.
    public let projectID: String
    /// The webhook URL as configured in PushPushGo.
    public let publicURL: RawURL?
    /// Whether the projectId is replaced and the capture re-signed.
    public let redact: Bool
    /// The most deliveries stored (each a `capture-N.http`, with a `capture-N.json` where a reading matched).
    public let maximumFiles: Int
    /// The most bytes written; a delivery that would pass it is not stored.
    public let maximumBytes: Int
    private let lock = NSLock()
    private var next: Int
    private var stored = 0
    private var bytesWritten = 0

    /// The highest capture number; a larger one in the directory (a file named by hand) is ignored.
    public static let maximumNumber = 99_999_999
    /// What a redacted capture's signature header says when no reading could re-sign it.
    public static let redactedSignature = "redacted-signature"

    /// What happened to one delivery.
    public struct Stored: Sendable {
        /// The capture's number, from 1.
        public var number: Int
        /// Where the raw request was written.
        public var rawPath: String
        /// Where the captured vector was written, if one was.
        public var vectorPath: String?
        /// `nil` when the delivery could not be examined (no single signature header).
        public var detection: Detection?
        /// Why the delivery could not be examined or re-signed, if so.
        public var problem: String?
        /// The request as stored: redacted where `--redact` is on.
        public var request: HTTPRequest
        /// Set when the delivery was not stored: a cap was reached, or a write failed (a full disk). Nothing of it
        /// is left on disk, and the sender is answered 507 so that it sends the delivery again.
        public var refused: String?
    }

    /// Opens (and creates) a capture directory; numbering continues after files already there.
    /// - Parameters:
    ///   - directory: Where to write.
    ///   - projectID: The projectId the webhook is configured for.
    ///   - publicURL: The webhook URL as configured in PushPushGo.
    ///   - redact: Replace the projectId with a placeholder and re-sign.
    ///   - maximumFiles: The most files to write.
    ///   - maximumBytes: The most bytes to write.
    /// - Throws: When the directory cannot be created.
    public init(
        directory: String, projectID: String, publicURL: RawURL?, redact: Bool, maximumFiles: Int = 1000,
        maximumBytes: Int = 100 << 20
    ) throws {
        self.directory = directory
        self.projectID = projectID
        self.publicURL = publicURL
        self.redact = redact
        self.maximumFiles = maximumFiles
        self.maximumBytes = maximumBytes
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        next = (existing.compactMap(Self.number(of:)).max() ?? 0) + 1
    }

    /// The number in `capture-N.http`: digits only, at most `maximumNumber` (so no name can overflow it).
    static func number(of name: String) -> Int? {
        guard name.hasPrefix("capture-"), name.hasSuffix(".http") else { return nil }
        let digits = name.dropFirst(8).dropLast(5)
        guard !digits.isEmpty, digits.count <= 8, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return Int(digits).flatMap { $0 <= maximumNumber ? $0 : nil }
    }

    /// `capture-0001`: four digits at least, more when the number needs them (never wrapped).
    static func name(_ number: Int) -> String {
        let digits = String(number)
        return "capture-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Writes a new file durably, never replacing one and never leaving a partial one under its name: the bytes go
    /// to a hidden `.NAME.partial` first, are synced, then linked to `path` (which fails if `path` exists: a name
    /// taken by hand is not overwritten) and the directory synced. A full disk or any other failure removes what
    /// was written.
    /// - Returns: `nil` once the file is on disk, else why not.
    private func create(_ path: String, _ bytes: [UInt8]) -> String? {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let partial = String(path[..<slash]) + "." + String(path[slash...]) + ".partial"
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return "cannot create \(partial): \(String(cString: strerror(errno)))" }
        var problem: String?
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                write(descriptor, $0.baseAddress.unsafelyUnwrapped + offset, bytes.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 {
                problem =
                    "cannot write \(path): " + (written < 0 ? String(cString: strerror(errno)) : "nothing written")
                break
            }
            offset += written
        }
        // A delivery answered 200 must survive a crash: its bytes reach the disk before the answer goes out.
        if problem == nil && fsync(descriptor) != 0 {
            problem = "cannot sync \(path): \(String(cString: strerror(errno)))"
        }
        if close(descriptor) != 0 && problem == nil {
            problem = "cannot write \(path): \(String(cString: strerror(errno)))"
        }
        if problem == nil && link(partial, path) != 0 {
            problem = "cannot name \(path): \(String(cString: strerror(errno)))"
        }
        _ = unlink(partial)
        if problem == nil { syncDirectory() }
        return problem
    }

    /// Syncs the directory, so the new names survive a crash too.
    private func syncDirectory() {
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = close(descriptor)
    }

    /// A request with its head byte for byte as received, which the raw file keeps.
    typealias Received = (request: HTTPRequest, head: [UInt8])

    /// Stores one delivery and examines it.
    /// - Parameters:
    ///   - request: The delivery as the server received it.
    ///   - head: Its head byte for byte as received (`HTTPServer.Context.head`).
    /// - Returns: What was written and detected.
    public func store(_ request: HTTPRequest, head: [UInt8]) -> Stored {
        let size = head.count + request.body.count
        lock.lock()
        let number = next
        var refused: String?
        if number > Self.maximumNumber {
            refused = "capture numbers are used up (\(Self.maximumNumber))"
        } else if stored + 1 > maximumFiles {
            refused = "--max-files \(maximumFiles) reached"
        } else if bytesWritten + 2 * size > maximumBytes {
            refused = "--max-bytes \(maximumBytes) reached"
        } else {
            next += 1
            stored += 1
            // The raw file and the vector file each hold about the request.
            bytesWritten += 2 * size
        }
        lock.unlock()
        if let refused {
            return Stored(
                number: 0, rawPath: "", vectorPath: nil, detection: nil, problem: nil, request: request,
                refused: refused)
        }
        let name = Self.name(number)
        var received: Received = (request, head)
        var key = projectID
        var detection: Detection?
        var problem: String?
        do {
            detection = try ReadingDetector.detect(request, projectID: projectID, publicURL: publicURL)
        } catch {
            problem = error.message
        }
        if redact {
            let redacted = Self.replacing(projectID, with: Self.redactedProjectID, in: received)
            key = Self.redactedProjectID
            if let reading = detection?.matches.first?.reading {
                // Re-signed under the reading that reproduced the original, so the shared copy still verifies.
                received = Self.resigned(redacted, reading: reading, key: key, publicURL: publicURL)
                detection = try? ReadingDetector.detect(received.request, projectID: key, publicURL: publicURL)
            } else {
                // Nothing can re-sign it, and the original value is a MAC under the real key: it goes too.
                received = Self.replacingSignature(of: redacted, with: Self.redactedSignature)
                detection = nil
                problem =
                    problem ?? "no known reading reproduces the signature, so the redacted copy is not re-signed "
                    + "and its signature is replaced by '\(Self.redactedSignature)'"
            }
        }
        let rawPath = directory + "/" + name + ".http"
        var vectorPath: String?
        var failure = create(rawPath, Self.rawBytes(received))
        if failure == nil, let detection, let best = detection.matches.first, best.reading.isSpec {
            let path = directory + "/" + name + ".json"
            let file = Self.vectorFile(
                received.request, detection: detection, reading: best.reading, key: key, number: number)
            failure = create(path, Array((file.rendered(pretty: true) + "\n").utf8))
            if failure == nil {
                vectorPath = path
            } else {
                // All or nothing: a delivery answered 507 is sent again, and then stored whole.
                _ = unlink(rawPath)
            }
        }
        if let failure {
            lock.withLock {
                stored -= 1
                bytesWritten -= 2 * size
            }
            return Stored(
                number: 0, rawPath: "", vectorPath: nil, detection: nil, problem: nil, request: request,
                refused: failure)
        }
        return Stored(
            number: number, rawPath: rawPath, vectorPath: vectorPath, detection: detection, problem: problem,
            request: received.request)
    }

    /// The request with its signature header values replaced, in the fields and in the raw head.
    static func replacingSignature(of request: Received, with value: String) -> Received {
        var copy = request
        for old in request.request.headers.signatureValues where !old.isEmpty {
            copy = replacing(old, with: value, in: copy)
        }
        return copy
    }

    /// The request with every occurrence of one text replaced in its target, header values, body and raw head.
    static func replacing(_ text: String, with replacement: String, in received: Received) -> Received {
        func swap(_ bytes: [UInt8]) -> [UInt8] {
            let needle = Array(text.utf8)
            guard !needle.isEmpty else { return bytes }
            var out: [UInt8] = []
            var index = 0
            while index < bytes.count {
                if bytes[index...].starts(with: needle) {
                    out += replacement.utf8
                    index += needle.count
                } else {
                    out.append(bytes[index])
                    index += 1
                }
            }
            return out
        }
        let request = received.request
        var copy = request
        copy.target = String(decoding: swap(Array(request.target.utf8)), as: UTF8.self)
        copy.headers = HTTPFields(
            request.headers.map {
                HTTPField(name: $0.name, value: String(decoding: swap(Array($0.value.utf8)), as: UTF8.self))
            })
        copy.body = swap(request.body)
        return (copy, swap(received.head))
    }

    static func resigned(_ received: Received, reading: SigningRule, key: String, publicURL: RawURL?) -> Received {
        let request = received.request
        let configured = ReferenceReceiver(projectID: key, publicURL: publicURL, profile: .default).signedURL(
            for: request)
        guard
            let signature = reading.signature(
                of: SignedMessage(request, configuredURL: configured), configuredKey: Array(key.utf8))
        else {
            return received
        }
        var copy = received
        let old = request.headers.last(signatureHeaderName) ?? ""
        copy.request.headers = request.headers.replacingValues(named: signatureHeaderName, with: signature)
        return replacing(old, with: signature, in: copy)
    }

    /// The request as captured, head byte for byte; a chunked body is stored de-chunked, and a redacted one with
    /// its new length, under a rebuilt head with a Content-Length.
    static func rawBytes(_ received: Received) -> [UInt8] {
        let request = received.request
        let chunked = request.headers.all("Transfer-Encoding").contains { $0.lowercased().contains("chunked") }
        let length = request.headers.last("Content-Length").flatMap { Int($0) }
        if !chunked && !received.head.isEmpty && (length ?? 0) == request.body.count {
            return received.head + request.body
        }
        var head = "\(request.method) \(request.target) \(request.version)\r\n"
        var fields = request.headers
        fields.removeAll(named: "Transfer-Encoding")
        fields.removeAll(named: "Content-Length")
        for field in fields { head += "\(field.name): \(field.value)\r\n" }
        head += "Content-Length: \(request.body.count)\r\n\r\n"
        return Array(head.utf8) + request.body
    }

    static func vectorFile(
        _ request: HTTPRequest, detection: Detection, reading: SigningRule, key: String,
        number: Int
    ) -> JSONOutput {
        let contentType = request.headers.contentType
        let stamp = ISO8601DateFormatter().string(from: Date())
        let day = stamp.prefix(10).replacingOccurrences(of: "-", with: "")
        var members: [(String, JSONOutput)] = [
            ("id", .string("captured/\(day)-\(number)")),
            (
                "comment",
                .string(
                    "A real PushPushGo delivery (\(request.method) \(request.target.prefix(80))), "
                        + "captured \(stamp).")
            ),
            ("flags", .array([])),
            ("provenance", .string("captured")),
            ("source", .string("ppg-conformance capture, \(stamp)")),
            ("scheme", .string(reading.scheme.rawValue)),
            ("encoding", .string(reading.encoding.rawValue)),
            ("key", .string(key)),
            ("method", .string(request.method)),
            ("url", .string(detection.configuredURL)),
        ]
        if let contentType { members.append(("contentType", .string(contentType))) }
        if let text = String(validating: request.body, as: UTF8.self) {
            members.append(("body", .string(text)))
        } else {
            members.append(("bodyBase64", .string(Data(request.body).base64EncodedString())))
        }
        if let input = detection.matches.first?.signingInput {
            if let text = String(validating: input, as: UTF8.self) {
                members.append(("signingInput", .string(text)))
            } else {
                members.append(("signingInputBase64", .string(Data(input).base64EncodedString())))
            }
        }
        members += [("signature", .string(detection.presented)), ("result", .string("valid"))]
        return .object([
            ("format", .integer(1)), ("kind", .string("signature")), ("category", .string("captured")),
            ("description", .string("Real PushPushGo deliveries, captured with 'ppg-conformance capture'.")),
            ("vectors", .array([.object(members)])),
        ])
    }
}
