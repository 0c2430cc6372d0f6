import PPGWire

/// The placeholders a receiver vector's text may hold.
public enum Placeholders {
    /// An unknown or malformed placeholder.
    public struct Failure: Error, Sendable {
        /// One line for a person.
        public var message: String
    }

    /// The largest `{{fill:N}}`, so that a vector cannot ask for gigabytes.
    public static let maximumFill = 16 << 20

    /// One piece of a template: literal bytes or a placeholder.
    private enum Piece {
        case literal(Range<Int>)
        case projectID
        case publicScheme
        case otherScheme
        case publicAuthority
        case fill(Int)
    }

    /// Walks a template's pieces in order; the one parser of the placeholder syntax, for expanding and measuring.
    private static func scan(
        _ bytes: [UInt8], publicAllowed: Bool, _ visit: (Piece) throws(Failure) -> Void
    ) throws(Failure) {
        var index = 0
        var literalStart = 0
        // Two bytes compared in place: a slice's `starts(with:)` at every byte was a tenth of materialising a
        // generated case in a debug build.
        func pair(_ brace: UInt8, at position: Int) -> Bool {
            position + 1 < bytes.count && bytes[position] == brace && bytes[position + 1] == brace
        }
        while index < bytes.count {
            guard pair(UInt8(ascii: "{"), at: index) else {
                index += 1
                continue
            }
            if literalStart < index { try visit(.literal(literalStart..<index)) }
            var end = index + 2
            while end + 1 < bytes.count && !pair(UInt8(ascii: "}"), at: end) { end += 1 }
            guard end + 1 < bytes.count else { throw Failure(message: "unclosed '{{' in the body template") }
            let name = String(decoding: bytes[(index + 2)..<end], as: UTF8.self)
            if name == "projectId" {
                try visit(.projectID)
            } else if name == "publicScheme" && publicAllowed {
                try visit(.publicScheme)
            } else if name == "otherScheme" && publicAllowed {
                try visit(.otherScheme)
            } else if name == "publicAuthority" && publicAllowed {
                try visit(.publicAuthority)
            } else if name.hasPrefix("fill:"), name.count <= 14, let count = Int(name.dropFirst(5)), count >= 0,
                count <= maximumFill
            {
                try visit(.fill(count))
            } else {
                let known =
                    "{{projectId}}, {{fill:N}}"
                    + (publicAllowed ? ", {{publicScheme}}, {{otherScheme}}, {{publicAuthority}}" : "")
                throw Failure(message: "unknown placeholder '{{\(name)}}' (known here: \(known))")
            }
            index = end + 2
            literalStart = index
        }
        if literalStart < bytes.count { try visit(.literal(literalStart..<bytes.count)) }
    }

    /// Replaces `{{projectId}}` with the projectId and `{{fill:N}}` with N bytes of `x`; with a public URL, also
    /// `{{publicScheme}}` and `{{publicAuthority}}` (host and port as configured) — for headers a proxy in front of
    /// that URL would send — and `{{otherScheme}}` (`https` for an http URL, `http` for an https one), for a client
    /// claiming the scheme the receiver is not reached by.
    /// - Parameters:
    ///   - text: The template text.
    ///   - projectID: The receiver's projectId.
    ///   - publicURL: The URL configured in PushPushGo, where the public placeholders are allowed.
    /// - Returns: The text's bytes with the placeholders expanded.
    /// - Throws: `Failure` for an unknown placeholder, a bad count, or a text past `CorpusLimits.maximumVectorBytes`.
    public static func expand(_ text: String, projectID: String, publicURL: RawURL? = nil) throws(Failure) -> [UInt8] {
        let bytes = Array(text.utf8)
        // Measured before made: a template past the bound is refused before a byte of it is written.
        let length = try expandedLength(text, projectIDLength: projectID.utf8.count, publicAllowed: publicURL != nil)
        guard length <= CorpusLimits.maximumVectorBytes else { throw tooLong }
        var out: [UInt8] = []
        out.reserveCapacity(length)
        try scan(bytes, publicAllowed: publicURL != nil) { piece throws(Failure) in
            switch piece {
            case .literal(let range): out += bytes[range]
            case .projectID: out += projectID.utf8
            case .publicScheme: out += (publicURL?.scheme ?? "").utf8
            case .otherScheme: out += (publicURL?.otherScheme ?? "https").utf8
            case .publicAuthority: out += (publicURL?.authority ?? "").utf8
            case .fill(let count):
                guard out.count + count <= CorpusLimits.maximumVectorBytes else { throw tooLong }
                // An array of the run, not `repeatElement`: appended element by element, a large fill was most of
                // the time a corpus took to materialise in a debug build.
                out += [UInt8](repeating: UInt8(ascii: "x"), count: count)
            }
        }
        return out
    }

    static let tooLong = Failure(
        message: "the text expands past \(CorpusLimits.maximumVectorBytes) bytes, the most a vector may ask for")

    /// How many bytes `expand` would make of a template, without making them; checks the template as `expand` does.
    /// - Parameters:
    ///   - text: The template text.
    ///   - projectIDLength: The bytes a `{{projectId}}` stands for.
    ///   - publicAllowed: Whether `{{publicScheme}}`, `{{otherScheme}}` and `{{publicAuthority}}` are allowed (counted
    ///     as 300 bytes).
    /// - Returns: The expanded length, `Int.max` where it overflows.
    /// - Throws: `Failure` for an unknown placeholder or a bad count.
    public static func expandedLength(
        _ text: String, projectIDLength: Int, publicAllowed: Bool = false
    ) throws(Failure) -> Int {
        var total = 0
        try scan(Array(text.utf8), publicAllowed: publicAllowed) { piece in
            let size =
                switch piece {
                case .literal(let range): range.count
                case .projectID: projectIDLength
                case .publicScheme, .otherScheme, .publicAuthority: 300
                case .fill(let count): count
                }
            total = CorpusLimits.adding(total, size)
        }
        return total
    }
}
