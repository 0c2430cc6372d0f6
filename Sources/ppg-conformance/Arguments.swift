import PPGConformance
import PPGWire

/// One option a command accepts.
struct OptionSpec: Sendable {
    /// The values a numeric option accepts and its default: one place for the parser and the help.
    enum Bounds: Sendable {
        case integer(ClosedRange<Int>, default: Int?)
        case number(ClosedRange<Double>, default: Double?)

        /// `a whole number from 1 to 256, default 4`.
        var help: String {
            switch self {
            case .integer(let range, let fallback):
                "a whole number from \(range.lowerBound) to \(range.upperBound)"
                    + (fallback.map { ", default \($0)" } ?? "")
            case .number(let range, let fallback):
                "a number from \(Self.text(range.lowerBound)) to \(Self.text(range.upperBound))"
                    + (fallback.map { ", default \(Self.text($0))" } ?? "")
            }
        }

        static func text(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
    }

    /// The name without dashes, e.g. `key` for `--key`.
    var name: String
    /// The placeholder shown in help; `nil` for a flag that takes no value.
    var valueName: String?
    var help: String
    var repeatable = false
    var bounds: Bounds?
    /// Whether the command cannot run without it: the usage line shows it without brackets.
    var isRequired = false

    /// This option, required.
    func required() -> OptionSpec {
        var copy = self
        copy.isRequired = true
        return copy
    }

    static func value(_ name: String, _ valueName: String, _ help: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, repeatable: repeatable)
    }

    static func integer(
        _ name: String, _ valueName: String, _ help: String, range: ClosedRange<Int>, default fallback: Int? = nil
    ) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, bounds: .integer(range, default: fallback))
    }

    static func number(
        _ name: String, _ valueName: String, _ help: String, range: ClosedRange<Double>,
        default fallback: Double? = nil
    ) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, bounds: .number(range, default: fallback))
    }

    /// The help text with the accepted values appended.
    var fullHelp: String {
        guard let bounds else { return help }
        let sentence = help.hasSuffix(".") ? String(help.dropLast()) : help
        return sentence + " (" + bounds.help + ")."
    }

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help)
    }
}

/// A failure the user can fix by changing the command line, the input files or the target: one line, exit 2.
struct CLIError: Error, CustomStringConvertible {
    enum Kind { case usage, input, unreachable }
    var kind: Kind
    var message: String

    static func usage(_ message: String) -> CLIError { CLIError(kind: .usage, message: message) }
    static func input(_ message: String) -> CLIError { CLIError(kind: .input, message: message) }

    var description: String { message }
}

/// The parsed command line of one command: `--opt value`, `--opt=value`, flags, positionals, `--` ends options.
struct ParsedArguments {
    let command: String
    let specs: [OptionSpec]
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    init(command: String, arguments: [String], options: [OptionSpec], maximumPositionals: Int = 0) throws(CLIError) {
        self.command = command
        self.specs = options
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("--") || argument == "-" {
                guard positionals.count < maximumPositionals else {
                    throw .usage("\(command): unexpected argument '\(argument)'")
                }
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            let body = argument.dropFirst(2)
            let name: String
            var inlineValue: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[body.startIndex..<equals])
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            guard let spec = options.first(where: { $0.name == name }) else {
                throw .usage("\(command): unknown option '--\(name)' (see 'ppg-conformance \(command) --help')")
            }
            guard let valueName = spec.valueName else {
                if inlineValue != nil { throw .usage("\(command): option '--\(name)' takes no value") }
                flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw .usage("\(command): option '--\(name)' needs a value (\(valueName))")
                }
                value = arguments[index]
                index += 1
            }
            if !spec.repeatable && values[name] != nil {
                throw .usage("\(command): option '--\(name)' given more than once")
            }
            values[name, default: []].append(value)
        }
    }

    /// The option as this command declared it: reading one the command's table lacks is the tool's own bug.
    private func declared(_ option: OptionSpec) -> String {
        assert(specs.contains { $0.name == option.name }, "--\(option.name) is not in \(command)'s options")
        return option.name
    }

    func value(_ option: OptionSpec) -> String? { values[declared(option)]?.last }
    func all(_ option: OptionSpec) -> [String] { values[declared(option)] ?? [] }
    func has(_ option: OptionSpec) -> Bool { flags.contains(declared(option)) }
    /// Whether the option was given at all, with a value or as a flag.
    func isGiven(_ option: OptionSpec) -> Bool { value(option) != nil || has(option) }

    /// A required option's value; an empty value is refused as a missing one is (an empty projectId would key
    /// every HMAC with nothing).
    func required(_ option: OptionSpec) throws(CLIError) -> String {
        let name = option.name
        guard let value = value(option) else { throw .usage("\(command): missing required option '--\(name)'") }
        guard !value.isEmpty else { throw .usage("\(command): '--\(name)' must not be empty") }
        return value
    }

    func choice<T: RawRepresentable>(_ option: OptionSpec, default fallback: T) throws(CLIError) -> T
    where T.RawValue == String, T: CaseIterable {
        try optionalChoice(option, as: T.self) ?? fallback
    }

    func optionalChoice<T: RawRepresentable>(_ option: OptionSpec, as type: T.Type) throws(CLIError) -> T?
    where T.RawValue == String, T: CaseIterable {
        let name = option.name
        guard let raw = value(option) else { return nil }
        guard let parsed = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw .usage("\(command): invalid value '\(raw)' for '--\(name)' (expected one of: \(allowed))")
        }
        return parsed
    }

    /// A URL option, parsed without normalisation; `schemes` restricts the scheme (lowercase names).
    func url(_ option: OptionSpec, schemes: Set<String>? = nil) throws(CLIError) -> RawURL? {
        let name = option.name
        guard let text = value(option) else { return nil }
        guard let url = RawURL(text), schemes?.contains(url.scheme.lowercased()) ?? true else {
            let expected =
                schemes.map { $0.sorted().map { "\($0)://" }.joined(separator: " or ") + " URL" }
                ?? "scheme://host/path"
            throw .usage("\(command): invalid value '\(text)' for '--\(name)' (expected \(expected))")
        }
        // The URL goes into a request line and a Host field as written: a space or a line break would split them.
        if let bad = text.unicodeScalars.first(where: { $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) }) {
            let what =
                bad == " " ? "a space" : "a control character (U+\(String(bad.value, radix: 16, uppercase: true)))"
            throw .usage("\(command): '--\(name)' holds \(what); percent-encode it (%20 for a space)")
        }
        if let port = url.port {
            guard !port.isEmpty, port.count <= 5, port.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let number = Int(port), (1...65535).contains(number)
            else {
                throw .usage("\(command): invalid port '\(port)' in '--\(name)' (1 to 65535)")
            }
        }
        return url
    }

    /// An output file option, checked before the command does any work (see `OutputFile`).
    func outputFile(_ option: OptionSpec) throws(CLIError) -> OutputFile? {
        guard let path = value(option) else { return nil }
        do {
            return try OutputFile.check(path, option: "--\(option.name)")
        } catch {
            throw .usage("\(command): \(error.description)")
        }
    }

    /// Every output file option of a command, checked, and checked to be distinct files; keyed by option name.
    func outputFiles(_ options: [OptionSpec]) throws(CLIError) -> [String: OutputFile] {
        var files: [String: OutputFile] = [:]
        for option in options {
            if let file = try outputFile(option) { files[option.name] = file }
        }
        do {
            try OutputFile.checkDistinct(options.compactMap { files[$0.name] })
        } catch {
            throw .usage("\(command): \(error.description)")
        }
        return files
    }

    /// Writes an output file checked earlier; a failure is one line, exit 2.
    func write(_ text: String, to file: OutputFile) throws(CLIError) {
        do {
            try file.write(text)
        } catch {
            throw .input("\(command): \(error.description)")
        }
    }

    /// A whole-number option, checked against its spec's range; its default when absent (`nil` without one).
    /// Only decimal digits are taken: `+5`, `-0`, `0x10` and `1e3` are refused.
    func optionalInteger(_ option: OptionSpec) throws(CLIError) -> Int? {
        let name = option.name
        guard case .integer(let range, let fallback) = option.bounds else { return nil }
        guard let raw = value(option) else { return fallback }
        guard Self.isDecimal(raw, fraction: false), let parsed = Int(raw), range.contains(parsed) else {
            throw .usage(
                "\(command): invalid value '\(OutsideText.escape(raw, for: .ascii(limit: 200)))' for '--"
                    + "\(name)' (expected "
                    + OptionSpec.Bounds.integer(range, default: nil).help + ")")
        }
        return parsed
    }

    /// A whole-number option that has a default.
    func integer(_ option: OptionSpec) throws(CLIError) -> Int {
        try optionalInteger(option) ?? 0
    }

    /// A decimal option (`5`, `0.25`), checked against its spec's range; its default when absent.
    func optionalNumber(_ option: OptionSpec) throws(CLIError) -> Double? {
        let name = option.name
        guard case .number(let range, let fallback) = option.bounds else { return nil }
        guard let raw = value(option) else { return fallback }
        guard Self.isDecimal(raw, fraction: true), let parsed = Double(raw), range.contains(parsed) else {
            throw .usage(
                "\(command): invalid value '\(OutsideText.escape(raw, for: .ascii(limit: 200)))' for '--"
                    + "\(name)' (expected "
                    + OptionSpec.Bounds.number(range, default: nil).help + ")")
        }
        return parsed
    }

    /// A decimal option that has a default.
    func number(_ option: OptionSpec) throws(CLIError) -> Double {
        try optionalNumber(option) ?? 0
    }

    /// Digits, and with `fraction` one `.` between digits: what a person types for a count or seconds.
    static func isDecimal(_ text: String, fraction: Bool) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || (fraction && parts.count == 2), text.utf8.count <= 18 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }
    }
}

/// A command's usage line, from its option table: `ppg-conformance NAME [--opt VALUE] [--flag] …`.
func usageLine(command: String, options: [OptionSpec], positionals: String = "") -> String {
    let parts = options.sorted { $0.isRequired && !$1.isRequired }.map { spec in
        let text = "--\(spec.name)" + (spec.valueName.map { " \($0)" } ?? "")
        return (spec.isRequired ? text : "[\(text)]") + (spec.repeatable ? "…" : "")
    }
    return (["ppg-conformance", command] + (positionals.isEmpty ? [] : [positionals]) + parts).joined(separator: " ")
}

/// Help text for a command, built from its option specs so that help and parser never disagree.
func helpText(usage: String, summary: String, options: [OptionSpec], details: String = "") -> String {
    var lines = ["USAGE: \(usage)", "", summary, "", "OPTIONS:"]
    let all = options + [.flag("help", "Show this help and exit.")]
    let labels = all.map { spec in "  --\(spec.name)" + (spec.valueName.map { " \($0)" } ?? "") }
    let width = min((labels.map(\.count).max() ?? 0) + 2, 34)
    for (label, spec) in zip(labels, all) {
        let repeatNote = spec.repeatable ? " (repeatable)" : ""
        if label.count + 2 > width {
            lines.append(label)
            lines.append(String(repeating: " ", count: width) + spec.fullHelp + repeatNote)
        } else {
            lines.append(label.padding(to: width) + spec.fullHelp + repeatNote)
        }
    }
    if !details.isEmpty { lines += ["", details] }
    return lines.joined(separator: "\n")
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
