import PPGVectors
import PPGWire

/// What a library target said about a signature vector.
public enum LibraryAnswer: Sendable, Equatable {
    case accept
    case reject(String)
    case skip(String)
}

/// What a target said to one delivery.
public enum DeliveryAnswer: Sendable, Equatable {
    /// An HTTP response (a verifier program's accept or reject as 200 or 401 with its reason as the body).
    case response(HTTPResponse)
    /// The target declined to judge the delivery (a verifier program's `skip`), with its reason.
    case declined(String)

    /// The response's status; `nil` when the target declined.
    public var status: Int? {
        if case .response(let response) = self { response.status } else { nil }
    }
}

/// Why the harness got no answer: an error outcome, not a nonconformance.
public struct TargetError: Error, Sendable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: String, Sendable {
        case timeout, connectionReset = "connection-reset", protocolViolation = "protocol"
        case unreachable, crashed
    }

    /// What kind it is.
    public var kind: Kind
    /// One line for a person.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - kind: What happened.
    ///   - message: One line for a person.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

/// Something the suite runs vectors against: the in-process reference, a receiver over HTTP, a program over a
/// pipe.
public protocol ConformanceTarget: Sendable {
    /// A short description for reports, e.g. `reference` or the URL.
    var name: String { get }
    /// Whether signature and digest vectors are sent; HTTP receivers only take receiver vectors.
    var takesSignatureVectors: Bool { get }
    /// Verifies the request a signature vector describes.
    /// - Parameter vector: The vector.
    /// - Returns: The target's answer.
    /// - Throws: `TargetError` when no answer came.
    func verify(_ vector: SignatureVector) throws(TargetError) -> LibraryAnswer
    /// Computes a SHA-1 digest (the reference only); `nil` when the target does not take digest vectors.
    /// - Parameter message: The message.
    /// - Returns: The lowercase hex digest.
    func digest(_ message: [UInt8]) -> String?
    /// Sends the deliveries of one receiver vector, in order, on one connection where that means anything.
    /// - Parameter deliveries: The deliveries.
    /// - Returns: One answer per delivery.
    /// - Throws: `TargetError` when an answer did not come.
    func deliver(_ deliveries: [Delivery]) throws(TargetError) -> [DeliveryAnswer]
    /// Whether receiver vectors are judged as a verifier library (accept = 2xx, reject = 4xx) rather than as a
    /// receiver: rejections for reasons a verifier never sees (method, body content) then accept either answer.
    var judgesAsVerifier: Bool { get }
    /// Why this target cannot send some deliveries faithfully, or `nil`; the vector is then skipped.
    /// - Parameter deliveries: The deliveries of one vector.
    /// - Returns: A skip reason.
    func skipReason(for deliveries: [Delivery]) -> String?
    /// A command that reproduces one vector's deliveries outside the tool, sending what the harness sent.
    /// - Parameter deliveries: The deliveries of one vector, in order.
    /// - Returns: Shell command lines.
    func reproduction(of deliveries: [Delivery]) -> String
    /// The deliveries as this target sends them, for failure reports: over HTTP, the request bytes themselves.
    /// - Parameter deliveries: The deliveries of one vector, in order.
    /// - Returns: Readable text.
    func requestText(of deliveries: [Delivery]) -> String
    /// Checks, before anything is sent, that the target can be reached (a receiver over HTTP accepts a connection
    /// and answers).
    /// - Throws: `TargetError` of kind `unreachable` when it cannot.
    func checkReachable() throws(TargetError)
    /// Why the target cannot go on, once it cannot (a verifier program that exited or answered garbage): the run
    /// ends and says so. `nil` while it can.
    var fatalError: TargetError? { get }
    /// Releases what the target holds (a verifier program's process) once the run is over.
    func finish()
}

extension ConformanceTarget {
    public func checkReachable() throws(TargetError) {}
    public var fatalError: TargetError? { nil }
    public func finish() {}
    public func skipReason(for deliveries: [Delivery]) -> String? { nil }
    public var judgesAsVerifier: Bool { false }
    public func requestText(of deliveries: [Delivery]) -> String {
        deliveries.map(DeliveryText.describe).joined(separator: "\n\n")
    }
}

extension ConformanceTarget {
    /// Whether the target answers in this process without I/O, from any thread: its work is CPU-bound, one thread
    /// per core, each delivery judged on the thread that built it.
    package var runsInProcess: Bool { self is ReferenceTarget || self is HandlerTarget }
}
