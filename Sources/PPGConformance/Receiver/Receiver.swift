import PPGWire

/// A receiver that answers requests: the reference, or a mutant.
public protocol Receiver: Sendable {
    /// The steps the receiver takes.
    var pipeline: ReceiverPipeline { get }
    /// Answers one request.
    /// - Parameter request: The request.
    /// - Returns: The response, and what was decided for a log line.
    func respond(to request: HTTPRequest) -> ReceiverAnswer
}
