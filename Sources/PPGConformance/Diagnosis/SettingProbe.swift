import PPGSignature
import PPGVectors
import PPGWire

/// A setting of the run that does not match the receiver's, named before any code bug: a wrong setting makes
/// correct code fail whole categories, and a list of code bugs would send its author rewriting code that works.
public struct SettingCause: Sendable {
    /// The options a run can get wrong.
    public enum Setting: String, Sendable {
        case projectID = "--project-id"
        case publicURL = "--public-url"
        case scheme = "--scheme"
        case encoding = "--encoding"
        case target = "--target"
    }

    /// The option to change.
    public var setting: Setting
    /// The value a probe delivery was accepted with; `nil` where no probe can confirm the setting (a wrong key).
    public var works: String?
    /// What was seen, and what to do, in one sentence.
    public var message: String
}

/// Tries the configuration hypotheses on the wire before the code bugs: one validly signed delivery the receiver
/// refused, sent again signed under the other profiles and over the URLs the receiver may be configured with. An
/// accepted probe names the setting and the value that works. Where no probe is accepted, the pattern of the
/// statuses still points at a setting: every valid delivery refused like an unsigned one points at the key, 404 or
/// 405 on every valid one at the path.
public enum SettingProbe {
    /// What the probe found, and how many extra deliveries it sent.
    public struct Finding: Sendable {
        /// The settings, confirmed ones first.
        public var causes: [SettingCause]
        /// Extra deliveries sent.
        public var probes: Int
        /// A code bug a probe confirmed instead: a delivery signed the way this mutant reads it was accepted.
        public var confirmedBug: Mutant?
        /// The member of the bug's family the accepted probe was signed as (`Python's json.dumps`), where the bug
        /// has several common forms.
        public var member: String?
    }

    /// Probes a run's receiver when most valid deliveries were refused.
    /// - Parameters:
    ///   - result: The run.
    ///   - corpus: Its corpus.
    ///   - options: Its options.
    ///   - target: Its target, which gets the probe deliveries.
    /// - Returns: The settings found, or none.
    public static func probe(
        _ result: RunResult, corpus: Corpus, options: RunOptions, target: any ConformanceTarget
    ) -> Finding {
        let configuration = options.configuration
        let mustAccept = result.outcomes.flatMap { outcome in outcome.exchanges.filter { $0.expected == .accept } }
        let refused = mustAccept.filter { ($0.status ?? 0) >= 400 && ($0.status ?? 0) <= 499 }
        guard !refused.isEmpty else { return Finding(causes: [], probes: 0) }
        if let routed = RunHints.routeRefusals(result.outcomes) {
            let statuses = routed.map(String.init).joined(separator: " or ")
            return Finding(
                causes: [
                    SettingCause(
                        setting: .target, works: nil,
                        message: "every delivery that must be accepted was answered \(statuses): the path in "
                            + "--target (\(configuration.targetURL)) is not the receiver's webhook route, or that "
                            + "route does not take POST")
                ], probes: 0)
        }
        // A wrong setting refuses (nearly) every valid delivery; a few refused ones are the code's business.
        guard refused.count * 2 > mustAccept.count else { return Finding(causes: [], probes: 0) }
        // The probe delivery: a vector with one validly signed delivery that must be accepted, refused here — a
        // plain one, never one carrying its own forwarding headers, target or method, which would test those too.
        let failedIDs = Set(result.outcomes.filter { $0.status == .fail }.map(\.id))
        func isPlain(_ vector: ReceiverVector) -> Bool {
            let request = vector.request
            guard (vector.followUps ?? []).isEmpty, vector.expect == .accept else { return false }
            guard request.headers == nil, request.target == nil, request.method == nil else { return false }
            return request.chunked != true && vector.skipReason(for: configuration.profile) == nil
        }
        let plain = corpus.receiverVectors.map(\.vector).filter(isPlain)
        guard let vector = plain.first(where: { failedIDs.contains($0.id) }) else {
            return Finding(causes: [], probes: 0)
        }
        var probes = 0
        func accepted(_ alternative: ReceiverConfiguration) -> Bool {
            guard let deliveries = try? vector.deliveries(for: alternative), deliveries.count == 1,
                deliveries[0].notApplicable == nil
            else { return false }
            probes += 1
            guard let responses = try? target.deliver(deliveries), let status = responses.first?.status else {
                return false
            }
            return (200...299).contains(status)
        }
        for profile in SignatureProfile.all where profile != configuration.profile {
            var alternative = configuration
            alternative.profile = profile
            guard accepted(alternative) else { continue }
            var causes: [SettingCause] = []
            // Both sides: the option that makes this run pass, and whether the receiver departs from SPEC's
            // default reading — the user decides which side changes.
            let departs =
                profile != .default
                ? " — but SPEC.md's default reading is \(SignatureProfile.default) (R7, R9): if PushPushGo does not "
                    + "send \(profile) for your project, change the receiver instead"
                : ""
            if profile.scheme != configuration.profile.scheme {
                causes.append(
                    SettingCause(
                        setting: .scheme, works: profile.scheme.rawValue,
                        message: "your receiver accepts deliveries signed with --scheme \(profile.scheme.rawValue)"
                            + (profile.encoding != configuration.profile.encoding
                                ? " --encoding \(profile.encoding.rawValue)" : "")
                            + ": this run passes with " + flags(profile) + departs))
            }
            if profile.encoding != configuration.profile.encoding {
                causes.append(
                    SettingCause(
                        setting: .encoding, works: profile.encoding.rawValue,
                        message: "your receiver accepts signatures encoded as \(profile.encoding.rawValue): this run "
                            + "passes with " + flags(profile) + departs))
            }
            return Finding(causes: causes, probes: probes)
        }
        if configuration.profile.scheme == .urlParameters {
            for url in urls(configuration) {
                var alternative = configuration
                alternative.publicURL = url
                guard accepted(alternative) else { continue }
                return Finding(
                    causes: [
                        SettingCause(
                            setting: .publicURL, works: url.description,
                            message: "your receiver accepts deliveries signed over \(url), not "
                                + "\(configuration.publicURL): run with --public-url \(url) (the URL configured in "
                                + "PushPushGo), or configure the receiver with the URL it is reached at")
                    ], probes: probes)
            }
        }
        // An encoding's common variant is a reading like any other: base64 without its '=' padding.
        if let variant = unpaddedBase64(vector, configuration: configuration, target: target, probes: &probes) {
            return Finding(causes: [variant], probes: probes)
        }
        // Nothing accepted. A wrong key refuses every valid delivery, and so does code that reads the URL or the
        // body its own way: the same delivery signed with this key the way each such mutant reads it tells them
        // apart — accepted, the key is right and the code has that bug. The same signing rules as the mutants'.
        if let (mutant, member) = confirmBug(vector, configuration: configuration, target: target, probes: &probes) {
            return Finding(causes: [], probes: probes, confirmedBug: mutant, member: member)
        }
        // Two departures at once — unpadded base64 and a reading of the code's own — refuse every single probe:
        // each reading again, its value unpadded.
        if configuration.profile.encoding == .base64,
            let (mutant, member) = confirmBug(
                vector, configuration: configuration, target: target, probes: &probes, unpadded: true)
        {
            return Finding(causes: [unpaddedCause], probes: probes, confirmedBug: mutant, member: member)
        }
        let unsigned = Set(
            result.outcomes.filter { $0.flags.contains("MissingHeader") }.flatMap(\.exchanges)
                .filter { $0.expected == .reject }.compactMap(\.status))
        let refusedStatuses = Set(refused.compactMap(\.status))
        if refused.count == mustAccept.count, !unsigned.isEmpty, refusedStatuses.isSubset(of: unsigned) {
            return Finding(
                causes: [keyOrURL(configuration, refused: refused.count, of: mustAccept.count, as: refusedStatuses)],
                probes: probes)
        }
        return Finding(causes: [], probes: probes)
    }

    /// Confirms a family cause on the wire where the settings probe did not run (most valid deliveries were
    /// accepted): one refused valid delivery, sent signed the way each member of the family reads it.
    /// - Parameters:
    ///   - result: The run, with its diagnosis.
    ///   - corpus: Its corpus.
    ///   - options: Its options.
    ///   - target: Its target.
    /// - Returns: What was found (`confirmedBug` and `member` when a member was accepted), or `nil` where the first
    ///   cause has no family or no refused delivery can carry the probe.
    public static func confirmFamily(
        _ result: RunResult, corpus: Corpus, options: RunOptions, target: any ConformanceTarget
    ) -> Finding? {
        let configuration = options.configuration
        guard let first = result.diagnosis?.causes.first?.mutant, first.hasFamily(under: configuration.profile.scheme)
        else { return nil }
        func refusedValid(_ outcome: VectorOutcome) -> Bool {
            outcome.status == .fail
                && outcome.exchanges.contains { $0.expected == .accept && (400...499).contains($0.status ?? 0) }
        }
        let refusedIDs = Set(result.outcomes.filter(refusedValid).map(\.id))
        // A refused valid delivery with no header of its own but its label: never a vector's forged inputs.
        func carriesProbe(_ vector: ReceiverVector) -> Bool {
            let request = vector.request
            guard refusedIDs.contains(vector.id), (vector.followUps ?? []).isEmpty, vector.expect == .accept else {
                return false
            }
            let labelOnly = (request.headers ?? []).allSatisfy { $0.first?.lowercased() == "content-type" }
            return labelOnly && request.target == nil && request.method == nil
        }
        // The refused delivery that tells the most members apart (a non-ASCII value, a '/', a '<'…).
        let reference = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: configuration.profile)
        func distinctMembers(_ vector: ReceiverVector, among styles: [JSONStyle]) -> Int {
            guard let delivery = try? vector.deliveries(for: configuration).first else { return 0 }
            let message = SignedMessage(delivery.request, configuredURL: reference.signedURL(for: delivery.request))
            var rule = first.pipeline(from: reference.pipeline).rule
            return Set(
                styles.compactMap { style in
                    rule.style = style
                    return try? rule.signingInput(of: message)
                }
            ).count
        }
        // Each candidate counted once, not once per comparison.
        let carriers = corpus.receiverVectors.map(\.vector).filter(carriesProbe)
        let candidates = carriers.map { ($0, distinctMembers($0, among: JSONStyle.allCases)) }
        guard let vector = candidates.max(by: { $0.1 < $1.1 })?.0 else { return nil }
        var probes = 0
        var found = confirmReading(vector, configuration: configuration, target: target, probes: &probes, only: first)
        // Members that wrote that delivery alike are told apart by another refused delivery they write otherwise
        // (a number, a '/', a non-ASCII character): one more probe per member still in question.
        if let alike = found?.styles, alike.count > 1,
            let next = carriers.map({ ($0, distinctMembers($0, among: alike)) }).max(by: { $0.1 < $1.1 }),
            next.1 > 1,
            let narrowed = confirmReading(
                next.0, configuration: configuration, target: target, probes: &probes, only: first, styles: alike)
        {
            found = narrowed
        }
        return Finding(causes: [], probes: probes, confirmedBug: found?.mutant, member: found?.member)
    }

    /// A wrong key and a wrong URL look alike on the wire: one question naming both, the URL first where the
    /// target is a loopback or private address reached without `--public-url` (a receiver configured with its
    /// public URL, the usual case), with the one command that tells them apart.
    static func keyOrURL(
        _ configuration: ReceiverConfiguration, refused: Int, of total: Int, as statuses: Set<Int>
    ) -> SettingCause {
        let host = configuration.targetURL.host.lowercased()
        let local =
            ["localhost", "127.0.0.1", "[::1]"].contains(host) || host.hasPrefix("10.") || host.hasPrefix("192.168.")
            || host.hasPrefix("172.") || host.hasSuffix(".local") || host.hasSuffix(".internal")
        let urlFirst = local && configuration.publicURL == configuration.targetURL
        // json-body signs no URL: there the other question is the body, read otherwise than as received.
        let url =
            configuration.profile.scheme == .jsonBody
            ? "the bytes it signs (json-body signs the body exactly as received: a body parsed and re-serialised "
                + "before verifying differs)"
            : "the URL it verifies (this run signed \(configuration.publicURL); behind a proxy or TLS terminator "
                + "give the URL configured in PushPushGo as --public-url)"
        let key = "the projectId it is keyed with (this run used --project-id \(configuration.projectID))"
        let refusedAs = statuses.sorted().map(String.init).joined(separator: ", ")
        let asksURL = urlFirst && configuration.profile.scheme == .urlParameters
        return SettingCause(
            setting: asksURL ? .publicURL : .projectID, works: nil,
            message: "\(refused) of \(counted(total, "validly signed delivery", "validly signed deliveries")) were "
                + "refused as an unsigned one is (\(refusedAs)), and no other profile, URL or reading was accepted: "
                + "the receiver differs in " + (asksURL ? url + ", or in " + key : key + ", or in " + url)
                + ". To tell which, compare the signature the receiver computes (or logs) for one delivery with "
                + "'ppg-conformance sign --key YOUR_PROJECT_ID --url YOUR_CONFIGURED_URL --body BODY' for the same "
                + "body: equal, the receiver is right and this run's setting differs; different, the receiver's key "
                + "or URL does")
    }

    /// The valid delivery with its base64 signature's `=` padding dropped (Perl's `hmac_sha1_base64`), sent once
    /// where the run's encoding is base64: accepted, the receiver writes unpadded base64, which SPEC's reading
    /// refuses (R7) and no option of this run can match.
    static func unpaddedBase64(
        _ vector: ReceiverVector, configuration: ReceiverConfiguration, target: any ConformanceTarget,
        probes: inout Int
    ) -> SettingCause? {
        guard configuration.profile.encoding == .base64,
            let delivery = try? vector.deliveries(for: configuration).first,
            let value = delivery.request.headers.first(signatureHeaderName), value.hasSuffix("=")
        else { return nil }
        probes += 1
        guard let status = (try? target.deliver([UnpaddingTarget.unpadded(delivery)]))?.first?.status,
            (200...299).contains(status)
        else {
            return nil
        }
        return unpaddedCause
    }

    /// What the rest of the receiver does once its padding is matched: where it takes base64 signatures only
    /// unpadded, every validly signed delivery is refused and its other bugs never reach the wire. The corpus is sent
    /// again with each signature's `=` dropped and diagnosed; a truncated signature is what an unpadded one is, so
    /// those vectors are left out (the padding explains them).
    /// - Returns: The bugs behind the padding (none where nothing else fails), and the deliveries sent.
    static func behindUnpadded(
        corpus: Corpus, options: RunOptions, target: any ConformanceTarget
    ) -> (causes: [Diagnosis.Cause], unexplained: [String], deliveries: Int) {
        var again = options
        again.expectedFailures = nil
        again.vectorDone = nil
        let unpadding = UnpaddingTarget(inner: target)
        var second = Runner.run(corpus: corpus, target: unpadding, options: again)
        let deliveries = second.outcomes.reduce(0) { $0 + $1.exchanges.count }
        second.outcomes.removeAll { $0.flags.contains("Truncated") }
        second.summary = RunSummary(second.outcomes)
        guard let diagnosis = Diagnosis.diagnose(second, corpus: corpus, options: again, target: unpadding) else {
            return ([], [], deliveries)
        }
        let causes = diagnosis.causes.map { cause in
            var behind = cause
            behind.behind = "with every signature unpadded"
            return behind
        }
        return (causes, diagnosis.unexplained, deliveries)
    }

    /// The setting an accepted unpadded probe names.
    static let unpaddedCause = SettingCause(
        setting: .encoding, works: "base64 without '=' padding",
        message: "your receiver accepts base64 signatures only without their '=' padding (Perl's "
            + "Digest::SHA hmac_sha1_base64 writes them so): SPEC.md reads padded base64 (R7, RFC 4648), and no "
            + "option of this run sends unpadded values — pad the receiver's value (append '=' to a length of 28) "
            + "or compare decoded bytes")

    /// The mutant whose signing rule the receiver follows, found by sending the vector's delivery signed under
    /// each mutant's rule (with the run's key); `nil` when none is accepted.
    static func confirmBug(
        _ vector: ReceiverVector, configuration: ReceiverConfiguration, target: any ConformanceTarget,
        probes: inout Int, only: Mutant? = nil, unpadded: Bool = false
    ) -> (Mutant, String?)? {
        confirmReading(
            vector, configuration: configuration, target: target, probes: &probes, only: only, unpadded: unpadded
        ).map { ($0.mutant, $0.member) }
    }

    /// A bug confirmed on the wire, and for a family the members that sign the accepted delivery alike.
    struct ConfirmedReading {
        var mutant: Mutant
        /// The members that could have signed what was accepted, the one tried first first; empty for a bug with no
        /// family.
        var styles: [JSONStyle]

        /// The member in words, with the others that write the probe's delivery alike.
        var member: String? {
            guard let style = styles.first else { return nil }
            let alike = styles.dropFirst()
            let others =
                alike.isEmpty
                ? "" : " (or " + alike.map(\.rawValue).joined(separator: ", ") + ", which write this delivery alike)"
            return "\(style.rawValue)\(others): \(style.effect)"
        }
    }

    /// ``confirmBug(_:configuration:target:probes:only:unpadded:)`` with the members found.
    static func confirmReading(
        _ vector: ReceiverVector, configuration: ReceiverConfiguration, target: any ConformanceTarget,
        probes: inout Int, only: Mutant? = nil, unpadded: Bool = false, styles: [JSONStyle] = JSONStyle.allCases
    ) -> ConfirmedReading? {
        guard let delivery = try? vector.deliveries(for: configuration).first else { return nil }
        let reference = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: configuration.profile)
        var request = delivery.request
        request.headers.insert(HTTPField(name: "Host", value: configuration.targetURL.authority), at: 0)
        let message = SignedMessage(request, configuredURL: reference.signedURL(for: request))
        var tried: Set<[UInt8]> = []
        if let own = reference.pipeline.rule.signature(of: message, configuredKey: Array(configuration.projectID.utf8))
        {
            tried.insert(Array(own.utf8))
        }
        let key = Array(configuration.projectID.utf8)
        // Each bug's reading, and each member of a family (every way a JSON library writes a body back).
        var readings: [(Mutant, SigningRule, JSONStyle?)] = []
        for mutant in Mutant.allCases where mutant.applies(to: configuration.profile.scheme) {
            if let only, mutant != only { continue }
            let rule = mutant.pipeline(from: reference.pipeline).rule
            guard rule.scheme == .jsonBody, rule.body == .reserialised else {
                readings.append((mutant, rule, nil))
                continue
            }
            for style in styles {
                var member = rule
                member.style = style
                readings.append((mutant, member, style))
            }
        }
        for (mutant, rule, style) in readings {
            // A reading that signs this delivery as another already tried would only repeat its answer.
            guard let signed = rule.signature(of: message, configuredKey: key) else { continue }
            let value = unpadded ? UnpaddingTarget.unpadded(signed) : signed
            guard tried.insert(Array(value.utf8)).inserted else { continue }
            var probe = delivery
            probe.request.headers = delivery.request.headers.replacingValues(named: signatureHeaderName, with: value)
            probes += 1
            guard let status = (try? target.deliver([probe]))?.first?.status, (200...299).contains(status) else {
                continue
            }
            guard let style else { return ConfirmedReading(mutant: mutant, styles: []) }
            // Every member that writes this delivery alike is as likely: named together.
            let alike = styles.filter { other in
                var member = rule
                member.style = other
                return other != style && member.signature(of: message, configuredKey: key) == signed
            }
            return ConfirmedReading(mutant: mutant, styles: [style] + alike)
        }
        return nil
    }

    static func flags(_ profile: SignatureProfile) -> String {
        "--scheme \(profile.scheme.rawValue) --encoding \(profile.encoding.rawValue)"
    }

    /// The URLs a receiver may be configured with instead of the one signed: the target URL (where --public-url
    /// differs), `localhost` and `127.0.0.1` swapped, `http` and `https` swapped, the default port written or left
    /// out, the path with and without a trailing slash.
    static func urls(_ configuration: ReceiverConfiguration) -> [RawURL] {
        let signed = configuration.publicURL
        var candidates: [RawURL] = []
        if configuration.targetURL != signed { candidates.append(configuration.targetURL) }
        var host = signed
        switch signed.host.lowercased() {
        case "localhost": host.host = "127.0.0.1"
        case "127.0.0.1", "[::1]": host.host = "localhost"
        default: break
        }
        if host != signed { candidates.append(host) }
        var scheme = signed
        scheme.scheme = signed.otherScheme
        candidates.append(scheme)
        let defaultPort = signed.defaultPort
        var port = signed
        if signed.port == nil {
            port.port = defaultPort
            candidates.append(port)
        } else if signed.port == defaultPort {
            port.port = nil
            candidates.append(port)
        }
        var slash = signed
        slash.path = signed.path.hasSuffix("/") ? String(signed.path.dropLast()) : signed.path + "/"
        candidates.append(slash)
        var seen: Set<String> = [signed.description]
        return candidates.filter { seen.insert($0.description).inserted }
    }
}
