import Foundation
import PPGHTTP
import PPGSignature
import PPGVectors
import PPGWire
import TestSupport
import Testing

@testable import PPGConformance

@Suite("Latency histogram")
struct LatencyHistogramTests {
    @Test("load reports p50, p90, p99 and p99.9 by those names, each the value at its own percentile")
    func reportedPercentiles() {
        var histogram = LatencyHistogram()
        for value in 1...1000 { histogram.record(UInt64(value)) }
        let reported = histogram.reported()
        #expect(reported.map(\.name) == ["p50", "p90", "p99", "p99.9"])
        for (name, value) in reported {
            let percentile = Double(name.dropFirst()) ?? -1
            #expect(value == histogram.value(atPercentile: percentile), "\(name)")
        }
    }

    @Test("merging histograms is recording all their values in one: every bucket, a single value's included")
    func mergeIsRecordingBoth() {
        var random = SplitMix64(seed: 38)
        for round in 0..<40 {
            var parts = [LatencyHistogram(), LatencyHistogram(), LatencyHistogram()]
            var whole = LatencyHistogram()
            // Few values over a wide range: most buckets hold one value, some none, a few several.
            for _ in 0..<(1 + random.below(30)) {
                let value = UInt64(random.below(1 << 20)) >> UInt64(random.below(20))
                parts[random.below(parts.count)].record(value)
                whole.record(value)
            }
            var merged = LatencyHistogram()
            for part in parts { merged.merge(part) }
            #expect(merged.count == whole.count && merged.maximum == whole.maximum && merged.minimum == whole.minimum)
            for percentile in [1.0, 10, 25, 50, 75, 90, 99, 99.9, 100] {
                #expect(
                    merged.value(atPercentile: percentile) == whole.value(atPercentile: percentile),
                    "round \(round), p\(percentile)")
            }
        }
    }

    @Test("percentiles of 1…1000 µs are exact")
    func exactRange() {
        var histogram = LatencyHistogram()
        for value in (1...1000).reversed() { histogram.record(UInt64(value)) }
        #expect(histogram.count == 1000)
        #expect(histogram.value(atPercentile: 50) == 500)
        #expect(histogram.value(atPercentile: 90) == 900)
        #expect(histogram.value(atPercentile: 99) == 990)
        #expect(histogram.value(atPercentile: 99.9) == 999)
        #expect(histogram.value(atPercentile: 100) == 1000)
        #expect(histogram.maximum == 1000 && histogram.minimum == 1)
        #expect(abs(histogram.mean - 500.5) < 0.001)
    }

    @Test(
        "large values are within 0.2 %, and the maximum is exact",
        arguments: [
            UInt64(1_024), 1_500, 65_537, 1_000_000, 37_000_000, 5_000_000_000,
        ])
    func relativeError(value: UInt64) {
        var histogram = LatencyHistogram()
        for _ in 0..<10 { histogram.record(value) }
        histogram.record(1)
        let p50 = histogram.value(atPercentile: 50)
        #expect(p50 >= value && Double(p50 - value) <= Double(value) * 0.002, "\(p50) for \(value)")
        #expect(histogram.maximum == value)
    }

    // The maximum caps a percentile, so a value recorded alone comes back exact whatever its bucket: a larger value
    // beside it makes the bucket's own bound show, at every power of two the histogram resolves.
    @Test("every value up to 2^41 µs is known to within 0.2 %, with larger values recorded beside it")
    func precisionAtEveryPowerOfTwo() {
        var generator = SplitMix64(seed: 41)
        for exponent in 0...LatencyHistogram.maximumExponent {
            for _ in 0..<20 {
                let value = (UInt64(1) << UInt64(exponent)) | (generator.next() & ((UInt64(1) << UInt64(exponent)) - 1))
                var histogram = LatencyHistogram()
                histogram.record(value)
                histogram.record(UInt64(1) << 50)
                let p50 = histogram.value(atPercentile: 50)
                #expect(
                    p50 >= value && Double(p50 - value) <= Double(value) * 0.002,
                    "p50 \(p50) for \(value) (2^\(exponent))")
            }
        }
    }

    @Test("merging adds counts; an empty histogram answers 0")
    func merging() {
        var first = LatencyHistogram()
        var second = LatencyHistogram()
        for value in 1...100 { first.record(UInt64(value)) }
        for value in 101...200 { second.record(UInt64(value)) }
        first.merge(second)
        #expect(first.count == 200)
        #expect(first.value(atPercentile: 50) == 100)
        #expect(first.maximum == 200)
        #expect(LatencyHistogram().value(atPercentile: 99) == 0)
    }
}

@Suite("load against loopback receivers")
struct LoadRunTests {
    let reference = ReferenceReceiver(
        projectID: "load-project", publicURL: MutationRun.publicURL, profile: .default)

    /// Serves `receiver` on loopback and runs the load the options made for its configuration describe.
    func load(_ receiver: any Receiver, _ options: (ReceiverConfiguration) -> LoadOptions) throws -> LoadResult {
        let server = try LoopbackServer(receiver: receiver)
        defer { server.stop() }
        let configuration = ReceiverConfiguration(
            projectID: "load-project", targetURL: server.url(), publicURL: MutationRun.publicURL, profile: .default)
        return LoadGenerator.run(options(configuration))
    }

    func run(_ receiver: any Receiver, requests: Int, invalidRatio: Double) throws -> LoadResult {
        try load(receiver) {
            LoadOptions(configuration: $0, connections: 8, requests: requests, invalidRatio: invalidRatio)
        }
    }

    @Test("against serve: a valid and invalid mix, every verdict right")
    func againstReference() throws {
        let result = try run(reference, requests: 2000, invalidRatio: 0.25)
        #expect(result.requests == 2000)
        #expect(result.invalidSent == 500 && result.validSent == 1500)
        #expect(result.statuses == [200: 1500, 401: 500])
        #expect(result.wrongVerdicts == 0 && result.errors == 0)
        #expect(result.latency.count == 2000)
        // The rate is requests over seconds, however short the run (2,000 requests take well under a second here).
        #expect(result.seconds > 0 && abs(result.rate - Double(result.requests) / result.seconds) < 1e-6)
    }

    @Test("each request is counted once: answered under its status, or failed as one error")
    func requestsAreAnsweredOrErrors() throws {
        // A Content-Length that is no number: every answer is refused, one error a request.
        let peer = try HostilePeer(.reply("HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\n"))
        defer { peer.stop() }
        let configuration = ReceiverConfiguration(
            projectID: "load-project", targetURL: try #require(RawURL("http://127.0.0.1:\(peer.port)/ppg/webhook")),
            publicURL: MutationRun.publicURL, profile: .default)
        var options = LoadOptions(configuration: configuration, connections: 1, requests: 20, invalidRatio: 0)
        options.timeout = 2
        let failing = LoadGenerator.run(options)
        #expect(failing.requests == 20 && failing.errors == 20 && failing.statuses.isEmpty, "\(failing)")
        let answered = try run(reference, requests: 300, invalidRatio: 0.5)
        #expect(answered.requests == answered.statuses.values.reduce(0, +) + answered.errors)
    }

    @Test("against a mutant that accepts everything, every wrongly signed delivery is a wrong verdict")
    func againstMutant() throws {
        let result = try run(
            MutantReceiver(mutant: .acceptAll, reference: reference), requests: 1000, invalidRatio: 0.1)
        #expect(result.invalidSent == 100)
        #expect(result.wrongVerdicts == 100)
        #expect(result.statuses == [200: 1000])
    }

    @Test("against a receiver that rebuilds the URL, valid deliveries are wrong verdicts too")
    func againstURLMutant() throws {
        let result = try run(MutantReceiver(mutant: .rebuildsURL, reference: reference), requests: 300, invalidRatio: 0)
        #expect(result.wrongVerdicts == 300)
    }

    @Test("a rate below one request a second per connection is honoured: nothing is sent before it is due")
    func slowRate() throws {
        // 2 requests a second across 8 connections: one every 4 s per connection, offset by 0.5 s each.
        let result = try load(reference) {
            LoadOptions(configuration: $0, connections: 8, duration: 1.6, rate: 2)
        }
        #expect(result.requests >= 3 && result.requests <= 4, "\(result.requests) requests in 1.6 s at 2/s")
    }

    @Test("under --rate, latency runs from the intended send time: a receiver that falls behind is charged for it")
    func coordinatedOmission() throws {
        // 20 ms a request on one connection: 50 requests a second at most, asked for 200. Measured from the send,
        // every latency would be about 20 ms; measured from the intended time, the queue shows.
        let result = try load(SlowReceiver(reference: reference, seconds: 0.02)) {
            LoadOptions(configuration: $0, connections: 1, duration: 1, rate: 200)
        }
        #expect(result.wrongVerdicts == 0 && result.errors == 0)
        #expect(result.requests >= 10 && result.requests <= 60, "\(result.requests) requests")
        #expect(
            result.latency.value(atPercentile: 90) > 200_000,
            "p90 \(result.latency.value(atPercentile: 90)) µs: the wait behind the schedule is not counted")
        #expect(result.distinctDeliveries == 201)
    }

    @Test("every request of a run is a distinct delivery, and the generator's own CPU time is measured")
    func distinctDeliveries() throws {
        let result = try run(reference, requests: 700, invalidRatio: 0.5)
        #expect(result.distinctDeliveries == 700)
        #expect(result.cpuSeconds > 0 && result.cpuMicrosecondsPerRequest > 0)
        #expect(result.statuses == [200: 350, 401: 350])
        let deliveries = LoadDeliveries(
            configuration: ReceiverConfiguration(
                projectID: "load-project", targetURL: MutationRun.publicURL, publicURL: MutationRun.publicURL,
                profile: .default))
        let bodies = Set((0..<LoadGenerator.maximumPool).map { deliveries.body(number: $0) })
        #expect(bodies.count == LoadGenerator.maximumPool)
    }

    @Test(
        "a load request is the bytes the HTTP client sends for it, and its wrong copy differs in the signature only"
    )
    func loadRequestBytes() throws {
        let configuration = ReceiverConfiguration(
            projectID: "load-project", targetURL: MutationRun.publicURL, publicURL: MutationRun.publicURL,
            profile: .default)
        let signed = LoadDeliveries(configuration: configuration).request(number: 7)
        let valid = try HTTPRequest.parse(raw: signed.bytes)
        let wrong = try HTTPRequest.parse(raw: signed.wronglySigned)
        #expect(valid.serialized(host: configuration.targetURL.authority) == signed.bytes)
        #expect(wrong.body == valid.body && wrong.target == valid.target)
        #expect(wrong.headers.removingSignature == valid.headers.removingSignature)
        let values = (valid.headers.signatureValues, wrong.headers.signatureValues)
        #expect(values.0.count == 1 && values.1.count == 1 && values.0 != values.1)
        let reference = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: .default)
        #expect(reference.respond(to: valid).response.status == 200)
        #expect(reference.respond(to: wrong).response.status == 401)
    }
}

/// A receiver that takes its time over every request.
struct SlowReceiver: Receiver {
    let reference: ReferenceReceiver
    let seconds: Double
    var pipeline: ReceiverPipeline { reference.pipeline }

    func respond(to request: HTTPRequest) -> ReceiverAnswer {
        Thread.sleep(forTimeInterval: seconds)
        return reference.respond(to: request)
    }
}

extension HTTPFields {
    fileprivate var removingSignature: HTTPFields {
        var copy = self
        copy.removeAll(named: signatureHeaderName)
        return copy
    }
}

@Suite("Load result")
struct LoadResultTests {
    static func result(requests: Int, seconds: Double, cpuSeconds: Double) -> LoadResult {
        LoadResult(
            requests: requests, seconds: seconds, latency: LatencyHistogram(), statuses: [:], wrongVerdicts: 0,
            errors: 0, firstError: nil, validSent: requests, invalidSent: 0, cpuSeconds: cpuSeconds)
    }

    @Test("a run of no time or no requests has a rate and a CPU cost of 0, never a quotient of nothing")
    func emptyRunsRateZero() {
        for (requests, seconds) in [(0, 0.0), (5, 0.0), (0, 0.5), (0, 3.0)] {
            let result = Self.result(requests: requests, seconds: seconds, cpuSeconds: 0.25)
            #expect(result.rate == 0, "\(requests) in \(seconds) s")
            if requests == 0 { #expect(result.cpuMicrosecondsPerRequest == 0) }
        }
    }

    @Test("the rate is requests over seconds and the CPU cost CPU time over requests, for runs of any length")
    func rateIsAQuotient() {
        for (requests, seconds) in [(1, 0.001), (2_000, 0.4), (3, 1.0), (90_000, 4.5)] {
            let result = Self.result(requests: requests, seconds: seconds, cpuSeconds: 0.5)
            #expect(abs(result.rate - Double(requests) / seconds) < 1e-9 * Double(requests) / seconds)
            #expect(abs(result.cpuMicrosecondsPerRequest - 0.5e6 / Double(requests)) < 1e-6)
        }
    }
}
