/// Why bytes are not an acceptable HTTP/1.1 message: what a framer reports, and a server turns into a status or a
/// client into an error.
package struct FramingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure.
    package enum Kind: Sendable, Equatable {
        /// The bytes break the grammar.
        case malformed
        /// A part is over its limit.
        case tooLarge
        /// The peer closed before the message was complete.
        case truncated
    }

    /// Which failure.
    package var kind: Kind
    /// One line for a person; text from the peer in it is escaped.
    package var message: String

    /// Creates an error.
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }
}
