import Foundation
import PPGHTTP
import PPGSignature
import PPGVectors
import PPGWire
import Synchronization

/// Signed deliveries at volume against one receiver, each verdict checked.
package struct LoadOptions: Sendable {
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
    /// Requests in flight per connection: 1 (the default) waits for each answer; more uses HTTP/1.1 pipelining,
    /// for receivers that support it.
    public var pipeline: Int

    /// Creates options.
    public init(
        configuration: ReceiverConfiguration, connections: Int = 32, duration: Double = 10, requests: Int? = nil,
        rate: Double? = nil, invalidRatio: Double = 0, timeout: Double = 5, tls: TLSOptions? = nil,
        pipeline: Int = 1
    ) {
        self.tls = tls
        self.pipeline = pipeline
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
package struct LoadResult: Sendable {
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

    /// The generator's own CPU time (user and system, all its threads) during the run, in seconds: what it took
    /// from a receiver on the same machine.
    public var cpuSeconds: Double = 0
    /// How many distinct deliveries were signed before the clock started.
    public var distinctDeliveries = 0
    /// How long signing them took, in seconds (not part of `seconds`).
    public var signingSeconds: Double = 0

    /// Requests per second over the run.
    public var rate: Double { seconds > 0 ? Double(requests) / seconds : 0 }

    /// The generator's CPU time per request, in microseconds.
    public var cpuMicrosecondsPerRequest: Double { requests > 0 ? cpuSeconds * 1e6 / Double(requests) : 0 }
}

/// This process's CPU time so far (user and system), in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
        let who = RUSAGE_SELF.rawValue
    #else
        let who = RUSAGE_SELF
    #endif
    guard getrusage(who, &usage) == 0 else { return 0 }
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Counters the loops share with the progress printer.
final class LoadCounters: Sendable {
    let requests = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let wrong = Atomic<Int>(0)
    let issued = Atomic<Int>(0)
}

/// Generates the load: `connections` kept-alive connections multiplexed on one event loop per core (the project's
/// own ``MultiplexedClient``), each request one of up to ``maximumPool`` distinct deliveries signed before the clock
/// starts, every verdict checked.
package enum LoadGenerator {
    static let kinds = [
        "subscriber:update", "subscriber:subscribe", "subscriber:unsubscribe",
        "transaction:message:delivered", "transaction:message:clicked",
        "transaction:message:rejected", "transaction:message:error",
    ]

    /// How many request numbers a loop claims at a time (one atomic step per batch, not per request).
    static let batchSize = 64

    /// The most distinct deliveries signed for one run (about 40 MB); a longer run cycles through them.
    static let maximumPool = 131_072

    /// How many distinct deliveries a run signs: one per request it will send, when that is known (`--requests`,
    /// or `--rate` × `--duration`), else 65,536, never more than ``maximumPool``.
    static func poolSize(_ options: LoadOptions) -> Int {
        let planned = options.requests ?? options.rate.map { Int(($0 * options.duration).rounded(.up)) + 1 } ?? 65_536
        return max(1, min(maximumPool, planned))
    }

    /// Signs `count` distinct deliveries across the cores, before the clock starts: signing is the generator's
    /// work, not the receiver's, and doing it during the run would take CPU from a receiver on the same machine.
    /// A stop asked for meanwhile (SIGINT) ends the signing at once: the pool is then what was signed, at least one.
    static func signPool(
        _ deliveries: LoadDeliveries, count: Int, shouldStop: @escaping @Sendable () -> Bool = { false }
    ) -> [SignedRequest] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 1024))
        let slices = Mutex<[[SignedRequest]]>(Array(repeating: [], count: parts))
        let group = DispatchGroup()
        for _ in 0..<parts { group.enter() }
        WorkerThreads.start(count: parts, name: "ppg-load-sign") { part in
            let range = (count * part / parts)..<(count * (part + 1) / parts)
            var signed: [SignedRequest] = []
            signed.reserveCapacity(range.count)
            for number in range {
                if number % 256 == 0 && shouldStop() { break }
                signed.append(deliveries.request(number: number))
            }
            slices.withLock { $0[part] = signed }
            group.leave()
        }
        group.wait()
        let pool = slices.withLock { $0.flatMap { $0 } }
        return pool.isEmpty ? [deliveries.request(number: 0)] : pool
    }

    /// Whether request number `index` is one of the wrongly signed ones, spread evenly at `ratio`.
    static func isInvalid(_ index: Int, ratio: Double) -> Bool {
        guard ratio > 0 else { return false }
        return Int((Double(index + 1) * ratio).rounded(.down)) > Int((Double(index) * ratio).rounded(.down))
    }

    /// Event loops for `connections`: one per core, never more than the connections.
    static func loops(connections: Int) -> Int {
        max(1, min(connections, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// Runs the load.
    /// - Parameters:
    ///   - options: What to send and for how long.
    ///   - shouldStop: Polled before each request: once it says so, no request starts and the run ends after
    ///     the ones in flight (SIGINT), with everything measured so far.
    ///   - progress: Called about once a second with seconds so far, requests so far, errors and wrong verdicts.
    /// - Returns: What happened.
    public static func run(
        _ options: LoadOptions, shouldStop: @escaping @Sendable () -> Bool = { false },
        progress: @escaping @Sendable (Double, Int, Int, Int) -> Void = { _, _, _, _ in }
    )
        -> LoadResult
    {
        let counters = LoadCounters()
        let target = options.configuration.targetURL
        let loops = loops(connections: options.connections)
        let client = MultiplexedClient.Options(
            host: target.host, port: target.connectPort, tls: options.tls, connections: options.connections,
            loops: loops,
            pipeline: options.pipeline, timeout: options.timeout)
        let signingStart = Deadline.now
        let pool = signPool(
            LoadDeliveries(configuration: options.configuration), count: poolSize(options), shouldStop: shouldStop)
        let start = Deadline.now
        let cpuAtStart = processCPUSeconds()
        let results = Mutex<[LoadResult]>([])
        let stopProgress = Atomic<Bool>(false)
        Thread.detachNewThread {
            var last = Deadline.now
            while !stopProgress.load(ordering: .relaxed) {
                usleep(50_000)
                if Deadline.now.microseconds(since: last) >= 1_000_000 {
                    last = .now
                    // Errors and wrong verdicts first: each is counted after its request, so read in this order
                    // they can never exceed the requests.
                    let errors = counters.errors.load(ordering: .acquiring)
                    let wrong = counters.wrong.load(ordering: .acquiring)
                    let requests = counters.requests.load(ordering: .acquiring)
                    progress(Double(last.microseconds(since: start)) / 1e6, requests, errors, wrong)
                }
            }
        }
        MultiplexedClient.run(client) { loop, _ in
            LoadDriver(
                options: options, pool: pool, counters: counters, start: start, loop: loop, loops: loops,
                shouldStop: shouldStop
            ) { result in results.withLock { $0.append(result) } }
        }
        let cpuSeconds = processCPUSeconds() - cpuAtStart
        stopProgress.store(true, ordering: .relaxed)
        var total = LoadResult(
            requests: 0, seconds: Double(Deadline.now.microseconds(since: start)) / 1e6, latency: LatencyHistogram(),
            statuses: [:], wrongVerdicts: 0, errors: 0, firstError: nil, validSent: 0, invalidSent: 0,
            cpuSeconds: cpuSeconds, distinctDeliveries: pool.count,
            signingSeconds: Double(start.microseconds(since: signingStart)) / 1e6)
        for part in results.withLock({ $0 }) {
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

/// One loop's share of the load: claims request numbers in batches, hands the deliveries signed for them to its
/// connections on schedule, and judges every answer by status.
final class LoadDriver: MultiplexedClientDriver {
    private let options: LoadOptions
    private let counters: LoadCounters
    private let shouldStop: @Sendable () -> Bool
    private let finish: (LoadResult) -> Void
    private let pool: [SignedRequest]
    private let end: Deadline
    /// With `--rate`, this loop's k-th request is due at `start + (k × loops + loop) / rate`.
    private let schedule: (start: Deadline, interval: UInt64, offset: UInt64)?
    private var scheduled: UInt64 = 0
    private var batch = 0..<0
    private var exhausted = false
    private var stopped = false

    private var histogram = LatencyHistogram()
    private var statuses = [Int](repeating: 0, count: 600)
    private var wrong = 0, errors = 0, validSent = 0, invalidSent = 0
    private var firstError: String?

    init(
        options: LoadOptions, pool: [SignedRequest], counters: LoadCounters, start: Deadline, loop: Int, loops: Int,
        shouldStop: @escaping @Sendable () -> Bool, finish: @escaping (LoadResult) -> Void
    ) {
        self.options = options
        self.counters = counters
        self.shouldStop = shouldStop
        self.finish = finish
        self.pool = pool
        self.end = start.adding(nanoseconds: UInt64(options.duration * 1e9))
        if let rate = options.rate {
            let interval = UInt64(1e9 / rate)
            schedule = (start, interval * UInt64(loops), interval * UInt64(loop))
        } else {
            schedule = nil
        }
    }

    func ended() {
        var byStatus: [Int: Int] = [:]
        for (status, count) in statuses.enumerated() where count > 0 { byStatus[status] = count }
        finish(
            LoadResult(
                requests: validSent + invalidSent, seconds: 0, latency: histogram, statuses: byStatus,
                wrongVerdicts: wrong, errors: errors, firstError: firstError, validSent: validSent,
                invalidSent: invalidSent))
    }

    func next(now: Deadline) -> MultiplexedClientStep {
        if stopped || shouldStop() {
            stopped = true
            return .stop
        }
        if options.requests == nil && now >= end {
            stopped = true
            return .stop
        }
        var intended: Deadline?
        if let schedule {
            let due = schedule.start.adding(nanoseconds: schedule.offset + scheduled * schedule.interval)
            // A due time past the run's end sends nothing.
            if options.requests == nil && due >= end {
                stopped = true
                return .stop
            }
            if now < due { return .wait(until: due) }
            intended = due
        }
        if batch.isEmpty {
            guard !exhausted, refill() else {
                stopped = true
                return .stop
            }
        }
        let number = batch.removeFirst()
        scheduled += 1
        let signed = pool[number % pool.count]
        if LoadGenerator.isInvalid(number, ratio: options.invalidRatio) {
            invalidSent += 1
            return .send(bytes: signed.wronglySigned, tag: number, intended: intended)
        }
        validSent += 1
        return .send(bytes: signed.bytes, tag: number, intended: intended)
    }

    /// Claims the next batch of request numbers. False once they run out.
    private func refill() -> Bool {
        let first =
            counters.issued.add(LoadGenerator.batchSize, ordering: .relaxed).newValue - LoadGenerator.batchSize
        var count = LoadGenerator.batchSize
        if let limit = options.requests {
            count = max(0, min(count, limit - first))
            if count < LoadGenerator.batchSize { exhausted = true }
        }
        batch = first..<first + count
        return count > 0
    }

    func answered(tag: Int, status: Int, started: Deadline, now: Deadline) {
        histogram.record(now.microseconds(since: started))
        counters.requests.add(1, ordering: .releasing)
        if status < statuses.count { statuses[status] += 1 }
        let accepted = (200...299).contains(status)
        let rejected = (400...499).contains(status)
        if LoadGenerator.isInvalid(tag, ratio: options.invalidRatio) ? !rejected : !accepted {
            wrong += 1
            counters.wrong.add(1, ordering: .releasing)
        }
    }

    func failed(tag: Int, error: HTTPError, started: Deadline, now: Deadline) {
        counters.requests.add(1, ordering: .releasing)
        countError(error)
    }

    /// An answer nobody asked for, and the connection closed for it: an error of the receiver's, though no request
    /// was lost to it.
    func unsolicited(error: HTTPError, now: Deadline) {
        countError(error)
    }

    private func countError(_ error: HTTPError) {
        errors += 1
        counters.errors.add(1, ordering: .releasing)
        if firstError == nil { firstError = error.message }
    }
}

/// Builds distinct signed deliveries by number: the event kind, customId and subscriber id follow from the number,
/// so no two requests of a run carry the same body; a wrongly signed one has one character of its signature changed.
struct LoadDeliveries {
    private let signer: Signer
    private let scheme: SignatureScheme
    private let url: String
    private let target: String
    private let host: String
    private let projectID: String

    init(configuration: ReceiverConfiguration) {
        signer = Signer(projectID: configuration.projectID, profile: configuration.profile)
        scheme = configuration.profile.scheme
        url = configuration.publicURL.description
        projectID = configuration.projectID
        target = configuration.targetURL.requestTarget
        host = configuration.targetURL.authority
    }

    /// The delivery's JSON body for a request number.
    func body(number: Int) -> [UInt8] {
        let kind = LoadGenerator.kinds[number % LoadGenerator.kinds.count]
        let idName = kind.hasPrefix("transaction") ? "subscriberId" : "ppgId"
        var subscriber = String(UInt64(0x5f00_0000_0000) &+ UInt64(number) &* 7919, radix: 16)
        subscriber = String(repeating: "0", count: max(0, 24 - subscriber.utf8.count)) + subscriber
        return Array(
            #"{"projectId":"\#(projectID)","customId":"user-\#(number)","\#(idName)":"\#(subscriber)","kind":"\#(kind)"}"#
                .utf8)
    }

    /// The whole request for a number, correctly signed, as the HTTP client serialises any request.
    func request(number: Int) -> SignedRequest {
        let body = body(number: number)
        let input =
            (try? SigningInput.make(scheme: scheme, url: url.utf8, body: body, contentType: "application/json")) ?? []
        let request = HTTPRequest(
            method: "POST", target: target,
            headers: [
                (name: "Content-Type", value: "application/json"),
                (name: signatureHeaderName, value: signer.signature(forSigningInput: input)),
            ],
            body: body)
        let bytes = request.serialized(host: host)
        // The value follows the field's name, a colon and a space; the head is a few hundred bytes.
        let name = Array((signatureHeaderName + ": ").utf8)
        let start = (0...(bytes.count - name.count)).first { bytes[$0..<($0 + name.count)].elementsEqual(name) }
        return SignedRequest(bytes: bytes, signatureOffset: (start ?? 0) + name.count)
    }
}

/// One delivery's whole request, and where its signature starts.
struct SignedRequest: Sendable {
    /// The request, correctly signed.
    var bytes: [UInt8]
    var signatureOffset: Int

    /// The same request with the signature's first character changed.
    var wronglySigned: [UInt8] {
        var copy = bytes
        copy[signatureOffset] = copy[signatureOffset] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
        return copy
    }
}
