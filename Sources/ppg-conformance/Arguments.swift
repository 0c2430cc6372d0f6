import PPGConformance
import PPGVectors

/// One option a command accepts.
struct OptionSpec: Sendable {
    /// The name without dashes, e.g. `key` for `--key`.
    var name: String
    /// The placeholder shown in help; `nil` for a flag that takes no value.
    var valueName: String?
    var help: String
    var repeatable = false

    static func value(_ name: String, _ valueName: String, _ help: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, repeatable: repeatable)
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
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []

    init(command: String, arguments: [String], options: [OptionSpec], maximumPositionals: Int = 0) throws(CLIError) {
        self.command = command
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

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func has(_ name: String) -> Bool { flags.contains(name) }

    func required(_ name: String) throws(CLIError) -> String {
        guard let value = value(name) else { throw .usage("\(command): missing required option '--\(name)'") }
        return value
    }

    func choice<T: RawRepresentable>(_ name: String, default fallback: T) throws(CLIError) -> T
    where T.RawValue == String, T: CaseIterable {
        try optionalChoice(name, as: T.self) ?? fallback
    }

    func optionalChoice<T: RawRepresentable>(_ name: String, as type: T.Type) throws(CLIError) -> T?
    where T.RawValue == String, T: CaseIterable {
        guard let raw = value(name) else { return nil }
        guard let parsed = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw .usage("\(command): invalid value '\(raw)' for '--\(name)' (expected one of: \(allowed))")
        }
        return parsed
    }

    /// A URL option, parsed without normalisation; `schemes` restricts the scheme (lowercase names).
    func url(_ name: String, schemes: Set<String>? = nil) throws(CLIError) -> RawURL? {
        guard let text = value(name) else { return nil }
        guard let url = RawURL(text), schemes?.contains(url.scheme.lowercased()) ?? true else {
            let expected =
                schemes.map { $0.sorted().map { "\($0)://" }.joined(separator: " or ") + " URL" }
                ?? "scheme://host/path"
            throw .usage("\(command): invalid value '\(text)' for '--\(name)' (expected \(expected))")
        }
        return url
    }

    /// An output file option, checked before the command does any work (see `OutputFile`).
    func outputFile(_ name: String) throws(CLIError) -> OutputFile? {
        guard let path = value(name) else { return nil }
        do {
            return try OutputFile.check(path, option: "--\(name)")
        } catch {
            throw .usage("\(command): \(error.description)")
        }
    }

    /// Every output file option of a command, checked, and checked to be distinct files.
    func outputFiles(_ names: [String]) throws(CLIError) -> [String: OutputFile] {
        var files: [String: OutputFile] = [:]
        for name in names {
            if let file = try outputFile(name) { files[name] = file }
        }
        do {
            try OutputFile.checkDistinct(names.compactMap { files[$0] })
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

    func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(CLIError) -> Int {
        guard let raw = value(name) else { return fallback }
        guard let parsed = Int(raw), range.contains(parsed) else {
            throw .usage(
                "\(command): invalid value '\(raw)' for '--\(name)' (expected a whole number from "
                    + "\(range.lowerBound) to \(range.upperBound))")
        }
        return parsed
    }

    func number(_ name: String, default fallback: Double, range: ClosedRange<Double>) throws(CLIError) -> Double {
        guard let raw = value(name) else { return fallback }
        guard let parsed = Double(raw), parsed.isFinite, range.contains(parsed) else {
            throw .usage(
                "\(command): invalid value '\(raw)' for '--\(name)' (expected a number from "
                    + "\(range.lowerBound) to \(range.upperBound))")
        }
        return parsed
    }
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
            lines.append(String(repeating: " ", count: width) + spec.help + repeatNote)
        } else {
            lines.append(label.padding(to: width) + spec.help + repeatNote)
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
