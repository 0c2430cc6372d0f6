import Foundation
import PPGHTTP

extension Receiver {
    /// This receiver as a handler for the project's HTTP server.
    public var httpHandler: HTTPServer.Handler {
        { request in
            let response = respond(to: ReceivedRequest(method: request.method, target: request.target,
                                                       headers: request.headers, body: request.body))
            let note = Self.note(response)
            return HTTPServerResponse(status: response.status, reason: response.reason, headers: response.headers,
                                      body: response.body, logNote: note)
        }
    }

    /// The `error` member of a JSON answer, for the log line.
    static func note(_ response: ReceiverResponse) -> String {
        guard (200...299).contains(response.status) || response.status >= 400 else { return "" }
        let text = String(decoding: response.body, as: UTF8.self)
        guard let range = text.range(of: "\"error\":\"") else { return (200...299).contains(response.status) ? "accepted" : "" }
        let rest = text[range.upperBound...]
        return "rejected: " + String(rest.prefix { $0 != "\"" })
    }
}
