import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

private let terminationRequested = Atomic<Int32>(0)

/// Waits for SIGINT or SIGTERM with a plain signal handler that only sets a flag, which is async-signal-safe and
/// does not depend on how the process's signal mask was inherited (dispatch signal sources do, on Linux).
public enum TerminationSignal {
    /// Installs the handlers: from then on SIGINT and SIGTERM only set `received`, so a command can finish its
    /// work (print a summary, write its reports) instead of dying.
    public static func install() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        // A parent may have spawned us with these blocked; a server must still stop on them.
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        signal(SIGINT) { number in terminationRequested.store(number, ordering: .relaxed) }
        signal(SIGTERM) { number in terminationRequested.store(number, ordering: .relaxed) }
    }

    /// The signal that arrived since `install()`, or 0.
    public static var received: Int32 { terminationRequested.load(ordering: .relaxed) }

    /// Installs the handlers, then blocks until SIGINT or SIGTERM arrives.
    /// - Returns: The signal that arrived.
    @discardableResult
    public static func wait() -> Int32 {
        install()
        while true {
            let received = terminationRequested.load(ordering: .relaxed)
            if received != 0 { return received }
            usleep(50_000)
        }
    }
}
