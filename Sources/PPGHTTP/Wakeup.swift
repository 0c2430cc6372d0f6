#if canImport(Glibc)
    import CPPGSystem
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A descriptor another thread makes readable to wake an event loop at once (an eventfd on Linux, a pipe
/// elsewhere): a stop reaches every loop when it is asked for, not at the loop's next poll.
final class Wakeup: @unchecked Sendable {
    /// The end the loop's poller watches.
    let descriptor: Int32
    private let writeEnd: Int32

    init() throws(HTTPError) {
        #if canImport(Glibc)
            let created = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
            guard created >= 0 else {
                throw HTTPError(kind: .system, message: "cannot create an eventfd: \(String(cString: strerror(errno)))")
            }
            descriptor = created
            writeEnd = created
        #else
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else {
                throw HTTPError(kind: .system, message: "cannot create a pipe: \(String(cString: strerror(errno)))")
            }
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL, 0) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            descriptor = ends[0]
            writeEnd = ends[1]
        #endif
    }

    deinit {
        _ = systemClose(descriptor)
        if writeEnd != descriptor { _ = systemClose(writeEnd) }
    }

    /// Makes the descriptor readable; safe from any thread, any number of times.
    func signal() {
        var one: UInt64 = 1
        #if canImport(Glibc)
            _ = Glibc.write(writeEnd, &one, 8)
        #else
            _ = Darwin.write(writeEnd, &one, 1)
        #endif
    }

    /// Reads what `signal` wrote, so that the descriptor is quiet again.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        #if canImport(Glibc)
            while Glibc.read(descriptor, &buffer, buffer.count) > 0 {}
        #else
            while Darwin.read(descriptor, &buffer, buffer.count) > 0 {}
        #endif
    }
}
