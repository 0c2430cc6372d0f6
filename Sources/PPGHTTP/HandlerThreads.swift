import Foundation
import PPGWire
import Synchronization

/// Threads of their own on which a handler that blocks (`capture` writes every delivery to disk before it answers)
/// answers requests, so a slow disk delays that request's answer and never the other connections of its loop. A
/// loop hands a request over and goes on; the answer comes back through the loop's `complete(_:)`, which wakes it.
final class HandlerThreads: Sendable {
    /// One request handed over, and where its answer goes.
    struct Job: Sendable {
        let loop: ServerLoop
        let descriptor: Int32
        let serial: UInt64
        let request: HTTPRequest
        let context: HTTPServer.Context
    }

    /// A handled request's answer, on its way back to its loop.
    struct Completion: Sendable {
        let descriptor: Int32
        /// The connection's serial: a descriptor closed and reused meanwhile is another connection.
        let serial: UInt64
        let response: HTTPResponse
    }

    private struct Queue {
        var jobs: [Job] = []
        var head = 0
        var stopped = false
    }

    private let queue = Mutex(Queue())
    private let waiting = DispatchSemaphore(value: 0)
    private let count: Int

    /// Starts the threads.
    /// - Parameters:
    ///   - count: How many.
    ///   - server: Whose handler and logger they call.
    init(count: Int, server: HTTPServer) {
        self.count = count
        for index in 0..<count {
            let thread = Thread { [self] in
                while let job = next() {
                    var context = job.context
                    let response = server.handler(job.request, &context)
                    server.logger?(job.request, context, response)
                    job.loop.complete(Completion(descriptor: job.descriptor, serial: job.serial, response: response))
                }
            }
            thread.name = "ppg-http-handler-\(index)"
            thread.start()
        }
    }

    /// Hands a request over; safe from any loop.
    func submit(_ job: Job) {
        queue.withLock { $0.jobs.append(job) }
        waiting.signal()
    }

    /// Ends every thread once the jobs already handed over are answered.
    func stop() {
        queue.withLock { $0.stopped = true }
        for _ in 0..<count { waiting.signal() }
    }

    /// The next job, or `nil` once stopped and none is left.
    private func next() -> Job? {
        while true {
            waiting.wait()
            let taken = queue.withLock { queue -> (job: Job?, stopped: Bool) in
                guard queue.head < queue.jobs.count else { return (nil, queue.stopped) }
                let job = queue.jobs[queue.head]
                queue.head += 1
                // Compacted now and then, so the array does not grow with every request ever handed over.
                if queue.head >= 1024 && queue.head * 2 >= queue.jobs.count {
                    queue.jobs.removeFirst(queue.head)
                    queue.head = 0
                }
                return (job, false)
            }
            if let job = taken.job { return job }
            if taken.stopped { return nil }
        }
    }
}
