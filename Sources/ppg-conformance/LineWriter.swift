import Foundation
import Synchronization

/// Standard output for many lines from many threads (serve's request log): lines are queued and written in
/// batches by a thread of its own, so a server's event loop never waits on a write to a slow terminal or file.
final class LineWriter: Sendable {
    private let pending = Mutex<[String]>([])
    private let ready = DispatchSemaphore(value: 0)
    private let drained = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)

    init() {
        let thread = Thread { [self] in run() }
        thread.name = "ppg-log"
        thread.start()
    }

    /// Queues a line.
    func write(_ line: String) {
        let first = pending.withLock { lines in
            lines.append(line)
            return lines.count == 1
        }
        if first { ready.signal() }
    }

    /// Writes what is queued and ends the writer thread.
    func finish() {
        stopping.store(true, ordering: .relaxed)
        ready.signal()
        drained.wait()
    }

    private func run() {
        while true {
            ready.wait()
            let batch = pending.withLock { lines in
                defer { lines.removeAll(keepingCapacity: true) }
                return lines
            }
            if !batch.isEmpty { Console.out(batch.joined(separator: "\n")) }
            if stopping.load(ordering: .relaxed) && pending.withLock({ $0.isEmpty }) {
                drained.signal()
                return
            }
        }
    }
}
