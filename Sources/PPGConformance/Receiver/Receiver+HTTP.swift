import Foundation
import PPGHTTP

extension Receiver {
    /// This receiver as a handler for the project's HTTP server.
    public var httpHandler: HTTPServer.Handler {
        { request in
            let response = respond(to: ReceivedRequest(request))
            let note = Self.note(response)
            return HTTPServerResponse(
                status: response.status, reason: response.reason, headers: response.headers,
                body: response.body, logNote: note)
        }
    }

    /// The `error` member of a JSON answer, for the log line (found by bytes: this runs once per request).
    static func note(_ response: ReceiverResponse) -> String {
        let marker = Array(#""error":""#.utf8)
        let body = response.body
        var index = 0
        while index + marker.count <= body.count {
            if body[index] == marker[0] && body[index..<(index + marker.count)].elementsEqual(marker) {
                let start = index + marker.count
                let end = body[start...].firstIndex(of: UInt8(ascii: "\"")) ?? body.count
                return "rejected: " + String(decoding: body[start..<end], as: UTF8.self)
            }
            index += 1
        }
        return (200...299).contains(response.status) ? "accepted" : ""
    }
}
