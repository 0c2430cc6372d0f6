import PPGSignature
import PPGVectors
import PPGWire
import TestSupport
import Testing

@testable import PPGConformance

@Suite("Runner")
struct RunnerTests {
    @Test("the reference passes the whole corpus under every profile", arguments: SignatureProfile.all)
    func referencePasses(profile: SignatureProfile) throws {
        let corpus = try #require(Fixtures.corpus)
        let result = Runner.run(
            corpus: corpus, target: Fixtures.reference(profile),
            options: Fixtures.options(profile: profile, strict: true))
        let failures = result.outcomes.filter { $0.status == .fail || $0.status == .error }
        #expect(failures.isEmpty, "\(failures.map { "\($0.id): \($0.reason)" }.prefix(5))")
        #expect(result.summary.conforms)
        #expect(result.summary.passed > 300)
    }

    @Test("a receiver that accepts everything fails every must-reject vector, and only those")
    func acceptAll() throws {
        let corpus = try #require(Fixtures.corpus)
        let result = Runner.run(corpus: corpus, target: FixedTarget(status: 200), options: Fixtures.options())
        let receiverOutcomes = result.outcomes.filter { $0.kind == .receiver }
        for outcome in receiverOutcomes where outcome.status == .fail {
            #expect(outcome.expected.contains("reject"), "\(outcome.id) failed but expected \(outcome.expected)")
        }
        let mustReject = corpus.receiverVectors.filter {
            $0.vector.expect == .reject
                && $0.vector.skipReason(for: .default) == nil
        }
        #expect(receiverOutcomes.filter { $0.status == .fail }.count >= mustReject.count - 2)
        #expect(!result.summary.conforms)
        // Recommended failures are warnings, not failures, unless --strict.
        let recommended = result.outcomes.filter { $0.level == .recommended && $0.status == .fail }
        #expect(!recommended.isEmpty)
        #expect(recommended.allSatisfy { $0.disposition == .warning })
        let strict = Runner.run(
            corpus: corpus, target: FixedTarget(status: 200), options: Fixtures.options(strict: true))
        #expect(strict.summary.failed == result.summary.failed + result.summary.warnings)
    }

    @Test("with passes left undescribed, a pass carries no request text and a failure the same text as a full run")
    func passesUndescribed() throws {
        let corpus = try #require(Fixtures.corpus)
        let selection = Selection(only: ["events/legacy-ibody", "headers/missing", "bodies/pretty"])
        var quiet = Fixtures.options(selection: selection)
        quiet.describesPasses = false
        for status in [200, 401] {
            let full = Runner.run(
                corpus: corpus, target: FixedTarget(status: status), options: Fixtures.options(selection: selection))
            let brief = Runner.run(corpus: corpus, target: FixedTarget(status: status), options: quiet)
            #expect(full.outcomes.count == brief.outcomes.count && full.outcomes.count >= 2)
            #expect(Set(full.outcomes.map(\.status)).count == 2, "a pass and a failure at \(status)")
            for (one, other) in zip(full.outcomes, brief.outcomes) {
                #expect(one.status == other.status && one.reason == other.reason && one.actual == other.actual)
                #expect(!one.request.isEmpty && !one.signed.isEmpty)
                if one.status == .pass {
                    #expect(other.request.isEmpty && other.signed.isEmpty && other.reproduction.isEmpty)
                } else {
                    #expect(
                        other.request == one.request && other.signed == one.signed
                            && other.reproduction == one.reproduction)
                }
            }
        }
    }

    @Test("a rejection's statuses: 4xx without --strict; under it 401 or 403 exactly when the signature is the reason")
    func rejectionStatuses() throws {
        let corpus = try #require(Fixtures.corpus)
        let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
        var seen: Set<[String]> = []
        for located in corpus.receiverVectors {
            for delivery in (try? located.vector.deliveries(for: configuration)) ?? [] where delivery.expect == .reject
            {
                let allowed = AllowedAnswers(delivery).alsoAllowed.map(String.init)
                let lenient = ResponseJudging.expectedStatuses(delivery, strict: false)
                let strict = ResponseJudging.expectedStatuses(delivery, strict: true)
                #expect(lenient == ["4xx"] + allowed, "\(located.vector.id)")
                let signature = ResponseJudging.isSignatureRejection(delivery)
                #expect(strict == (signature ? ["401", "403"] : ["4xx"]) + allowed, "\(located.vector.id)")
                seen.insert(Array(strict.prefix(1)))
            }
        }
        // Both kinds of rejection are in the corpus: the rule was tested both ways.
        #expect(seen == [["401"], ["4xx"]])
    }

    @Test("5xx answers fail with 'the receiver broke'; 3xx fail as redirects")
    func brokenStatuses() throws {
        let corpus = try #require(Fixtures.corpus)
        let selection = Selection(only: ["events/legacy-ibody", "headers/missing"])
        for (status, phrase) in [(500, "broke"), (302, "redirect"), (101, "neither")] {
            let result = Runner.run(
                corpus: corpus, target: FixedTarget(status: status),
                options: Fixtures.options(selection: selection))
            #expect(result.outcomes.count == 2)
            #expect(
                !result.outcomes.isEmpty
                    && result.outcomes.allSatisfy { $0.status == .fail && $0.reason.contains(phrase) })
        }
    }

    @Test("under --strict a bad signature must be answered 401 or 403, a bad body may be 400")
    func strictStatuses() throws {
        let corpus = try #require(Fixtures.corpus)
        let selection = Selection(only: ["headers/missing", "headers/other-name", "content/malformed-json"])
        let lenient = Runner.run(
            corpus: corpus, target: FixedTarget(status: 400), options: Fixtures.options(selection: selection))
        #expect(!lenient.outcomes.isEmpty && lenient.outcomes.allSatisfy { $0.status == .pass })
        let strict = Runner.run(
            corpus: corpus, target: FixedTarget(status: 400),
            options: Fixtures.options(selection: selection, strict: true))
        #expect(strict.outcomes.first { $0.id == "headers/missing" }?.status == .fail)
        // The signature under another name is no X-PPG-Signature at all: a signature fault too.
        #expect(strict.outcomes.first { $0.id == "headers/other-name" }?.status == .fail)
        #expect(strict.outcomes.first { $0.id == "content/malformed-json" }?.status == .pass)
        let accepted = Runner.run(
            corpus: corpus, target: FixedTarget(status: 200), options: Fixtures.options(selection: selection))
        let unverified = accepted.outcomes.filter(\.acceptedUnverified).map(\.id)
        #expect(unverified.sorted() == ["headers/missing", "headers/other-name"])
        // Both statuses the README names conform under --strict, and the outcomes list the set.
        for status in [401, 403] {
            let answered = try Fixtures.run(FixedTarget(status: status), only: ["headers/missing"], strict: true)
            let outcome = try #require(answered.outcomes.first)
            #expect(outcome.status == .pass, "\(status) under --strict: \(outcome.reason)")
            #expect(outcome.expectedStatuses == ["401", "403"])
            #expect(outcome.actualStatus == status)
        }
    }

    @Test("harness errors are errors, counted as failures, with the reason")
    func errors() throws {
        let corpus = try #require(Fixtures.corpus)
        let result = try Fixtures.run(BrokenTarget(), only: ["events/*"])
        #expect(
            !result.outcomes.isEmpty
                && result.outcomes.allSatisfy { $0.status == .error && $0.reason.contains("reset") })
        #expect(result.summary.errors == result.outcomes.count)
        #expect(result.summary.failed == result.outcomes.filter { $0.level == .required }.count)
        // Selected-out vectors are not counted as 'not sent'; with no selection, every signature vector is.
        #expect(result.notSent[.signature] == nil)
        let plan = Runner.plan(corpus: corpus, target: BrokenTarget(), options: Fixtures.options())
        #expect(plan.notSent[.signature] == corpus.signatureVectors.count)
    }

    @Test("the plan's skips are the run's: what --list shows as skipped is skipped, and nothing else")
    func planAgreesWithRun() throws {
        let corpus = try #require(Fixtures.corpus)
        // A receiver on an IP address: a host-case change leaves its URL as it is, so such vectors test nothing.
        let url = try #require(RawURL("http://127.0.0.1:8080/ppg/webhook"))
        let configuration = ReceiverConfiguration(projectID: "p1", targetURL: url, profile: .default)
        let options = RunOptions(configuration: configuration)
        let target = ReferenceTarget(configuration: configuration)
        let (planned, _) = Runner.plan(corpus: corpus, target: target, options: options)
        let result = Runner.run(corpus: corpus, target: target, options: options)
        let skippedInRun = Set(result.outcomes.filter { $0.status == .skip }.map(\.id))
        let skippedInPlan = Set(planned.filter { $0.skipReason != nil }.map(\.id))
        #expect(!skippedInPlan.isEmpty)
        #expect(skippedInPlan.contains("tampering/url-host-case"))
        #expect(skippedInPlan == skippedInRun)
        for outcome in result.outcomes where outcome.status == .skip {
            #expect(planned.first { $0.id == outcome.id }?.skipReason == outcome.reason)
        }
    }

    @Test("a 501 to another method names the stdlib server's missing handler, not a broken receiver")
    func notImplementedHint() throws {
        let result = try Fixtures.run(FixedTarget(status: 501), only: ["content/get", "events/legacy-ibody"])
        let get = try #require(result.outcomes.first { $0.id == "content/get" })
        #expect(get.status == .fail)
        #expect(get.reason.contains("do_GET"))
        #expect(!get.reason.contains("the receiver broke"))
        let post = try #require(result.outcomes.first { $0.id == "events/legacy-ibody" })
        #expect(post.reason.contains("the receiver broke"))
    }

    @Test("a status a vector also allows conforms; the same status elsewhere does not")
    func alsoAllowed() throws {
        let corpus = try #require(Fixtures.corpus)
        let put = try #require(corpus.receiverVectors.first { $0.vector.id == "content/put" })
        try #require(put.vector.alsoAllowed?.contains(501) == true)
        let result = try Fixtures.run(FixedTarget(status: 501), only: ["content/put", "content/get"])
        #expect(result.outcomes.first { $0.id == "content/put" }?.status == .pass)
        #expect(result.outcomes.first { $0.id == "content/get" }?.status == .fail)
    }

    @Test("a run that tested nothing never conforms: no outcome, or every one skipped")
    func emptyRunDoesNotConform() {
        #expect(!RunSummary([]).conforms)
        var skipped = VectorOutcome(
            id: "a/b", category: "a", kind: .receiver, level: .required, flags: [], comment: "", status: .skip,
            expected: "", actual: "", reason: "not applicable")
        skipped.disposition = .skipped
        #expect(!RunSummary([skipped]).conforms)
        var passed = skipped
        passed.status = .pass
        passed.disposition = .passed
        #expect(RunSummary([skipped, passed]).conforms)
    }

    @Test("counts read in the right number: one expected failure, this failure, these 2 failures")
    func plurals() {
        #expect(counted(1, "expected failure") == "1 expected failure")
        #expect(counted(2, "expected failure") == "2 expected failures")
        #expect(counted(0, "category", "categories") == "0 categories")
        #expect(these(1, "failure") == "this failure")
        #expect(these(3, "failure") == "these 3 failures")
    }

    @Test("selection: --only and --skip globs, --flag")
    func selection() throws {
        let corpus = try #require(Fixtures.corpus)
        func ids(_ selection: Selection) -> [String] {
            Runner.plan(corpus: corpus, target: Fixtures.reference(), options: Fixtures.options(selection: selection))
                .vectors.map(\.id)
        }
        let headers = ids(Selection(only: ["headers/*"]))
        #expect(!headers.isEmpty && headers.allSatisfy { $0.hasPrefix("headers/") })
        #expect(!ids(Selection(only: ["headers/*"], skip: ["headers/dup*"])).contains { $0.contains("duplicate") })
        let flagged = ids(Selection(flags: ["KeyFromBody"]))
        #expect(flagged.contains("keys/key-from-body") && flagged.contains("negatives/key-from-body"))
        #expect(ids(Selection(only: ["nothing-matches"])).isEmpty)
    }

    @Test("signature vectors of another scheme are skipped with a reason")
    func schemeSkips() throws {
        let corpus = try #require(Fixtures.corpus)
        var options = Fixtures.options()
        options.scheme = .jsonBody
        let result = Runner.run(
            corpus: corpus, target: Fixtures.reference(),
            options: options)
        let skipped = result.outcomes.filter { $0.kind == .signature && $0.status == .skip }
        #expect(!skipped.isEmpty && skipped.allSatisfy { $0.reason.contains("url-params") })
    }

    @Test("under --scheme and --encoding, a signature vector is skipped exactly when it is of another, and says which")
    func schemeAndEncodingSkips() throws {
        // Signature vectors only: the receiver vectors' deliveries would be built for nothing, twelve times.
        var corpus = try #require(Fixtures.corpus)
        corpus.receiverVectors = []
        let vectors = Dictionary(uniqueKeysWithValues: corpus.signatureVectors.map { ($0.vector.id, $0.vector) })
        try #require(Set(vectors.values.map(\.encoding)).count == SignatureEncoding.allCases.count)
        try #require(Set(vectors.values.map(\.scheme)).count == SignatureScheme.allCases.count)
        for scheme in [nil] + SignatureScheme.allCases.map(Optional.some) {
            for encoding in [nil] + SignatureEncoding.allCases.map(Optional.some) {
                var options = Fixtures.options()
                options.scheme = scheme
                options.encoding = encoding
                let (planned, _) = Runner.plan(corpus: corpus, target: Fixtures.reference(), options: options)
                for vector in planned where vector.kind == .signature {
                    let signature = try #require(vectors[vector.id])
                    let otherScheme = scheme.map { $0 != signature.scheme } ?? false
                    let otherEncoding = encoding.map { $0 != signature.encoding } ?? false
                    let named =
                        otherScheme
                        ? "vector for scheme \(signature.scheme.rawValue)"
                        : "vector for encoding \(signature.encoding.rawValue)"
                    if otherScheme || otherEncoding {
                        #expect(vector.skipReason?.hasPrefix(named) == true, "\(vector.id): \(vector.skipReason ?? "")")
                    } else {
                        #expect(
                            vector.skipReason == nil,
                            "\(vector.id) under \(String(describing: scheme)), \(String(describing: encoding))")
                    }
                }
            }
        }
    }

    @Test(
        "globs match as a shell would",
        arguments: [
            ("*", "a/b", true), ("a/*", "a/b", true), ("a/?", "a/b", true), ("a/?", "a/bc", false),
            ("*b*", "aXbY", true), ("a*c", "abd", false), ("headers/dup*", "headers/duplicate-valid-first", true),
        ])
    func globs(pattern: String, text: String, matches: Bool) {
        #expect(Glob.matches(pattern, text) == matches)
    }
}

@Suite("Expected failures")
struct ExpectedFailuresTests {
    @Test("parses ids, globs, reasons and comments, with line numbers")
    func parse() {
        let file = ExpectedFailures(text: "# header\nheaders/missing  # we do not check yet\n\nkeys/*\n", file: "x.txt")
        #expect(file.entries.map(\.pattern) == ["headers/missing", "keys/*"])
        #expect(file.entries[0].reason == "we do not check yet")
        #expect(file.entries[1].line == 4)
        #expect(file.entry(for: "keys/other-project", profile: .default)?.pattern == "keys/*")
        #expect(
            file.unusedEntryWarnings(ids: ["headers/missing"]) == ["x.txt:4: 'keys/*' matches no vector in the corpus"])
    }

    @Test("a line limited to a scheme, encoding or profile holds only for runs of it")
    func profileLimited() {
        let file = ExpectedFailures(
            text: "[url-params] delivery-query/apostrophe # WEBrick rewrites ' as %27\n[base64] a/b\n"
                + "[json-body/hex] c/*\n[sha256] d/e\n",
            file: "x.txt")
        let urlHex = SignatureProfile(scheme: .urlParameters, encoding: .hex)
        let jsonHex = SignatureProfile(scheme: .jsonBody, encoding: .hex)
        let jsonBase64 = SignatureProfile(scheme: .jsonBody, encoding: .base64)
        #expect(file.entry(for: "delivery-query/apostrophe", profile: urlHex)?.reason == "WEBrick rewrites ' as %27")
        #expect(file.entry(for: "delivery-query/apostrophe", profile: jsonHex) == nil)
        #expect(file.entry(for: "a/b", profile: jsonBase64) != nil)
        #expect(file.entry(for: "a/b", profile: urlHex) == nil)
        #expect(file.entry(for: "c/x", profile: jsonHex) != nil)
        #expect(file.entry(for: "c/x", profile: jsonBase64) == nil)
        #expect(file.entry(for: "d/e", profile: urlHex) == nil)
        let warnings = file.unusedEntryWarnings(ids: ["delivery-query/apostrophe", "a/b", "c/x", "d/e"])
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("x.txt:4: '[sha256]' is not a scheme, encoding or profile") == true)
    }

    @Test("a listed failure does not fail the run; a listed pass does (unexpected pass)")
    func semantics() throws {
        let corpus = try #require(Fixtures.corpus)
        let selection = Selection(only: ["headers/missing", "events/legacy-ibody"])
        let listedFailure = ExpectedFailures(text: "headers/missing # accepts unsigned\n", file: "e")
        let first = Runner.run(
            corpus: corpus, target: FixedTarget(status: 200),
            options: Fixtures.options(selection: selection, expected: listedFailure))
        #expect(first.summary.conforms)
        #expect(first.summary.expectedFailures == 1)
        #expect(first.outcomes.first { $0.id == "headers/missing" }?.disposition == .expectedFailure)

        let listedPass = ExpectedFailures(text: "events/legacy-ibody\n", file: "e")
        let second = Runner.run(
            corpus: corpus, target: Fixtures.reference(),
            options: Fixtures.options(selection: selection, expected: listedPass))
        #expect(!second.summary.conforms)
        #expect(second.summary.unexpectedPasses == 1)
        #expect(second.summary.closingLine == "1 passed, 1 failed, 0 skipped")
    }

    @Test("the written file lists exactly the failures, and reading it back makes the run conform")
    func roundTrip() throws {
        let corpus = try #require(Fixtures.corpus)
        let options = Fixtures.options(selection: Selection(only: ["headers/*", "keys/*"]))
        let result = Runner.run(corpus: corpus, target: FixedTarget(status: 200), options: options)
        let text = ExpectedFailures.render(failuresOf: result.outcomes, header: "test")
        let file = ExpectedFailures(text: text, file: "written")
        #expect(file.entries.count == result.outcomes.filter { $0.status == .fail }.count)
        var again = options
        again.expectedFailures = file
        let second = Runner.run(corpus: corpus, target: FixedTarget(status: 200), options: again)
        #expect(second.summary.conforms)
    }
}

@Suite("Reference receiver")
struct ReferenceReceiverTests {
    @Test("an absolute-form request-target (RFC 9112 §3.2.2) is the signed URL, whatever Host says")
    func absoluteForm() throws {
        let receiver = ReferenceReceiver(projectID: "p", publicURL: nil, profile: .default)
        let url = "http://127.0.0.1:9/ppg/webhook?x=1"
        let body = Array(#"{"projectId":"p","ppgId":"a"}"#.utf8)
        let input = try SigningInput.make(
            scheme: .urlParameters, url: url.utf8, body: body, contentType: "application/json")
        let signature = Signer(projectID: "p", profile: .default).signature(forSigningInput: input)
        let request = HTTPRequest(
            method: "POST", target: url,
            headers: [
                (name: "Host", value: "elsewhere.example"), (name: "Content-Type", value: "application/json"),
                (name: "X-PPG-Signature", value: signature),
            ],
            body: body)
        #expect(receiver.signedURL(for: request) == url)
        #expect(receiver.respond(to: request).response.status == 200)
    }

    // SPEC R10.6; RFC 9110 §15.5.6: a 405 carries `Allow` with the methods the resource takes.
    @Test("a validly signed delivery by any method but POST is answered 405 with 'Allow: POST'")
    func otherMethods() throws {
        let receiver = ReferenceReceiver(projectID: "p", publicURL: nil, profile: .default)
        let url = "http://127.0.0.1:9/ppg/webhook"
        let body = Array(#"{"projectId":"p"}"#.utf8)
        let input = try SigningInput.make(
            scheme: .urlParameters, url: url.utf8, body: body, contentType: "application/json")
        let signature = Signer(projectID: "p", profile: .default).signature(forSigningInput: input)
        for method in ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "post", "BREW"] {
            let request = HTTPRequest(
                method: method, target: url,
                headers: [
                    (name: "Content-Type", value: "application/json"), (name: "X-PPG-Signature", value: signature),
                ],
                body: body)
            let response = receiver.respond(to: request).response
            #expect(response.status == 405, "\(method)")
            #expect(response.headers.first("Allow") == "POST", "\(method)")
        }
    }
}

@Suite("Diagnosis")
struct DiagnosisTests {
    func run(_ pipeline: ReceiverPipeline) throws -> (RunResult, Corpus, RunOptions, ReferenceTarget) {
        let corpus = try #require(Fixtures.corpus)
        let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
        let receiver = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, pipeline: pipeline)
        let target = ReferenceTarget(configuration: configuration, receiver: receiver, takesSignatureVectors: false)
        let options = RunOptions(configuration: configuration)
        return (Runner.run(corpus: corpus, target: target, options: options), corpus, options, target)
    }

    // The statuses a server or router gives before a handler runs (RFC 9110 §15.4, §15.5.5, .6, .12, .14, .15,
    // .20, .22 (431: RFC 6585 §5), §15.6.2), listed here apart from the code that decides.
    @Test("a status is a refusal before any handler exactly when it is a 3xx or one of 404 405 411 413 414 421 431 501")
    func refusalsBeforeHandler() {
        let listed: Set<Int> = [404, 405, 411, 413, 414, 421, 431, 501]
        for status in 100...599 {
            let expected = listed.contains(status) || status / 100 == 3
            #expect(Diagnosis.refusedBeforeHandler(status) == expected, "\(status)")
            #expect(Diagnosis.step(status).hasPrefix("router") == expected, "\(status)")
        }
        #expect(!Diagnosis.refusedBeforeHandler(nil))
    }

    @Test("an accepted truncated signature is explained by an unpadded-base64 setting, and by no other setting")
    func unpaddedSettingExplainsTruncation() throws {
        let corpus = try #require(Fixtures.corpus)
        let options = Fixtures.options()
        let configuration = options.configuration
        let reference = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: configuration.profile)
        // A receiver run as one over HTTP is (receiver vectors only), so the shared catalogue applies.
        let target = ReferenceTarget(
            configuration: configuration, receiver: MutantReceiver(mutant: .acceptAll, reference: reference),
            name: "accept-all", takesSignatureVectors: false)
        let run = Runner.run(corpus: corpus, target: target, options: options)
        var diagnosis = try #require(Self.diagnose(run, corpus: corpus, options: options, target: target))
        diagnosis.acceptedMustRejectFlags = [["Truncated"]]
        #expect(diagnosis.acceptedMustReject)
        diagnosis.settings = [SettingCause(setting: .scheme, works: "json-body", message: "m")]
        #expect(diagnosis.acceptedMustReject, "a setting that is not the padding explains no truncation")
        diagnosis.settings = [SettingCause(setting: .encoding, works: "base64 without '=' padding", message: "m")]
        #expect(!diagnosis.acceptedMustReject)
        diagnosis.acceptedMustRejectFlags = [["Truncated"], ["HostHeader"]]
        #expect(diagnosis.acceptedMustReject, "a forged input is no setting's doing")
    }

    /// `Diagnosis.diagnose` with the shared catalogue where the run's options are the default ones it was built for.
    static func diagnose(
        _ result: RunResult, corpus: Corpus, options: RunOptions, target: ReferenceTarget
    ) -> Diagnosis? {
        let configuration = ReferenceTarget.defaultConfiguration(profile: .default)
        let same =
            options.configuration.projectID == configuration.projectID
            && options.configuration.publicURL == configuration.publicURL
            && options.configuration.targetURL == configuration.targetURL
            && options.configuration.profile == configuration.profile
        guard let catalogue = Fixtures.defaultCatalogue, same,
            !target.takesSignatureVectors, !target.judgesAsVerifier
        else { return Diagnosis.diagnose(result, corpus: corpus, options: options, target: target) }
        return Diagnosis(result: result, catalogue: catalogue)
    }

    @Test("a correct receiver gets no diagnosis")
    func correctReceiver() throws {
        let (result, corpus, options, target) = try run(.reference(.default))
        #expect(result.summary.conforms)
        #expect(Diagnosis.diagnose(result, corpus: corpus, options: options, target: target) == nil)
    }

    @Test("a handler refusing valid deliveries to another path conforms, with a hint naming them")
    func requestTargetHint() throws {
        var pipeline = ReceiverPipeline.reference(.default)
        pipeline.rule.url = .configuredOrigin
        let (signsPath, _, _, _) = try run(pipeline)
        let refused = signsPath.outcomes.filter { $0.id.hasPrefix("inputs/path-") && $0.actualStatus == 401 }
        let either = refused.filter { $0.exchanges.first?.expected == .either }
        try #require(!either.isEmpty, "no path variant was refused")
        #expect(either.allSatisfy { $0.status == .pass })
        let hint = try #require(signsPath.warnings.first { $0.hasPrefix("hint, not a failure") })
        #expect(either.allSatisfy { hint.contains($0.id) })
        let (reference, _, _, _) = try run(.reference(.default))
        #expect(!reference.warnings.contains { $0.hasPrefix("hint") })
    }

    @Test("verification guarding only the exact path fails every unsigned or forged delivery to a variant")
    func failOpenPath() throws {
        var pipeline = ReceiverPipeline.reference(.default)
        pipeline.route = .exactPathOnly
        let (result, corpus, options, target) = try run(pipeline)
        let variants = corpus.receiverVectors.map(\.vector).filter { $0.flags.contains("FailOpenPath") }.map(\.id)
        try #require(!variants.isEmpty)
        let failed = result.outcomes.filter { $0.status == .fail }
        #expect(Set(failed.map(\.id)) == Set(variants))
        #expect(failed.allSatisfy { $0.acceptedUnverified })
        let diagnosis = try #require(Self.diagnose(result, corpus: corpus, options: options, target: target))
        #expect(diagnosis.causes.first?.mutant == .failOpenPath)
        #expect(diagnosis.causes.first?.exact == true)
    }

    /// A run with these vectors failed (with their status) and the others passed with 200.
    static func result(failed: [String: Int], passed: [String]) -> RunResult {
        func outcome(_ id: String, _ status: OutcomeStatus, _ code: Int) -> VectorOutcome {
            var outcome = VectorOutcome(
                id: id, category: "c", kind: .receiver, level: .required, flags: [], comment: "", status: status,
                expected: "", actual: "", reason: "")
            outcome.actualStatus = code
            outcome.expectedStatuses = ["4xx"]
            return outcome
        }
        let outcomes =
            failed.keys.sorted().map { outcome($0, .fail, failed[$0] ?? 0) } + passed.map { outcome($0, .pass, 401) }
        return RunResult(
            outcomes: outcomes, summary: RunSummary(outcomes), notSent: [:], warnings: [], targetName: "t",
            profile: .default, corpusVersion: "1", startedAt: 0, duration: 0)
    }

    @Test("between causes whose evidence weighs the same, one that passing vectors contradict ranks below")
    func precisionFirst() throws {
        let run = Self.result(failed: ["c/a": 200, "c/b": 200], passed: ["c/x"])
        let catalogue = Diagnosis.Catalogue(fingerprints: [
            (.acceptAll, ["c/a", "c/b", "c/x"]), (.prefixCompare, ["c/a"]),
        ])
        let diagnosis = try #require(Diagnosis(result: run, catalogue: catalogue))
        #expect(diagnosis.causes.first?.mutant == .prefixCompare, "\(diagnosis.lines)")
    }

    @Test("a cause that explains most failures against one contradiction outranks one that explains a single one")
    func weightBeforePrecision() throws {
        // A receiver that re-serialises as one member of a family, and answers 500 to one odd request: the family's
        // mutant explains 18 failures but its member fails a vector the receiver passes.
        let refused = (0..<18).map { "c/r\($0)" }
        var failed = Dictionary(uniqueKeysWithValues: refused.map { ($0, 401) })
        failed["c/odd"] = 500
        let run = Self.result(failed: failed, passed: ["c/big-integer", "c/other"])
        for contradictions in 0...3 {
            var catalogue = Diagnosis.Catalogue(fingerprints: [
                (.serverErrorOnInvalidTarget, ["c/odd"]),
                (.reserialisesBody, Set(refused + ["c/big-integer", "c/other", "c/x"].prefix(contradictions))),
            ])
            catalogue.statuses = [.serverErrorOnInvalidTarget: ["c/odd": 500]]
            let diagnosis = try #require(Diagnosis(result: run, catalogue: catalogue))
            #expect(
                diagnosis.causes.map(\.mutant) == [.reserialisesBody, .serverErrorOnInvalidTarget],
                "\(contradictions): \(diagnosis.lines)")
            #expect(diagnosis.causes.first?.contradictedBy.count == min(contradictions, 2))
            #expect(diagnosis.unexplained.isEmpty)
        }
        // Once a member of the family is confirmed on the wire, what the catalogue's member failed speaks no more.
        var catalogue = Diagnosis.Catalogue(fingerprints: [(.reserialisesBody, Set(refused + ["c/big-integer"]))])
        catalogue.statuses = [:]
        let one = Self.result(
            failed: Dictionary(uniqueKeysWithValues: refused.map { ($0, 401) }), passed: ["c/big-integer"])
        var diagnosis = try #require(Diagnosis(result: one, catalogue: catalogue))
        #expect(diagnosis.causes.first?.contradictedBy.map(\.id) == ["c/big-integer"])
        diagnosis.confirmed = .reserialisesBody
        #expect(diagnosis.causes.first?.contradictedBy.map(\.id) == ["c/big-integer"])
        diagnosis.confirmedMember = "Ruby's to_json: compact, non-ASCII as written"
        #expect(diagnosis.causes.first?.contradictedBy.isEmpty == true && diagnosis.causes.first?.exact == true)
    }

    @Test("the 'no setting explains them' line appears once probes were sent, and says how many")
    func probeSentence() throws {
        let run = Self.result(failed: ["c/a": 200], passed: [])
        var diagnosis = try #require(
            Diagnosis(result: run, catalogue: Diagnosis.Catalogue(fingerprints: [(.acceptAll, ["c/a"])])))
        for probes in 0...2 {
            diagnosis.probes = probes
            let line = diagnosis.lines.first { $0.contains("no setting explains them") }
            switch probes {
            case 0: #expect(line == nil, "\(diagnosis.lines)")
            case 1: #expect(line?.contains("1 probe delivery under") == true, "\(diagnosis.lines)")
            default: #expect(line?.contains("\(probes) probe deliveries under") == true, "\(diagnosis.lines)")
            }
        }
    }

    @Test("a cause fits a failure only where its status is of the same class as the run's")
    func statusClassFits() throws {
        let run = Self.result(failed: ["c/a": 500], passed: [])
        var catalogue = Diagnosis.Catalogue(fingerprints: [(.prefixCompare, ["c/a"]), (.serverErrorOnBadJSON, ["c/a"])])
        catalogue.statuses = [.prefixCompare: ["c/a": 200], .serverErrorOnBadJSON: ["c/a": 500]]
        let diagnosis = try #require(Diagnosis(result: run, catalogue: catalogue))
        #expect(diagnosis.causes.map(\.mutant) == [.serverErrorOnBadJSON], "\(diagnosis.lines)")
        #expect(diagnosis.causes.first?.indistinguishable.isEmpty == true, "\(diagnosis.lines)")
    }

    @Test("a bug that explains the failures is named even where passing vectors speak against it, with them listed")
    func explainsButContradicted() throws {
        let run = Self.result(failed: ["c/a": 200], passed: ["c/b", "c/c", "c/d", "c/e", "c/f"])
        let catalogue = Diagnosis.Catalogue(fingerprints: [
            (.acceptAll, ["c/a", "c/b", "c/c", "c/d", "c/e", "c/f"])
        ])
        let diagnosis = try #require(Diagnosis(result: run, catalogue: catalogue))
        #expect(diagnosis.causes.map(\.mutant) == [.acceptAll], "\(diagnosis.lines)")
        #expect(diagnosis.causes.first?.contradictedBy.map(\.id) == ["c/b", "c/c", "c/d", "c/e", "c/f"])
        #expect(diagnosis.unexplained.isEmpty)
        #expect(!diagnosis.lines.joined().contains("No known bug"))
    }

    @Test("a router's refusal never speaks against a bug in the verifier, only against one in the routing")
    func contradictionOnlyAtTheStep() throws {
        // Passing vectors the router refused (405, 404): they never reached a verifier.
        var run = Self.result(failed: ["c/a": 200, "c/b": 200], passed: ["c/x", "c/y"])
        for index in run.outcomes.indices where ["c/x", "c/y"].contains(run.outcomes[index].id) {
            run.outcomes[index].actualStatus = run.outcomes[index].id == "c/x" ? 405 : 404
        }
        let catalogue = Diagnosis.Catalogue(fingerprints: [
            (.acceptAll, ["c/a", "c/b", "c/x", "c/y"]), (.anyMethod, ["c/a", "c/b", "c/x", "c/y"]),
        ])
        let diagnosis = try #require(Diagnosis(result: run, catalogue: catalogue))
        // accept-all replaces verification: the router's answers do not contradict it; any-method replaces routing.
        #expect(diagnosis.causes.first?.mutant == .acceptAll, "\(diagnosis.lines)")
        #expect(diagnosis.causes.first?.exact == true && diagnosis.causes.first?.contradictedBy.isEmpty == true)
        #expect(Mutant.anyMethod.replacesRouting && !Mutant.acceptAll.replacesRouting)
    }

    @Test("a cause is named whenever it explains a failure; 'no known bug' only when none explains any")
    func noMatchOnlyWhenNothingExplains() throws {
        let run = Self.result(failed: ["c/a": 401, "c/b": 401, "c/c": 401], passed: [])
        let named = try #require(
            Diagnosis(result: run, catalogue: Diagnosis.Catalogue(fingerprints: [(.prefixCompare, ["c/a"])])))
        #expect(named.causes.map(\.mutant) == [.prefixCompare])
        #expect(named.causes.first?.unexplained == ["c/b", "c/c"])
        let none = try #require(Diagnosis(result: run, catalogue: Diagnosis.Catalogue(fingerprints: [])))
        #expect(none.causes.isEmpty && none.lines.joined().contains(none.noMatch))
    }

    @Test("between causes ranked equal the catalogue's order decides: the first named first, twins after it")
    func equalRanksFollowTheCatalogue() throws {
        let run = Self.result(failed: ["c/a": 401, "c/b": 401], passed: [])
        // Twins: the same failures, one cause naming the first and listing the second as indistinguishable.
        let twins = try #require(
            Diagnosis(
                result: run,
                catalogue: Diagnosis.Catalogue(fingerprints: [
                    (.prefixCompare, ["c/a", "c/b"]), (.acceptAll, ["c/a", "c/b"]),
                ])))
        #expect(twins.causes.map(\.mutant) == [.prefixCompare])
        #expect(twins.causes.first?.indistinguishable == [.acceptAll])
        // Two causes of equal weight, precision and overlap: named in the catalogue's order, either way round.
        for (first, second) in [(Mutant.prefixCompare, Mutant.ignoresQuery), (.ignoresQuery, .prefixCompare)] {
            let named = try #require(
                Diagnosis(
                    result: run, catalogue: Diagnosis.Catalogue(fingerprints: [(first, ["c/a"]), (second, ["c/b"])])))
            #expect(named.causes.map(\.mutant) == [first, second])
        }
    }

    @Test("a receiver with two independent bugs gets both named, each with the failures it explains")
    func twoBugs() throws {
        var pipeline = ReceiverPipeline.reference(.default)
        pipeline.header = .firstWins
        pipeline.rule.url = .withoutQuery
        let (result, corpus, options, target) = try run(pipeline)
        let diagnosis = try #require(Self.diagnose(result, corpus: corpus, options: options, target: target))
        let named = diagnosis.causes.flatMap { [$0.mutant] + $0.indistinguishable }
        #expect(named.contains(.firstHeaderWins), "\(diagnosis.lines)")
        #expect(named.contains(.ignoresQuery), "\(diagnosis.lines)")
        #expect(diagnosis.causes.allSatisfy { !$0.exact })
        #expect(diagnosis.unexplained.isEmpty)
        #expect(diagnosis.lines.first?.contains("consistent with the evidence, not proof") == true)
    }
}

@Suite("Setting probe URLs")
struct SettingProbeURLTests {
    @Test("the URLs probed hold each symmetric swap in both directions: host, scheme, default port, trailing slash")
    func swapsBothWays() throws {
        for host in ["localhost", "127.0.0.1", "[::1]", "hooks.example.com"] {
            for scheme in ["http", "https", "HTTPS"] {
                for port in [nil, scheme.lowercased() == "https" ? "443" : "80", "8080"] {
                    for path in ["/ppg/webhook", "/ppg/webhook/"] {
                        let text = "\(scheme)://\(host)" + (port.map { ":" + $0 } ?? "") + path
                        let url = try #require(RawURL(text))
                        let configuration = ReceiverConfiguration(
                            projectID: "p", targetURL: url, publicURL: url, profile: .default)
                        let probed = SettingProbe.urls(configuration)
                        let described = Set(probed.map(\.description))
                        #expect(!described.contains(text), "the run's own URL is not probed: \(text)")
                        // Each swap appears, and applied to the probed URL it gives the run's URL back.
                        let swappedHost =
                            ["localhost": "127.0.0.1", "127.0.0.1": "localhost", "[::1]": "localhost"][host]
                        if let swappedHost {
                            var other = url
                            other.host = swappedHost
                            #expect(described.contains(other.description), "\(text) → \(other)")
                            let back = SettingProbe.urls(
                                ReceiverConfiguration(
                                    projectID: "p", targetURL: other, publicURL: other, profile: .default))
                            if host != "[::1]" {
                                #expect(back.map(\.description).contains(text), "\(other) → \(text)")
                            }
                        }
                        var flipped = url
                        flipped.scheme = scheme.lowercased() == "https" ? "http" : "https"
                        #expect(described.contains(flipped.description), "\(text): scheme")
                        var slash = url
                        slash.path = path.hasSuffix("/") ? String(path.dropLast()) : path + "/"
                        #expect(described.contains(slash.description), "\(text): slash")
                        if port != "8080" {
                            #expect(described.contains(url.togglingDefaultPort().description), "\(text): port")
                        }
                    }
                }
            }
        }
    }
}

@Suite("Settings beside code causes")
struct SettingsBesideCausesTests {
    static func outcome(
        _ id: String, expected: ExpectedVerdict, status: Int, flags: [String] = [], failed: Bool = true
    ) -> VectorOutcome {
        var outcome = VectorOutcome(
            id: id, category: "c", kind: .receiver, level: .required, flags: flags, comment: "",
            status: failed ? .fail : .pass, expected: "", actual: "", reason: "")
        outcome.actualStatus = status
        outcome.exchanges = [(expected, status)]
        return outcome
    }

    static func diagnosis(_ outcomes: [VectorOutcome]) throws -> Diagnosis {
        let result = RunResult(
            outcomes: outcomes, summary: RunSummary(outcomes), notSent: [:], warnings: [], targetName: "t",
            profile: .default, corpusVersion: "1", startedAt: 0, duration: 0)
        let failing = Set(outcomes.filter { $0.status == .fail }.map(\.id))
        return try #require(
            Diagnosis(result: result, catalogue: Diagnosis.Catalogue(fingerprints: [(.acceptAll, failing)])))
    }

    static let setting = SettingCause(setting: .encoding, works: "base64", message: "m")

    @Test("a setting that explains every failure replaces the code causes")
    func settingExplainsAll() throws {
        var diagnosis = try Self.diagnosis([
            Self.outcome("c/valid", expected: .accept, status: 401),
            Self.outcome("c/other-encoding", expected: .reject, status: 200, flags: ["WrongEncoding"]),
        ])
        #expect(!diagnosis.causes.isEmpty)
        diagnosis.settings = [Self.setting]
        #expect(diagnosis.causes.isEmpty)
    }

    @Test("a forgery accepted keeps its code cause first, with only the failures the setting leaves")
    func forgeryStays() throws {
        var diagnosis = try Self.diagnosis([
            Self.outcome("c/valid", expected: .accept, status: 401),
            Self.outcome("c/forged", expected: .reject, status: 200, flags: ["HostHeader"]),
        ])
        diagnosis.settings = [Self.setting]
        #expect(diagnosis.causes.first?.explained == ["c/forged"], "\(diagnosis.lines)")
        #expect(diagnosis.lines.first?.hasPrefix("Likely causes") == true)
        #expect(diagnosis.lines.contains { $0.hasPrefix(Diagnosis.settingsHeading) })
    }

    @Test("a 5xx keeps its code cause whatever the setting")
    func brokenStays() throws {
        var diagnosis = try Self.diagnosis([
            Self.outcome("c/valid", expected: .accept, status: 401),
            Self.outcome("c/crash", expected: .reject, status: 500),
        ])
        diagnosis.settings = [Self.setting]
        #expect(diagnosis.causes.first?.explained == ["c/crash"], "\(diagnosis.lines)")
    }
}

@Suite("Run hints")
struct RunHintsTests {
    static func outcome(_ statuses: [(ExpectedVerdict, Int?)]) -> VectorOutcome {
        var outcome = VectorOutcome(
            id: "c/v", category: "c", kind: .receiver, level: .required, flags: [], comment: "", status: .fail,
            expected: "", actual: "", reason: "")
        outcome.exchanges = statuses.map { (expected: $0.0, status: $0.1) }
        return outcome
    }

    // The rule over every mix: the hint exactly when at least three must-accept deliveries were answered and each
    // with 404 or 405, naming the statuses seen; must-reject deliveries and unanswered ones never count.
    @Test("the wrong-address hint comes exactly when three or more must-accept answers are all 404 or 405")
    func wrongAddressHint() throws {
        let url = try #require(RawURL("http://127.0.0.1:8080/ppg/webhook"))
        let target = ReferenceTarget(
            configuration: ReceiverConfiguration(projectID: "p", targetURL: url, profile: .default))
        var generator = SplitMix64(seed: 404)
        let statuses: [Int?] = [404, 405, 200, 401, 400, 500, nil]
        for _ in 0..<2_000 {
            let count = Int(generator.next() % 6)
            let exchanges: [(ExpectedVerdict, Int?)] = (0..<count).map { _ in
                let expected: ExpectedVerdict = generator.next() % 3 == 0 ? .reject : .accept
                return (expected, statuses[Int(generator.next() % UInt64(statuses.count))])
            }
            // Spread over one or two outcomes: the rule is over deliveries, not vectors.
            let split = count == 0 ? 0 : Int(generator.next() % UInt64(count + 1))
            let outcomes = [Self.outcome(Array(exchanges[..<split])), Self.outcome(Array(exchanges[split...]))]
            let mustAccept = exchanges.filter { $0.0 == .accept }.compactMap(\.1)
            let expected = mustAccept.count >= 3 && mustAccept.allSatisfy { $0 == 404 || $0 == 405 }
            let hint = RunHints.wrongAddressHint(outcomes, target: target)
            #expect((hint != nil) == expected, "\(exchanges)")
            if let hint {
                let named = Set(mustAccept).sorted().map(String.init).joined(separator: " or ")
                #expect(hint.contains("was answered \(named):"), "\(hint)")
            }
        }
    }

    @Test("the settings probe names --target by the same rule as the hint: a router's 404 or 405 to every valid one")
    func probeNamesTheTargetByTheHintsRule() throws {
        let corpus = try #require(Fixtures.corpus)
        let options = Fixtures.options(selection: Selection(only: ["events/*"]))
        for status in [404, 405, 401, 400] {
            let target = FixedTarget(status: status)
            let result = Runner.run(corpus: corpus, target: target, options: options)
            let routed = RunHints.routeRefusals(result.outcomes) != nil
            #expect(routed == (status == 404 || status == 405), "\(status)")
            let finding = SettingProbe.probe(result, corpus: corpus, options: options, target: target)
            #expect(finding.causes.contains { $0.setting == .target } == routed, "\(status): \(finding.causes)")
            #expect(routed ? finding.probes == 0 : true, "no probe is sent for a route refused")
        }
    }
}

@Suite("Key or URL")
struct KeyOrURLTests {
    // A receiver on a private address verifies against a URL it sees as its own, which is seldom the one configured
    // in PushPushGo: there the URL is the likelier culprit, asked first; on a public address the key is.
    @Test("the URL is asked first exactly for a private target under url-params without its own --public-url")
    func urlFirstForPrivateTargets() throws {
        let local = [
            "localhost", "127.0.0.1", "[::1]", "10.1.2.3", "192.168.0.9", "172.17.0.2", "hooks.local", "svc.internal",
            "LOCALHOST",
        ]
        let remote = ["example.com", "hooks.example.org", "8.8.8.8", "11.0.0.1", "192.169.0.1", "local.example.com"]
        for host in local + remote {
            let target = try #require(RawURL("http://\(host):8080/ppg/webhook"))
            let other = try #require(RawURL("https://hooks.example.com/ppg/webhook"))
            for profile in SignatureProfile.all {
                for publicURL in [target, other] {
                    let configuration = ReceiverConfiguration(
                        projectID: "p", targetURL: target, publicURL: publicURL, profile: profile)
                    let cause = SettingProbe.keyOrURL(configuration, refused: 9, of: 10, as: [401])
                    let urlFirst =
                        local.contains(host) && publicURL == target && profile.scheme == .urlParameters
                    #expect(cause.setting == (urlFirst ? .publicURL : .projectID), "\(host), \(profile), \(publicURL)")
                }
            }
        }
    }
}

@Suite("Markdown errors")
struct MarkdownErrorsTests {
    @Test("Markdown lists, apart, exactly the errors that did not fail the run: a recommended one, a listed one")
    func markdownErrorsNotFailing() throws {
        var outcomes: [VectorOutcome] = []
        for (id, level, status, listed) in [
            ("c/pass", VectorLevel.required, OutcomeStatus.pass, false),
            ("c/error-recommended", .recommended, .error, false),
            ("c/fail-recommended", .recommended, .fail, false), ("c/error-listed", .required, .error, true),
            ("c/error-required", .required, .error, false), ("c/fail-required", .required, .fail, false),
        ] {
            var outcome = VectorOutcome(
                id: id, category: "c", kind: .receiver, level: level, flags: [], comment: "", status: status,
                expected: "", actual: "", reason: "no answer")
            if listed { outcome.expectedFailureReason = "known" }
            outcome.classify(strict: false)
            outcomes.append(outcome)
        }
        let result = RunResult(
            outcomes: outcomes, summary: RunSummary(outcomes), notSent: [:], warnings: [], targetName: "t",
            profile: .default, corpusVersion: "1", startedAt: 0, duration: 0)
        let lines = MarkdownReport.render(result).split(separator: "\n", omittingEmptySubsequences: false)
        let heading = try #require(lines.firstIndex { $0.hasPrefix("### Errors that did not fail the run") })
        #expect(lines[heading] == "### Errors that did not fail the run (2)")
        let listed = lines[(heading + 2)...].prefix { $0.hasPrefix("- ") }
        #expect(listed.count == 2)
        #expect(
            listed.contains { $0.contains("c/error-recommended") } && listed.contains { $0.contains("c/error-listed") })
    }
}
