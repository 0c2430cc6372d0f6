import PPGWire

/// A receiver's answer: the HTTP response, and what it decided in words for a log line.
public struct ReceiverAnswer: Sendable {
    /// The response sent.
    public var response: HTTPResponse
    /// What the receiver decided, for a log line: `accepted`, `rejected: <error>`, or empty.
    public var note: String

    /// Creates an answer.
    /// - Parameters:
    ///   - response: The response.
    ///   - note: What was decided, for a log line; by default `accepted` for a 2xx, else empty.
    public init(_ response: HTTPResponse, note: String? = nil) {
        self.response = response
        self.note = note ?? ((200...299).contains(response.status) ? "accepted" : "")
    }

    /// A JSON answer; its `error` member, when it has one, is the log line's note.
    static func json(_ status: Int, _ reason: String, _ members: [(String, JSONOutput)]) -> ReceiverAnswer {
        var note: String?
        if let error = members.first(where: { $0.0 == "error" }), case .string(let text) = error.1 {
            note = "rejected: " + text
        }
        return ReceiverAnswer(
            HTTPResponse(
                status: status, reason: reason, headers: [(name: "Content-Type", value: "application/json")],
                body: Array(JSONOutput.object(members).rendered(pretty: false).utf8)),
            note: note)
    }
}
