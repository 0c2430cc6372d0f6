import PPGWire

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes to the standard streams without buffering surprises between them. Everything written goes through
/// `OutsideText.escape(_:for: .terminal)`: whatever a command forgot to escape, no peer's or file's text drives the
/// terminal.
enum Console {
    static func out(_ text: String) {
        write(text + "\n", to: stdout)
    }

    static func error(_ text: String) {
        write(text + "\n", to: stderr)
    }

    static func write(_ text: String, to stream: UnsafeMutablePointer<FILE>?) {
        fputs(OutsideText.escape(text, for: .terminal), stream)
        fflush(stream)
    }

    /// Replaces the status line on standard error (a terminal's): the cursor back to the line's start and the line
    /// erased, then the text, escaped like everything else. An empty text just clears the line.
    static func status(_ text: String) {
        fputs("\r\u{1B}[2K" + OutsideText.escape(text, for: .terminal), stderr)
        fflush(stderr)
    }

    /// Whether a stream is a terminal, for colour decisions.
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }
}
