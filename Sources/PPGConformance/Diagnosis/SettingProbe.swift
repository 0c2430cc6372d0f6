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
        if refused.count == mustAccept.count, refused.allSatisfy({ $0.status == 404 || $0.status == 405 }),
            mustAccept.count >= 3
        {
            let statuses = Set(refused.compactMap(\.status)).sorted().map(String.init).joined(separator: " or ")
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
        // The probe delivery: a vector with one validly signed delivery that must be accepted, refused here.
        let failedIDs = Set(result.outcomes.filter { $0.status == .fail }.map(\.id))
        guard
            let vector = corpus.receiverVectors.map(\.vector).first(where: { vector in
                failedIDs.contains(vector.id) && (vector.followUps ?? []).isEmpty && vector.expect == .accept
                    && vector.skipReason(for: configuration.profile) == nil
            })
        else { return Finding(causes: [], probes: 0) }
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
            if profile.scheme != configuration.profile.scheme {
                causes.append(
                    SettingCause(
                        setting: .scheme, works: profile.scheme.rawValue,
                        message: "your receiver accepts deliveries signed with --scheme \(profile.scheme.rawValue)"
                            + (profile.encoding != configuration.profile.encoding
                                ? " --encoding \(profile.encoding.rawValue)" : "")
                            + ": run with " + flags(profile)))
            }
            if profile.encoding != configuration.profile.encoding {
                causes.append(
                    SettingCause(
                        setting: .encoding, works: profile.encoding.rawValue,
                        message: "your receiver accepts signatures encoded as \(profile.encoding.rawValue): run with "
                            + flags(profile)))
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
        // Nothing accepted. A wrong key refuses every valid delivery, and so does code that reads the URL or the
        // body its own way: the same delivery signed with this key the way each such mutant reads it tells them
        // apart — accepted, the key is right and the code has that bug. The same signing rules as the mutants'.
        if let mutant = confirmBug(vector, configuration: configuration, target: target, probes: &probes) {
            return Finding(causes: [], probes: probes, confirmedBug: mutant)
        }
        let unsigned = Set(
            result.outcomes.filter { $0.flags.contains("MissingHeader") }.flatMap(\.exchanges)
                .filter { $0.expected == .reject }.compactMap(\.status))
        let refusedStatuses = Set(refused.compactMap(\.status))
        if refused.count == mustAccept.count, !unsigned.isEmpty, refusedStatuses.isSubset(of: unsigned) {
            let refusedAs = refusedStatuses.sorted().map(String.init).joined(separator: ", ")
            return Finding(
                causes: [
                    SettingCause(
                        setting: .projectID, works: nil,
                        message:
                            "\(refused.count) of "
                            + "\(counted(mustAccept.count, "validly signed delivery", "validly signed deliveries")) "
                            + "were refused as an unsigned one is (\(refusedAs)), and no other profile, URL or reading "
                            + "was accepted: the receiver checks another key or another URL. Check that --project-id "
                            + "(\(configuration.projectID)) is the projectId it is configured with"),
                    SettingCause(
                        setting: .publicURL, works: nil,
                        message: "or that \(configuration.publicURL) is the URL it verifies: the path in --target, "
                            + "or, behind a proxy or TLS terminator, --public-url (the URL configured in PushPushGo)"),
                ], probes: probes)
        }
        return Finding(causes: [], probes: probes)
    }

    /// The mutant whose signing rule the receiver follows, found by sending the vector's delivery signed under
    /// each mutant's rule (with the run's key); `nil` when none is accepted.
    static func confirmBug(
        _ vector: ReceiverVector, configuration: ReceiverConfiguration, target: any ConformanceTarget,
        probes: inout Int
    ) -> Mutant? {
        guard let delivery = try? vector.deliveries(for: configuration).first else { return nil }
        let reference = ReferenceReceiver(
            projectID: configuration.projectID, publicURL: configuration.publicURL, profile: configuration.profile)
        var request = delivery.request
        request.headers.insert(HTTPField(name: "Host", value: configuration.targetURL.authority), at: 0)
        let message = SignedMessage(request, configuredURL: reference.signedURL(for: request))
        var tried: Set<SigningRule> = [reference.pipeline.rule]
        for mutant in Mutant.allCases where mutant.applies(to: configuration.profile.scheme) {
            let rule = mutant.pipeline(from: reference.pipeline).rule
            guard tried.insert(rule).inserted,
                let value = rule.signature(of: message, configuredKey: Array(configuration.projectID.utf8))
            else { continue }
            var probe = delivery
            probe.request.headers = delivery.request.headers.replacingValues(named: signatureHeaderName, with: value)
            probes += 1
            if let status = (try? target.deliver([probe]))?.first?.status, (200...299).contains(status) {
                return mutant
            }
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
        scheme.scheme = signed.scheme.lowercased() == "https" ? "http" : "https"
        candidates.append(scheme)
        let defaultPort = signed.scheme.lowercased() == "https" ? "443" : "80"
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
