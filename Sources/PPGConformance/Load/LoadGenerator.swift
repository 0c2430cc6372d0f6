import Foundation
import PPGHTTP
import PPGSignature
import PPGVectors
import Synchronization

/// Signed deliveries at volume against one receiver, each verdict checked.
public struct LoadOptions: Sendable {
    /// The receiver's configuration.
    public var configuration: ReceiverConfiguration
    /// How many kept-alive connections run at once.
    public var connections: Int
    /// Stop after this many seconds (when `requests` is nil).
    public var duration: Double
    /// Stop after this many requests in all.
    public var requests: Int?
    /// Requests per second across all connections; nil for as fast as possible.
    public var rate: Double?
    /// The share of deliveries sent with a wrong signature, from 0 to 1.
    public var invalidRatio: Double
    /// Seconds each exchange may take.
    public var timeout: Double
    /// TLS for an https target.
    public var tls: TLSOptions?

    /// Creates options.
    public init(
        configuration: ReceiverConfiguration, connections: Int = 32, duration: Double = 10, requests: Int? = nil,
        rate: Double? = nil, invalidRatio: Double = 0, timeout: Double = 5, tls: TLSOptions? = nil
    ) {
        self.tls = tls
        self.configuration = configuration
        self.connections = connections
        self.duration = duration
        self.requests = requests
        self.rate = rate
        self.invalidRatio = invalidRatio
        self.timeout = timeout
    }
}

/// The outcome of a load run.
public struct LoadResult: Sendable {
    /// How many requests were sent.
    public var requests: Int
    /// How long the run took, in seconds.
    public var seconds: Double
    /// Latencies, in microseconds.
    public var latency: LatencyHistogram
    /// How many responses had each status code.
    public var statuses: [Int: Int]
    /// 2xx for a wrongly signed delivery, or anything but 2xx for a valid one.
    public var wrongVerdicts: Int
    /// How many exchanges got no answer.
    public var errors: Int
    /// The first error, for the report.
    public var firstError: String?
    /// Correctly signed deliveries sent.
    public var validSent: Int
    /// Wrongly signed deliveries sent.
    public var invalidSent: Int

    /// Requests per second over the run.
    public var rate: Double { seconds > 0 ? Double(requests) / seconds : 0 }
}

/// Counters the workers share with the progress printer.
final class LoadCounters: Sendable {
    let requests = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let wrong = Atomic<Int>(0)
    let issued = Atomic<Int>(0)
}

/// Generates the load: `connections` threads, each on a kept-alive connection of our own client, sending
/// pre-serialised deliveries of varied kinds and subscribers.
public enum LoadGenerator {
    /// One prepared request.
    struct Prepared: Sendable {
        var bytes: [UInt8]
        var valid: Bool
    }

    static let kinds = [
        "subscriber:update", "subscriber:subscribe", "subscriber:unsubscribe",
        "transaction:message:delivered", "transaction:message:clicked",
        "transaction:message:rejected", "transaction:message:error",
    ]

    /// A pool of distinct deliveries, so that receiver caches do not flatter it; invalid ones carry one character
    /// of the signature changed.
    static func pool(
        _ configuration: ReceiverConfiguration, size: Int = 512
    ) -> (valid: [Prepared], invalid: [Prepared]) {
        let signer = Signer(projectID: configuration.projectID, profile: configuration.profile)
        let target = configuration.targetURL.requestTarget
        let host = configuration.targetURL.authority
        var valid: [Prepared] = []
        var invalid: [Prepared] = []
        let url = configuration.publicURL.description
        for index in 0..<size {
            let kind = kinds[index % kinds.count]
            let idName = kind.hasPrefix("transaction") ? "subscriberId" : "ppgId"
            let subscriber = String(format: "%024x", 0x5f00_0000 + index * 7919)
            let body = Array(
                #"{"projectId":"\#(configuration.projectID)","customId":"user-\#(index)","\#(idName)":"\#(subscriber)","kind":"\#(kind)"}"#
                    .utf8)
            let input =
                (try? SigningInput.make(
                    scheme: configuration.profile.scheme, url: url.utf8, body: body,
                    contentType: "application/json")) ?? []
            let signature = signer.signature(forSigningInput: input)
            func serialize(_ signature: String) -> [UInt8] {
                Array(
                    "POST \(target) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\nX-PPG-Signature: \(signature)\r\nContent-Length: \(body.count)\r\n\r\n"
                        .utf8) + body
            }
            valid.append(Prepared(bytes: serialize(signature), valid: true))
            var broken = Array(signature.utf8)
            broken[0] = broken[0] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            invalid.append(Prepared(bytes: serialize(String(decoding: broken, as: UTF8.self)), valid: false))
        }
        return (valid, invalid)
    }

    /// Whether request number `index` is one of the wrongly signed ones, spread evenly at `ratio`.
    static func isInvalid(_ index: Int, ratio: Double) -> Bool {
        guard ratio > 0 else { return false }
        return Int((Double(index + 1) * ratio).rounded(.down)) > Int((Double(index) * ratio).rounded(.down))
    }

    /// Runs the load.
    /// - Parameters:
    ///   - options: What to send and for how long.
    ///   - shouldStop: Polled before each request: once it says so, no request starts and the run ends after
    ///     the ones in flight (SIGINT), with everything measured so far.
    ///   - progress: Called about once a second with requests so far, errors and wrong verdicts.
    /// - Returns: What happened.
    public static func run(
        _ options: LoadOptions, shouldStop: @escaping @Sendable () -> Bool = { false },
        progress: @escaping @Sendable (Double, Int, Int, Int) -> Void = { _, _, _, _ in }
    )
        -> LoadResult
    {
        let (valid, invalid) = pool(options.configuration)
        let counters = LoadCounters()
        let host = options.configuration.targetURL.host
        let port = options.configuration.targetURL.port.flatMap { Int($0) } ?? (options.tls == nil ? 80 : 443)
        let start = Date()
        let end = start.addingTimeInterval(options.duration)
        let perConnectionInterval = options.rate.map { Double(options.connections) / $0 }
        let results = LoadSlots(count: options.connections)
        let finished = DispatchGroup()
        let stopProgress = Atomic<Bool>(false)
        Thread.detachNewThread {
            var last = Date()
            while !stopProgress.load(ordering: .relaxed) {
                usleep(50_000)
                if Date().timeIntervalSince(last) >= 1 {
                    last = Date()
                    // Errors and wrong verdicts first: each is counted after its request, so read in this order
                    // they can never exceed the requests.
                    let errors = counters.errors.load(ordering: .acquiring)
                    let wrong = counters.wrong.load(ordering: .acquiring)
                    let requests = counters.requests.load(ordering: .acquiring)
                    progress(last.timeIntervalSince(start), requests, errors, wrong)
                }
            }
        }
        for worker in 0..<options.connections {
            finished.enter()
            let thread = Thread {
                var histogram = LatencyHistogram()
                var statuses: [Int: Int] = [:]
                var wrong = 0, errors = 0, sentValid = 0, sentInvalid = 0
                var firstError: String?
                let connection = HTTPConnection(
                    host: host, port: port, connectTimeout: options.timeout, tls: options.tls)
                connection.hostHeader = options.configuration.targetURL.authority
                var sent = 0
                while !shouldStop() {
                    let number = counters.issued.add(1, ordering: .relaxed).newValue - 1
                    if let limit = options.requests, number >= limit { break }
                    if options.requests == nil && Date() >= end { break }
                    if let interval = perConnectionInterval {
                        let due = start.addingTimeInterval(
                            Double(sent) * interval + Double(worker) * interval / Double(options.connections))
                        // Sleep in short steps until the request is due, however far away (a rate below one
                        // request a second per connection); a due time past the run's end sends nothing.
                        if options.requests == nil && due >= end { break }
                        while case let wait = due.timeIntervalSinceNow, wait > 0, !shouldStop() {
                            usleep(UInt32(min(wait, 0.25) * 1_000_000))
                        }
                        if shouldStop() { break }
                    }
                    sent += 1
                    let bad = isInvalid(number, ratio: options.invalidRatio)
                    let prepared = bad ? invalid[number % invalid.count] : valid[number % valid.count]
                    if bad { sentInvalid += 1 } else { sentValid += 1 }
                    let began = Deadline.now
                    do {
                        let response = try connection.send(
                            serialized: prepared.bytes, method: "POST", timeout: options.timeout)
                        histogram.record(Deadline.now.microseconds(since: began))
                        counters.requests.add(1, ordering: .releasing)
                        statuses[response.status, default: 0] += 1
                        let accepted = (200...299).contains(response.status)
                        let rejected = (400...499).contains(response.status)
                        if prepared.valid ? !accepted : !rejected {
                            wrong += 1
                            counters.wrong.add(1, ordering: .releasing)
                        }
                    } catch {
                        counters.requests.add(1, ordering: .releasing)
                        errors += 1
                        counters.errors.add(1, ordering: .releasing)
                        if firstError == nil { firstError = "\(error)" }
                        usleep(10_000)
                    }
                }
                connection.close()
                results.set(
                    worker,
                    LoadResult(
                        requests: sent, seconds: 0, latency: histogram, statuses: statuses,
                        wrongVerdicts: wrong, errors: errors, firstError: firstError,
                        validSent: sentValid, invalidSent: sentInvalid))
                finished.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        finished.wait()
        stopProgress.store(true, ordering: .relaxed)
        let seconds = Date().timeIntervalSince(start)
        var total = LoadResult(
            requests: 0, seconds: seconds, latency: LatencyHistogram(), statuses: [:], wrongVerdicts: 0,
            errors: 0, firstError: nil, validSent: 0, invalidSent: 0)
        for part in results.values() {
            total.requests += part.requests
            total.latency.merge(part.latency)
            for (status, count) in part.statuses { total.statuses[status, default: 0] += count }
            total.wrongVerdicts += part.wrongVerdicts
            total.errors += part.errors
            total.firstError = total.firstError ?? part.firstError
            total.validSent += part.validSent
            total.invalidSent += part.invalidSent
        }
        return total
    }
}

/// Per-worker results, written once each.
final class LoadSlots: @unchecked Sendable {
    private var slots: [LoadResult?]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ result: LoadResult) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func values() -> [LoadResult] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
