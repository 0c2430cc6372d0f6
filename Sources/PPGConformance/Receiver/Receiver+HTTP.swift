import Foundation
import PPGHTTP

extension Receiver {
    /// This receiver as a handler for the project's HTTP server.
    public var httpHandler: HTTPServer.Handler {
        { request in
            let response = respond(to: ReceivedRequest(request))
            return HTTPServerResponse(
                status: response.status, reason: response.reason, headers: response.headers,
                body: response.body, logNote: response.note)
        }
    }
}
