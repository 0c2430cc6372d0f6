#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Read once: the rest of the program receives its arguments as values.
let arguments = Array(CommandLine.arguments.dropFirst())
// A receiver that closes early must give EPIPE on write, not a silent death.
signal(SIGPIPE, SIG_IGN)
exit(CommandLineTool.main(arguments))
