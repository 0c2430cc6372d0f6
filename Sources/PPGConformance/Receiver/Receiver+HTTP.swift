import PPGHTTP

extension Receiver {
    /// This receiver as a handler for the project's HTTP server; what it decided is the log line's note.
    public var httpHandler: HTTPServer.Handler {
        { request, context in
            let answer = respond(to: request)
            context.logNote = answer.note
            return answer.response
        }
    }
}
