import Foundation
import PPGHTTP
import PPGSignature
import PPGVectors
import PPGWire
import Synchronization
import TestSupport
import Testing

@testable import PPGConformance

@Suite("Receivers over HTTP, end to end on loopback")
struct HTTPEndToEndTests {
    @Test(
        "the reference receiver served over HTTP passes every receiver vector under every profile, strictly",
        arguments: SignatureProfile.all)
    func servePasses(profile: SignatureProfile) throws {
        let corpus = try #require(Fixtures.corpus)
        let reference = ReferenceReceiver(projectID: "p-123", publicURL: MutationRun.publicURL, profile: profile)
        let server = try LoopbackServer(receiver: reference)
        defer { server.stop() }
        let configuration = ReceiverConfiguration(
            projectID: "p-123", targetURL: server.url(),
            publicURL: MutationRun.publicURL, profile: profile)
        let result = Runner.run(
            corpus: corpus, target: HTTPTarget(url: server.url()),
            options: RunOptions(strict: true, configuration: configuration, jobs: 4))
        let bad = result.outcomes.filter { $0.status == .fail || $0.status == .error }
        #expect(bad.isEmpty, "\(bad.map { "\($0.id): \($0.reason)" }.prefix(5))")
        #expect(result.summary.passed >= 100)
        #expect(result.notSent[.signature] == corpus.signatureVectors.count)
    }

    @Test("every mutant is caught by at least one required vector", arguments: Mutant.allCases)
    func mutantsCaught(mutant: Mutant) throws {
        let corpus = try #require(Fixtures.corpus)
        for profile in SignatureProfile.all where mutant.applies(to: profile.scheme) && profile.encoding == .hex {
            let result = try MutationRun.run(mutant: mutant, corpus: corpus, profile: profile)
            #expect(result.caught, "\(mutant.rawValue) not caught under \(profile)")
        }
    }

    @Test("statuses: after N unanswered in a row nothing more is sent, and exactly N got their error")
    func statusesStopAfterUnanswered() throws {
        let corpus = try #require(Fixtures.corpus)
        let peer = try HostilePeer(.reset)
        defer { peer.stop() }
        let url = try #require(RawURL("http://127.0.0.1:\(peer.port)/hook"))
        let configuration = ReceiverConfiguration(projectID: "p", targetURL: url, profile: .default)
        let deliveries = Array(
            corpus.receiverVectors.flatMap { (try? $0.vector.deliveries(for: configuration)) ?? [] }
                .filter { !$0.chunked }.prefix(12))
        try #require(deliveries.count == 12)
        for limit in 1...3 {
            let answers = HTTPTarget(url: url, timeout: 2).statuses(
                of: deliveries, connections: 1, stopAfterUnanswered: limit, shouldStop: { false })
            let errors = answers.compactMap { answer -> TargetError? in
                if case .failure(let error)? = answer { return error }
                return nil
            }
            #expect(errors.count == limit, "limit \(limit): \(answers)")
            #expect(answers.compactMap { $0 }.count == limit && answers.suffix(12 - limit).allSatisfy { $0 == nil })
        }
    }

    @Test(
        "--jobs N keeps N exchanges in flight: against a receiver that never answers, a run takes about vectors ÷ jobs × timeout"
    )
    func jobsAreConcurrentExchanges() throws {
        let corpus = try #require(Fixtures.corpus)
        let peer = try HostilePeer(.hang)
        defer { peer.stop() }
        let url = try #require(RawURL("http://127.0.0.1:\(peer.port)/hook"))
        let configuration = ReceiverConfiguration(projectID: "p", targetURL: url, profile: .default)
        let selection = Selection(only: ["events/*", "headers/*"])
        let timeout = 0.4
        for jobs in [4, 16] {
            let start = Date()
            let result = Runner.run(
                corpus: corpus, target: HTTPTarget(url: url, timeout: timeout),
                options: RunOptions(selection: selection, configuration: configuration, jobs: jobs))
            let elapsed = Date().timeIntervalSince(start)
            let sent = result.outcomes.filter { $0.status != .skip }.count
            #expect(sent > 2 * jobs)
            #expect(
                !result.outcomes.filter { $0.status != .skip }.isEmpty
                    && result.outcomes.filter { $0.status != .skip }.allSatisfy { $0.status == .error })
            // The README's bound, with generous slack for a busy machine; a pool as wide as the cores (two here)
            // would take sent ÷ 2 × timeout, several times more.
            let bound = (Double(sent) / Double(jobs)).rounded(.up) * timeout
            #expect(elapsed < bound * 1.5 + 1, "--jobs \(jobs): \(sent) vectors took \(elapsed) s, bound \(bound) s")
        }
    }

    @Test("fuzz over HTTP sends each delivery on a connection of its own, on the event loop, with the same verdicts")
    func fuzzConnectionPerDelivery() throws {
        let corpus = try #require(Fixtures.corpus)
        let reference = ReferenceReceiver(projectID: "p-123", publicURL: MutationRun.publicURL, profile: .default)
        let peers = Mutex<Set<String>>([])
        let server = HTTPServer(
            configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0, idleTimeout: 5, requestTimeout: 5)
        ) { request, context in
            peers.withLock { _ = $0.insert(context.peer) }
            return reference.respond(to: request).response
        }
        let port = try server.start()
        defer {
            server.stop()
            server.wait()
        }
        let url = try #require(RawURL("http://127.0.0.1:\(port)/ppg/webhook"))
        let configuration = ReceiverConfiguration(
            projectID: "p-123", targetURL: url, publicURL: MutationRun.publicURL, profile: .default)
        var options = FuzzOptions(seed: 5, configuration: configuration, manifest: corpus.manifest)
        options.runs = 600
        options.jobs = 3
        let overHTTP = Fuzzer.run(target: HTTPTarget(url: url), oracle: .reference, options: options)
        let inProcess = Fuzzer.run(
            target: ReferenceTarget(configuration: configuration), oracle: .reference, options: options)
        #expect(overHTTP.runs == 600 && overHTTP.disagreements.isEmpty, "\(overHTTP.disagreements.map(\.request))")
        #expect(overHTTP.either == inProcess.either && overHTTP.features == inProcess.features)
        // A delivery the server answers before reading it whole must not be read as the next one's start.
        let connections = peers.withLock { $0.count }
        #expect(connections == overHTTP.runs, "\(connections) connections for \(overHTTP.runs) deliveries")
    }

    @Test("hostile receivers: the run finishes in bounded time, reports errors, and never crashes")
    func hostileReceivers() throws {
        let corpus = try #require(Fixtures.corpus)
        let behaviours: [HostilePeer.Behaviour] = [
            .hang, .drip("HTTP/1.1 200 OK\r\n", interval: 0.2), .reset, .garbage, .flood(bytes: 100 << 20),
            .reply("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n"),
            .replyThenHang("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"),
        ]
        let selection = Selection(only: ["events/*", "headers/missing"])
        for behaviour in behaviours {
            let peer = try HostilePeer(behaviour)
            defer { peer.stop() }
            let url = try #require(RawURL("http://127.0.0.1:\(peer.port)/hook"))
            let configuration = ReceiverConfiguration(projectID: "p", targetURL: url, profile: .default)
            let start = Date()
            let result = Runner.run(
                corpus: corpus, target: HTTPTarget(url: url, timeout: 0.3),
                options: RunOptions(selection: selection, configuration: configuration, jobs: 8))
            let elapsed = Date().timeIntervalSince(start)
            // 25 vectors, 8 at a time, 0.3 s each (follow-ups excepted): a few seconds at the very most.
            #expect(elapsed < 10, "\(behaviour) took \(elapsed) s")
            #expect(result.outcomes.count == 25)
            #expect(!result.summary.conforms)
            #expect(
                !result.outcomes.isEmpty && result.outcomes.allSatisfy { $0.status == .error || $0.status == .fail })
        }
    }

    @Test(
        "a chunked delivery's reproduction writes the harness's exact bytes to the socket",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash"), "bash is not installed"))
    func rawReproduction() throws {
        let corpus = try #require(Fixtures.corpus)
        let vector = try #require(corpus.receiverVectors.first { $0.vector.id == "content/chunked" }?.vector)
        let peer = try HostilePeer(.record)
        defer { peer.stop() }
        let url = try #require(RawURL("http://127.0.0.1:\(peer.port)/hook"))
        let target = HTTPTarget(url: url, timeout: 2)
        let deliveries = try vector.deliveries(
            for: ReceiverConfiguration(projectID: "p", targetURL: url, profile: .default))
        let command = target.reproduction(of: deliveries)
        #expect(command.hasPrefix("bash -c "))
        let result = try TestSupport.run("/bin/sh", ["-c", command])
        #expect(result.stdout.hasPrefix("HTTP/1.1 200"), "\(result.stderr)")
        #expect(peer.requestBytes == target.serialized(deliveries[0]))
    }

    @Test(
        "the curl reproduction sends the same request as the harness",
        .enabled(if: TestSupport.which("curl") != nil, "curl is not installed"))
    func curlReproduces() throws {
        let corpus = try #require(Fixtures.corpus)
        let ids = [
            "headers/duplicate-valid-first", "content/no-content-type", "content/malformed-json-garbage",
            "headers/empty", "content/get", "content/large-body", "delivery-query/apostrophe",
        ]
        for id in ids {
            let vector = try #require(corpus.receiverVectors.first { $0.vector.id == id }?.vector)
            let harnessPeer = try HostilePeer(.record)
            let curlPeer = try HostilePeer(.record)
            defer { harnessPeer.stop(); curlPeer.stop() }
            func delivery(_ port: Int) throws -> Delivery {
                let url = try #require(RawURL("http://127.0.0.1:\(port)/hook"))
                return try #require(
                    try vector.deliveries(
                        for: ReceiverConfiguration(
                            projectID: "p", targetURL: url, publicURL: RawURL("https://h.example/hook"),
                            profile: .default)
                    ).first)
            }
            let viaHarness = try delivery(harnessPeer.port)
            do {
                _ = try HTTPTarget(url: viaHarness.url).deliver([viaHarness])
            } catch {
                Issue.record("\(id): \(error)")
                continue
            }
            let command = CurlCommand.make(try delivery(curlPeer.port))
            let result = try TestSupport.run("/bin/sh", ["-c", command])
            #expect(result.status == 0, "\(id): \(result.stderr)")
            let (harnessHead, harnessBody) = split(harnessPeer.requestBytes)
            let (curlHead, curlBody) = split(curlPeer.requestBytes)
            #expect(harnessBody == curlBody, "\(id): bodies differ")
            #expect(harnessHead.first == curlHead.first, "\(id): request lines differ")
            func normalise(_ lines: [String], port: Int) -> [String] {
                lines.dropFirst().map { $0.replacingOccurrences(of: ":\(port)", with: ":PORT") }.sorted()
            }
            #expect(
                normalise(harnessHead, port: harnessPeer.port) == normalise(curlHead, port: curlPeer.port),
                "\(id): \(harnessHead) vs \(curlHead)")
        }
    }

    func split(_ bytes: [UInt8]) -> ([String], [UInt8]) {
        guard
            let end = (0..<max(0, bytes.count - 3)).first(where: {
                bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
            })
        else { return ([], bytes) }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        return (head, Array(bytes[(end + 4)...]))
    }
}
