#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A point in time on the monotonic clock, for deadlines that a dripping peer cannot extend.
public struct Deadline: Sendable, Comparable {
    let nanoseconds: UInt64

    /// Now.
    public static var now: Deadline {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Deadline(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }

    /// A deadline `seconds` from now.
    /// - Parameter seconds: How far ahead.
    /// - Returns: The deadline.
    public static func after(_ seconds: Double) -> Deadline {
        Deadline(nanoseconds: now.nanoseconds + UInt64(max(0, seconds) * 1e9))
    }

    /// The point `nanoseconds` after this one.
    /// - Parameter nanoseconds: How far after.
    /// - Returns: The later point.
    public func adding(nanoseconds: UInt64) -> Deadline {
        Deadline(nanoseconds: self.nanoseconds &+ nanoseconds)
    }

    /// Microseconds from an earlier deadline (or instant) to this one.
    /// - Parameter earlier: The earlier point.
    /// - Returns: The difference, 0 if `earlier` is later.
    public func microseconds(since earlier: Deadline) -> UInt64 {
        nanoseconds > earlier.nanoseconds ? (nanoseconds - earlier.nanoseconds) / 1000 : 0
    }

    /// Throws a timeout once the deadline has passed.
    /// - Parameter what: What was being done, for the message.
    func check(_ what: String) throws(HTTPError) {
        if Deadline.now.nanoseconds >= nanoseconds { throw HTTPError(kind: .timeout, message: "timed out \(what)") }
    }

    /// Milliseconds left, at least 0, for `poll`.
    var millisecondsLeft: Int32 {
        let current = Deadline.now.nanoseconds
        guard nanoseconds > current else { return 0 }
        return Int32(min(UInt64(Int32.max), (nanoseconds - current + 999_999) / 1_000_000))
    }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}
