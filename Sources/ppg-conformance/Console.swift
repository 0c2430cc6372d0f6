import PPGHTTP

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes to the standard streams without buffering surprises between them. Everything written goes through
/// `PrintableText.terminal`: whatever a command forgot to escape, no peer's or file's text drives the terminal.
enum Console {
    static func out(_ text: String) {
        write(text + "\n", to: stdout)
    }

    static func error(_ text: String) {
        write(text + "\n", to: stderr)
    }

    static func write(_ text: String, to stream: UnsafeMutablePointer<FILE>?) {
        fputs(PrintableText.terminal(text), stream)
        fflush(stream)
    }

    /// Whether a stream is a terminal, for colour decisions.
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }
}
