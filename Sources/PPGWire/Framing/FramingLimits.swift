/// Every bound HTTP/1.1 framing applies, in one value: the request framer of `serve` and `capture`, the response
/// framer of `run`'s blocking client and of the event-loop client of `load` and `fuzz`, and the readers of files.
package struct FramingLimits: Sendable, Equatable {
    /// The largest head (start line and fields, blank line included).
    package var maximumHeadBytes = 65_536
    /// The largest body.
    package var maximumBodyBytes = 1 << 20
    /// The largest request-target.
    package var maximumTargetBytes = 8192
    /// The longest chunk-size line, extensions included.
    package var maximumChunkLineBytes = 1024
    /// The longest trailer field line.
    package var maximumTrailerLineBytes = 8192
    /// Framing bytes (chunk-size lines with their extensions, trailer fields) a chunked body may carry besides its
    /// data: a peer that sends more is streaming, not answering.
    package var maximumFramingBytes = 65_536
    /// The most interim (1xx) responses before a final one: a real server sends one or two.
    package var maximumInterimResponses = 16
    /// Whether a request must carry one valid Host (RFC 9112 §3.2) and use the asterisk-form only with OPTIONS:
    /// a server's rules, not a capture reader's, which reads what was sent whatever it was.
    package var checksHost = true
    /// Whether a chunk-size or trailer line may end in a bare LF (RFC 9112 §2.2 lets a recipient accept one). A
    /// client reading a receiver's answer accepts it; a server refuses it, since two readers that disagree on line
    /// ends are how requests are smuggled.
    package var acceptsBareLF = false

    /// Creates limits; the defaults are a server's.
    package init(
        maximumHeadBytes: Int = 65_536, maximumBodyBytes: Int = 1 << 20, maximumTargetBytes: Int = 8192,
        checksHost: Bool = true, acceptsBareLF: Bool = false
    ) {
        self.maximumHeadBytes = maximumHeadBytes
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumTargetBytes = maximumTargetBytes
        self.checksHost = checksHost
        self.acceptsBareLF = acceptsBareLF
    }

    /// A client's: bodies up to `maximumBodyBytes`, bare LF accepted in chunk lines.
    package static func client(maximumBodyBytes: Int = 1 << 20) -> FramingLimits {
        FramingLimits(maximumBodyBytes: maximumBodyBytes, acceptsBareLF: true)
    }

    /// A reader of captured files: no bound but the file's, no Host rules.
    package static let unbounded = FramingLimits(
        maximumHeadBytes: Int.max / 2, maximumBodyBytes: Int.max / 2, maximumTargetBytes: Int.max / 2,
        checksHost: false)
}
