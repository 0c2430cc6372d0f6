import Foundation
import PPGWire

/// `--insecure` and `--cacert`, shared by `run` and `load`.
enum TLSArguments {
    /// The CA file, checked to be readable; both options only with an https URL, and not together. `--insecure`
    /// is said once on stderr.
    static func caFile(
        _ arguments: ParsedArguments, url: RawURL, insecure: OptionSpec, cacert: OptionSpec
    ) throws(CLIError) -> String? {
        let command = arguments.command
        let https = url.isHTTPS
        if arguments.has(insecure) || arguments.value(cacert) != nil {
            guard https else { throw .usage("\(command): '--insecure' and '--cacert' apply to an https:// target") }
        }
        if arguments.has(insecure) && arguments.value(cacert) != nil {
            throw .usage("\(command): give either '--insecure' or '--cacert', not both")
        }
        if arguments.has(insecure) {
            Console.error("warning: --insecure: the certificate of \(url.authority) is not verified")
        }
        guard let path = arguments.value(cacert) else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .input("\(command): cannot read --cacert file '\(path)'")
        }
        return path
    }
}
