import Foundation
import PPGConformance
import PPGSignature
import PPGVectors
import PPGWire

/// The target of `run` and `fuzz`, from `--exec`, `--target` or neither (the in-process reference, or for `fuzz` a
/// `--mutant`), with the receiver configuration the options give: one reading of these options for both commands.
enum TargetArguments {
    /// The options this reads, as the command declares them (its help words them for its own use).
    struct Specs {
        var target: OptionSpec
        var exec: OptionSpec
        var projectID: OptionSpec
        var publicURL: OptionSpec
        var jobs: OptionSpec
        var timeout: OptionSpec
        var insecure: OptionSpec
        var cacert: OptionSpec
    }

    /// The chosen target and the configuration deliveries are signed for.
    struct Chosen {
        var target: any ConformanceTarget
        /// The receiver's URL, for `--target`.
        var url: RawURL?
        var configuration: ReceiverConfiguration
    }

    /// Reads `--exec`, `--target`, `--project-id`, `--public-url`, `--timeout`, `--insecure`, `--cacert`.
    /// - Parameters:
    ///   - inProcess: The receiver to run in-process when neither `--exec` nor `--target` is given.
    static func choose(
        _ arguments: ParsedArguments, command: String, profile: SignatureProfile, options: Specs,
        inProcess: ((ReceiverConfiguration) -> any ConformanceTarget)? = nil
    ) throws -> Chosen {
        var configuration = ReferenceTarget.defaultConfiguration(profile: profile)
        if let projectID = arguments.value(options.projectID) {
            guard !projectID.isEmpty else { throw CLIError.usage("\(command): '--project-id' must not be empty") }
            configuration.projectID = projectID
        }
        func url(_ option: OptionSpec) throws(CLIError) -> RawURL? {
            try arguments.url(option, schemes: ["http", "https"])
        }
        let targetURL = try url(options.target)
        if let publicURL = try url(options.publicURL) {
            configuration.targetURL = publicURL
            configuration.publicURL = publicURL
        }
        let timeout = try arguments.number(options.timeout)
        if let program = arguments.value(options.exec) {
            guard targetURL == nil else {
                throw CLIError.usage("\(command): give either '--target' or '--exec', not both")
            }
            guard !program.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw CLIError.usage("\(command): '--exec' needs a command")
            }
            for option in [options.jobs, options.insecure, options.cacert] where arguments.isGiven(option) {
                throw CLIError.usage(
                    "\(command): '--\(option.name)' only applies with '--target' (a pipe answers one at a time)")
            }
            do {
                let pipe = try PipeTarget(command: program, configuration: configuration, timeout: timeout)
                return Chosen(target: pipe, configuration: configuration)
            } catch {
                throw CLIError(kind: .unreachable, message: "\(command): \(error.message)")
            }
        }
        if let targetURL {
            guard arguments.value(options.projectID) != nil else {
                throw CLIError.usage(
                    "\(command): '--target' needs '--project-id' (the projectId the receiver is configured with)")
            }
            configuration.targetURL = targetURL
            configuration.publicURL = try url(options.publicURL) ?? targetURL
            return Chosen(
                target: try httpTarget(targetURL, arguments, options: options), url: targetURL,
                configuration: configuration)
        }
        for option in [options.jobs, options.timeout, options.insecure, options.cacert] where arguments.isGiven(option)
        {
            throw CLIError.usage("\(command): '--\(option.name)' only applies with '--target' or '--exec'")
        }
        let target = inProcess?(configuration) ?? ReferenceTarget(configuration: configuration)
        return Chosen(target: target, configuration: configuration)
    }

    /// A receiver over HTTP with the run's `--timeout`, `--insecure` and `--cacert` (`--target`, `fuzz --against`).
    static func httpTarget(_ url: RawURL, _ arguments: ParsedArguments, options: Specs) throws -> HTTPTarget {
        HTTPTarget(
            url: url, timeout: try arguments.number(options.timeout), insecure: arguments.has(options.insecure),
            caFile: try TLSArguments.caFile(arguments, url: url, insecure: options.insecure, cacert: options.cacert))
    }
}
