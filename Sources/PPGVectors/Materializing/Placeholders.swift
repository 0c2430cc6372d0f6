/// The placeholders a receiver vector's text may hold.
import PPGWire

public enum Placeholders {
    /// An unknown or malformed placeholder.
    public struct Failure: Error, Sendable {
        /// One line for a person.
        public var message: String
    }

    /// The largest `{{fill:N}}`, so that a vector cannot ask for gigabytes.
    public static let maximumFill = 16 << 20

    /// Replaces `{{projectId}}` with the projectId and `{{fill:N}}` with N bytes of `x`; with a public URL, also
    /// `{{publicScheme}}` and `{{publicAuthority}}` (host and port as configured) — for headers a proxy in front of
    /// that URL would send.
    /// - Parameters:
    ///   - text: The template text.
    ///   - projectID: The receiver's projectId.
    ///   - publicURL: The URL configured in PushPushGo, where the public placeholders are allowed.
    /// - Returns: The text's bytes with the placeholders expanded.
    /// - Throws: `Failure` for an unknown placeholder or a bad count.
    public static func expand(_ text: String, projectID: String, publicURL: RawURL? = nil) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        out.reserveCapacity(bytes.count)
        var index = 0
        let open = Array("{{".utf8)
        let close = Array("}}".utf8)
        while index < bytes.count {
            guard bytes[index...].starts(with: open) else {
                out.append(bytes[index])
                index += 1
                continue
            }
            var end = index + 2
            while end + 1 < bytes.count && !bytes[end...].starts(with: close) { end += 1 }
            guard end + 1 < bytes.count else { throw Failure(message: "unclosed '{{' in the body template") }
            let name = String(decoding: bytes[(index + 2)..<end], as: UTF8.self)
            if name == "projectId" {
                out += projectID.utf8
            } else if name == "publicScheme", let publicURL {
                out += publicURL.scheme.utf8
            } else if name == "publicAuthority", let publicURL {
                out += publicURL.authority.utf8
            } else if name.hasPrefix("fill:"), let count = Int(name.dropFirst(5)), count >= 0, count <= maximumFill {
                out += [UInt8](repeating: UInt8(ascii: "x"), count: count)
            } else {
                let known =
                    "{{projectId}}, {{fill:N}}" + (publicURL == nil ? "" : ", {{publicScheme}}, {{publicAuthority}}")
                throw Failure(message: "unknown placeholder '{{\(name)}}' (known here: \(known))")
            }
            index = end + 2
        }
        return out
    }
}
