import Foundation
import PPGSignature
import PPGWire

/// `sign`: prints the X-PPG-Signature value of one delivery.
enum SignCommand: CLICommand {
    static let name = "sign"
    static let summary = "Print the X-PPG-Signature of one delivery, as the reference computes it."
    /// The options, each declared once: the parser, `--help`, the usage line and the reads all use these.
    enum Options {
        static let key = OptionSpec.value("key", "K", "The projectId (the HMAC key), as UTF-8 text.")
        static let keyHex = OptionSpec.value("key-hex", "HEX", "The key as hexadecimal bytes, instead of --key.")
        static let url = OptionSpec.value(
            "url", "U", "The webhook URL exactly as configured, with the query (url-params only).")
        static let body = OptionSpec.value("body", "TEXT", "The request body as text.")
        static let bodyFile = OptionSpec.value(
            "body-file", "F", "Read the request body's bytes from a file ('-' for stdin).")
        static let contentType = OptionSpec.value(
            "content-type", "T", "The Content-Type; application/x-www-form-urlencoded selects form parameters.")
        static let scheme = OptionSpec.value("scheme", "S", "url-params (default) or json-body.")
        static let encoding = OptionSpec.value("encoding", "E", "hex (default) or base64.")
        static let json = OptionSpec.flag("json", "Print one JSON object with the signing input and the signature.")
    }

    static let options: [OptionSpec] = [
        Options.key, Options.keyHex, Options.url, Options.body, Options.bodyFile, Options.contentType, Options.scheme,
        Options.encoding, Options.json,
    ]

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let key = try keyBytes(arguments)
        let scheme: SignatureScheme = try arguments.choice(Options.scheme, default: .urlParameters)
        let encoding: SignatureEncoding = try arguments.choice(Options.encoding, default: .hex)
        let url: String
        if let given = arguments.value(Options.url) {
            url = given
        } else if scheme == .jsonBody {
            url = ""
        } else {
            throw CLIError.usage("sign: missing required option '--url' (the url-params scheme signs the URL)")
        }
        let body = try bodyBytes(arguments)
        let contentType = arguments.value(Options.contentType)
        let input: [UInt8]
        do {
            input = try SigningInput.make(scheme: scheme, url: url.utf8, body: body, contentType: contentType)
        } catch {
            throw CLIError.input("sign: cannot read the body for url-params: \(error.description)")
        }
        let signature = Signer(key: key, profile: SignatureProfile(scheme: scheme, encoding: encoding))
            .signature(forSigningInput: input)
        guard arguments.has(Options.json) else {
            Console.out(signature)
            return ExitCode.success
        }
        var members: [(String, JSONOutput)] = [
            ("scheme", .string(scheme.rawValue)), ("encoding", .string(encoding.rawValue)),
        ]
        if let text = String(validating: input, as: UTF8.self) {
            members.append(("signingInput", .string(text)))
        } else {
            members.append(("signingInputBase64", .string(Data(input).base64EncodedString())))
        }
        members.append(("signature", .string(signature)))
        Console.out(JSONOutput.object(members).rendered(pretty: false))
        return ExitCode.success
    }

    static func keyBytes(_ arguments: ParsedArguments) throws(CLIError) -> [UInt8] {
        switch (arguments.value(Options.key), arguments.value(Options.keyHex)) {
        case (let text?, nil):
            return Array(text.utf8)
        case (nil, let hex?):
            guard let bytes = Hex.decode(hex) else {
                throw .usage(
                    "\(arguments.command): invalid value for '--key-hex' (expected an even number of hex digits)")
            }
            return bytes
        case (nil, nil):
            throw .usage("\(arguments.command): missing required option '--key' (the projectId)")
        default:
            throw .usage("\(arguments.command): give either '--key' or '--key-hex', not both")
        }
    }

    static func bodyBytes(_ arguments: ParsedArguments) throws(CLIError) -> [UInt8] {
        switch (arguments.value(Options.body), arguments.value(Options.bodyFile)) {
        case (let text?, nil):
            return Array(text.utf8)
        case (nil, let path?):
            return try FileInput.read(path, option: "--body-file", command: arguments.command)
        case (nil, nil):
            return []
        default:
            throw .usage("\(arguments.command): give either '--body' or '--body-file', not both")
        }
    }
}
