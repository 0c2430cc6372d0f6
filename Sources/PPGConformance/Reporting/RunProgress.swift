import Foundation
import Synchronization

/// Progress while a run is under way (the CLI shows it on standard error, on a terminal only): how many vectors are
/// done, of how many, and for how long — once the run has taken longer than `ProgressLine.delay`, so that a quick
/// run prints nothing.
package final class RunProgress: Sendable {
    private let enabled: Bool
    private let done = Atomic<Int>(0)
    private let total = Atomic<Int>(0)
    private let running = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let status: @Sendable (String) -> Void

    /// Creates a progress display, shown from `start(total:)` until `finish()`.
    /// - Parameters:
    ///   - enabled: Whether to show anything (the CLI: standard error is a terminal).
    ///   - status: Replaces the status line; called from a thread of its own.
    package init(enabled: Bool, status: @escaping @Sendable (String) -> Void) {
        self.enabled = enabled
        self.status = status
    }

    /// Counts one vector done; called from any thread.
    package func vectorDone() { done.add(1, ordering: .relaxed) }

    /// The vectors done so far.
    package var vectorsDone: Int { done.load(ordering: .relaxed) }

    /// Starts showing progress, on a thread of its own (it sleeps between lines: never on a shared pool).
    package func start(total count: Int) {
        guard enabled else { return }
        total.store(count, ordering: .relaxed)
        running.store(true, ordering: .relaxed)
        let thread = Thread { [self] in
            let start = Date()
            var line = ProgressLine()
            while running.load(ordering: .relaxed) {
                usleep(250_000)
                guard running.load(ordering: .relaxed),
                    let text = line.tick(
                        done: done.load(ordering: .relaxed), total: total.load(ordering: .relaxed),
                        elapsed: Date().timeIntervalSince(start))
                else { continue }
                status(text)
            }
            if let text = line.end() { status(text) }
            finished.signal()
        }
        thread.name = "ppg-progress"
        thread.start()
    }

    /// Stops showing progress and clears the line it showed, if any; returns once the line is cleared.
    package func finish() {
        guard enabled, running.exchange(false, ordering: .relaxed) else { return }
        finished.wait()
    }
}

/// What the progress line shows as time passes: a value whose transitions are methods, so that it is tested with
/// the elapsed time passed in rather than by waiting.
package struct ProgressLine: Sendable {
    /// How long a run goes before any progress shows.
    package static let delay = 2.0
    /// Whether a line has been shown, and so must be cleared at the end.
    package private(set) var shown = false

    package init() {}

    /// The line to show at this moment, or `nil` while the run is younger than `delay`.
    package mutating func tick(done: Int, total: Int, elapsed: Double) -> String? {
        guard elapsed > Self.delay else { return nil }
        shown = true
        return "  \(done) of \(total) vectors, \(Int(elapsed)) s"
    }

    /// At the end: the empty line that clears a line shown, or `nil` when none was.
    package mutating func end() -> String? {
        defer { shown = false }
        return shown ? "" : nil
    }
}
