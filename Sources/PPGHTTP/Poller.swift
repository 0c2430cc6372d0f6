#if canImport(Glibc)
    import CPPGSystem
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Readiness of many file descriptors at once: epoll on Linux, kqueue on Apple platforms. Level-triggered, so a
/// descriptor with unread bytes is reported again until they are read. Used from one thread.
final class Poller {
    /// One descriptor's readiness.
    struct Event {
        var descriptor: Int32
        var readable: Bool
        var writable: Bool
        /// The peer hung up or the socket has an error; reading tells which.
        var closed: Bool
    }

    private let handle: Int32
    #if canImport(Glibc)
        private var received = [epoll_event](repeating: epoll_event(), count: 256)
    #else
        private var received = [kevent](repeating: kevent(), count: 256)
    #endif
    private var ready: [Event] = []

    init() throws(HTTPError) {
        #if canImport(Glibc)
            handle = epoll_create1(Int32(EPOLL_CLOEXEC))
        #else
            handle = kqueue()
        #endif
        guard handle >= 0 else {
            throw HTTPError(kind: .system, message: "cannot create a poller: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        _ = systemClose(handle)
        #if canImport(Glibc)
            if timer >= 0 { _ = systemClose(timer) }
        #endif
    }

    #if canImport(Glibc)
        /// A timer descriptor for waits finer than epoll's milliseconds, made on first use.
        private var timer: Int32 = -1
    #endif

    /// Waits for readiness until a point in time, to the microsecond when `precise` (a schedule of sends: epoll's
    /// millisecond timeout would make every one late by up to a millisecond), else to the millisecond.
    func wait(until deadline: Deadline, precise: Bool = false) -> [Event] {
        let now = Deadline.now
        guard deadline.nanoseconds > now.nanoseconds else { return wait(milliseconds: 0) }
        #if canImport(Glibc)
            if precise && (deadline.nanoseconds - now.nanoseconds) % 1_000_000 != 0 {
                if timer < 0 {
                    timer = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_CLOEXEC) | Int32(TFD_NONBLOCK))
                    if timer >= 0 { add(timer) }
                }
                if timer >= 0 {
                    var setting = itimerspec()
                    setting.it_value.tv_sec = Int(deadline.nanoseconds / 1_000_000_000)
                    setting.it_value.tv_nsec = Int(deadline.nanoseconds % 1_000_000_000)
                    _ = timerfd_settime(timer, Int32(TFD_TIMER_ABSTIME), &setting, nil)
                    let events = wait(milliseconds: deadline.millisecondsLeft)
                    if events.contains(where: { $0.descriptor == timer }) {
                        var expirations: UInt64 = 0
                        _ = Glibc.read(timer, &expirations, 8)
                        ready.removeAll { $0.descriptor == timer }
                    }
                    return ready
                }
            }
            return wait(milliseconds: deadline.millisecondsLeft)
        #else
            return wait(nanoseconds: deadline.nanoseconds - now.nanoseconds)
        #endif
    }

    /// Starts watching a descriptor.
    func add(_ descriptor: Int32, readable: Bool = true, writable: Bool = false) {
        #if canImport(Glibc)
            control(EPOLL_CTL_ADD, descriptor, readable: readable, writable: writable)
        #else
            change(descriptor, readable: readable, writable: writable)
        #endif
    }

    /// Changes what a descriptor is watched for.
    func update(_ descriptor: Int32, readable: Bool, writable: Bool) {
        #if canImport(Glibc)
            control(EPOLL_CTL_MOD, descriptor, readable: readable, writable: writable)
        #else
            change(descriptor, readable: readable, writable: writable)
        #endif
    }

    /// Stops watching a descriptor (before it is closed).
    func remove(_ descriptor: Int32) {
        #if canImport(Glibc)
            var event = epoll_event()
            _ = epoll_ctl(handle, EPOLL_CTL_DEL, descriptor, &event)
        #else
            change(descriptor, readable: false, writable: false)
        #endif
    }

    /// Waits up to `milliseconds` for readiness. The array is reused by the next call: read it before then.
    func wait(milliseconds: Int32) -> [Event] {
        ready.removeAll(keepingCapacity: true)
        #if canImport(Glibc)
            let count = epoll_wait(handle, &received, Int32(received.count), milliseconds)
            for event in received.prefix(Int(max(0, count))) {
                let flags = event.events
                ready.append(
                    Event(
                        descriptor: event.data.fd,
                        readable: flags & EPOLLIN.rawValue != 0,
                        writable: flags & EPOLLOUT.rawValue != 0,
                        closed: flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0))
            }
            return ready
        #else
            return wait(nanoseconds: UInt64(max(0, milliseconds)) * 1_000_000)
        #endif
    }

    #if canImport(Darwin)
        private func wait(nanoseconds: UInt64) -> [Event] {
            ready.removeAll(keepingCapacity: true)
            var timeout = timespec(
                tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
            let count = kevent(handle, nil, 0, &received, Int32(received.count), &timeout)
            for event in received.prefix(Int(max(0, count))) {
                ready.append(
                    Event(
                        descriptor: Int32(event.ident),
                        readable: event.filter == Int16(EVFILT_READ),
                        writable: event.filter == Int16(EVFILT_WRITE),
                        closed: event.flags & UInt16(EV_EOF | EV_ERROR) != 0))
            }
            return ready
        }
    #endif

    #if canImport(Glibc)
        private func control(_ operation: Int32, _ descriptor: Int32, readable: Bool, writable: Bool) {
            var event = epoll_event()
            event.events =
                (readable ? EPOLLIN.rawValue : 0) | (writable ? EPOLLOUT.rawValue : 0) | EPOLLRDHUP.rawValue
            event.data.fd = descriptor
            _ = epoll_ctl(handle, operation, descriptor, &event)
        }
    #else
        private func change(_ descriptor: Int32, readable: Bool, writable: Bool) {
            var changes = [
                kevent(
                    ident: UInt(descriptor), filter: Int16(EVFILT_READ),
                    flags: UInt16(readable ? EV_ADD | EV_ENABLE : EV_DELETE), fflags: 0, data: 0, udata: nil),
                kevent(
                    ident: UInt(descriptor), filter: Int16(EVFILT_WRITE),
                    flags: UInt16(writable ? EV_ADD | EV_ENABLE : EV_DELETE), fflags: 0, data: 0, udata: nil),
            ]
            _ = kevent(handle, &changes, Int32(changes.count), nil, 0, nil)
        }
    #endif
}
