import Foundation
import Synchronization

/// An output for many lines from many threads (serve's request log, on standard output): lines are queued and
/// written in batches by a thread of its own, so a server's event loop never waits on a write to a slow terminal
/// or file.
/// Nobody reading standard output must not take the server down: past `maximumPending` queued lines new ones are
/// dropped (and counted, said once output moves again), and `finish` waits a bounded time.
package final class LineWriter: Sendable {
    private let pending = Mutex<(lines: [String], dropped: Int)>(([], 0))
    private let ready = DispatchSemaphore(value: 0)
    private let drained = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    private let maximumPending: Int
    private let output: @Sendable (String) -> Void

    /// Starts the writer thread.
    /// - Parameters:
    ///   - maximumPending: The most lines queued; more are dropped and counted.
    ///   - output: Writes one batch of lines (joined by newlines) or the dropped-lines notice; may block.
    package init(maximumPending: Int = 10_000, output: @escaping @Sendable (String) -> Void) {
        self.maximumPending = maximumPending
        self.output = output
        let thread = Thread { [self] in run() }
        thread.name = "ppg-log"
        thread.start()
    }

    /// Queues a line, or counts it as dropped when the queue is full.
    package func write(_ line: String) {
        let first = pending.withLock { state in
            guard state.lines.count < maximumPending else {
                state.dropped += 1
                return false
            }
            state.lines.append(line)
            return state.lines.count == 1
        }
        if first { ready.signal() }
    }

    /// Writes what is queued and ends the writer thread; gives up after `timeout` seconds when standard output
    /// does not take it (a pipe nobody reads).
    /// - Returns: Whether everything was written; if not, the writer thread is stuck in a write, and exiting
    ///   normally would wait for it too (the C library flushes standard output at exit).
    @discardableResult
    package func finish(timeout: Double = 2) -> Bool {
        stopping.store(true, ordering: .relaxed)
        ready.signal()
        return drained.wait(timeout: .now() + timeout) == .success
    }

    private func run() {
        while true {
            ready.wait()
            let (batch, dropped) = pending.withLock { state in
                defer {
                    state.lines.removeAll(keepingCapacity: true)
                    state.dropped = 0
                }
                return (state.lines, state.dropped)
            }
            if !batch.isEmpty { output(batch.joined(separator: "\n")) }
            if dropped > 0 {
                output("(\(counted(dropped, "log line")) dropped: standard output was not being read)")
            }
            if stopping.load(ordering: .relaxed) && pending.withLock({ $0.lines.isEmpty }) {
                drained.signal()
                return
            }
        }
    }
}
