import Foundation
import Synchronization

/// Progress on standard error while a run is under way, only on a terminal and only once the run has taken more
/// than two seconds: how many vectors are done, of how many, and for how long.
final class RunProgress: Sendable {
    private let enabled: Bool
    private let done = Atomic<Int>(0)
    private let total = Atomic<Int>(0)
    private let running = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func vectorDone() { done.add(1, ordering: .relaxed) }

    func start(total count: Int) {
        guard enabled else { return }
        total.store(count, ordering: .relaxed)
        running.store(true, ordering: .relaxed)
        let thread = Thread { [self] in
            let start = Date()
            var shown = false
            while running.load(ordering: .relaxed) {
                usleep(250_000)
                let elapsed = Date().timeIntervalSince(start)
                guard elapsed > 2, running.load(ordering: .relaxed) else { continue }
                shown = true
                Console.status(
                    "  \(done.load(ordering: .relaxed)) of \(total.load(ordering: .relaxed)) vectors, \(Int(elapsed)) s"
                )
            }
            if shown { Console.status("") }
            finished.signal()
        }
        thread.start()
    }

    func finish() {
        guard enabled, running.exchange(false, ordering: .relaxed) else { return }
        finished.wait()
    }
}
