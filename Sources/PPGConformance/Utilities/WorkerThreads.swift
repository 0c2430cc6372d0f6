import Foundation

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
}
