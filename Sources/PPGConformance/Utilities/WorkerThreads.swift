import Foundation
import Synchronization

/// Threads of their own for blocking work. Blocking socket I/O must not sit on Dispatch's pool or the cooperative
/// pool, whose width is the core count: `--jobs 16` has to mean sixteen exchanges in flight on a two-core machine.
enum WorkerThreads {
    /// Starts `count` threads, each calling `body` with its index, and returns at once; callers learn of the work's
    /// end through what `body` reports.
    /// - Parameters:
    ///   - count: How many threads.
    ///   - name: The threads' name prefix, for debuggers and `top -H`.
    ///   - body: The work of one thread.
    static func start(count: Int, name: String, _ body: @escaping @Sendable (Int) -> Void) {
        for index in 0..<count {
            let thread = Thread { body(index) }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Transforms every item on `count` threads of its own and returns the results in the items' order: for
    /// CPU-bound work (the fuzz oracle) that should use every core without borrowing Dispatch's.
    /// - Parameters:
    ///   - items: The inputs.
    ///   - count: How many threads (at most one per item).
    ///   - name: The threads' name prefix.
    ///   - transform: The work on one item; called from several threads at once.
    /// - Returns: The outputs, in order.
    static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], threads count: Int, name: String, _ transform: @escaping @Sendable (Item) -> Output
    ) -> [Output] {
        let threads = max(1, min(count, items.count))
        guard threads > 1 else { return items.map(transform) }
        let results = Mutex<[Output?]>(Array(repeating: nil, count: items.count))
        let next = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        start(count: threads, name: name) { _ in
            while case let index = next.add(1, ordering: .relaxed).oldValue, index < items.count {
                let output = transform(items[index])
                results.withLock { $0[index] = output }
            }
            done.signal()
        }
        for _ in 0..<threads { done.wait() }
        return results.withLock { $0.compactMap { $0 } }
    }
}
