/// `--annotations`: how failures are also printed for a CI system to mark up.
enum Annotations: String {
    case github, none

    /// The option's value, or `github` when running in GitHub Actions and the option is not given.
    static func kind(
        _ arguments: ParsedArguments, option: OptionSpec, environment: [String: String]
    ) throws(CLIError) -> Annotations {
        guard let value = arguments.value(option) else {
            return environment["GITHUB_ACTIONS"] == "true" ? .github : .none
        }
        guard let kind = Annotations(rawValue: value) else {
            throw .usage("\(arguments.command): invalid value '\(value)' for '--annotations' (expected github or none)")
        }
        return kind
    }
}
