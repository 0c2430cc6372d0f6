import PPGHTTP
import PPGSignature
import PPGVectors
import PPGWire

/// Runs the HTTP suite against the reference receiver and every mutant, each on its own loopback server.
package enum MutationRun {
    /// The public URL mutants are configured with: not the loopback URL, so URL rebuilding is caught.
    public static let publicURL = RawURL(scheme: "https", host: "hooks.example.com", path: "/ppg/webhook")

    /// Runs the suite against one receiver.
    /// - Parameters:
    ///   - mutant: The mutant, or `nil` for the reference.
    ///   - corpus: The corpus.
    ///   - profile: Scheme and encoding.
    ///   - projectID: The projectId the receivers are configured with.
    ///   - jobs: Vectors at once.
    /// - Returns: What the run found.
    /// - Throws: `HTTPError` when the loopback server cannot start.
    public static func run(
        mutant: Mutant?, corpus: Corpus, profile: SignatureProfile,
        projectID: String = "5f2a8b3c9d1e4f6a7b8c9d0e", jobs: Int = 4
    ) throws(HTTPError) -> MutantResult {
        let reference = ReferenceReceiver(projectID: projectID, publicURL: publicURL, profile: profile)
        let receiver: any Receiver = mutant.map { MutantReceiver(mutant: $0, reference: reference) } ?? reference
        let server = try LoopbackServer(receiver: receiver)
        defer { server.stop() }
        let configuration = ReceiverConfiguration(
            projectID: projectID, targetURL: server.url(), publicURL: publicURL,
            profile: profile)
        let options = RunOptions(configuration: configuration, jobs: jobs)
        let result = Runner.run(corpus: corpus, target: HTTPTarget(url: server.url(), timeout: 5), options: options)
        let failed = result.outcomes.filter { $0.status == .fail || $0.status == .error }
        return MutantResult(
            mutant: mutant, caughtBy: failed.filter { $0.level == .required }.map(\.id),
            warnedBy: failed.filter { $0.level == .recommended }.map(\.id),
            errors: result.summary.errors, summary: result.summary, run: result)
    }

    /// The mutants' fingerprints on the suite as `run` sends it, for diagnosing each mutant's run.
    /// - Parameters:
    ///   - corpus: The corpus.
    ///   - profile: Scheme and encoding.
    ///   - projectID: The projectId the receivers are configured with.
    /// - Returns: The catalogue.
    public static func catalogue(
        corpus: Corpus, profile: SignatureProfile, projectID: String = "5f2a8b3c9d1e4f6a7b8c9d0e"
    ) -> Diagnosis.Catalogue {
        let configuration = ReceiverConfiguration(
            projectID: projectID, targetURL: RawURL(scheme: "http", host: "127.0.0.1", port: "1", path: publicURL.path),
            publicURL: publicURL, profile: profile)
        return Diagnosis.catalogue(
            corpus: corpus, options: RunOptions(configuration: configuration), takesSignatureVectors: false,
            judgesAsVerifier: false)
    }
}
