import PPGSignature
import PPGVectors

/// Simpler variants of a fuzz case, simplest change first: fewer fields and members, no query unless needed,
/// shorter values, plainer characters. The fuzzer keeps the first variant that still disagrees and starts again.
package enum FuzzShrinker {
    package static func simpler(_ original: FuzzCase) -> [FuzzCase] {
        var out: [FuzzCase] = []
        var offered: Set<FuzzCase> = [original]
        // About as many candidates as below, so that the set is not rehashed while it fills.
        offered.reserveCapacity(16 + original.headers.count + (original.query?.count ?? 0) + 8 * original.members.count)
        func with(_ change: (inout FuzzCase) -> Void) {
            var copy = original
            change(&copy)
            if offered.insert(copy).inserted { out.append(copy) }
        }
        with { $0.headers = [] }
        for index in original.headers.indices { with { $0.headers.remove(at: index) } }
        with { $0.pathForm = nil }
        with { $0.chunked = false }
        with { $0.method = "POST" }
        with { $0.contentType = nil }
        with { $0.pretty = false }
        with { $0.headerName = signatureHeaderName }
        with { $0.form = false }
        with { $0.query = nil }
        if let query = original.query {
            for index in query.indices { with { $0.query?.remove(at: index) } }
        }
        // A valid signature: kept when the disagreement does not need the tampering (a 5xx on any large body).
        if original.signature != .valid { with { $0.signature = .valid } }
        switch original.signature {
        case .truncate(let count) where count > 0: with { $0.signature = .truncate(0) }
        case .flip(let index) where index > 0: with { $0.signature = .flip(0) }
        default: break
        }
        let isProjectID = { (member: FuzzCase.Member) in member.name == "projectId" }
        for index in original.members.indices.reversed() where !isProjectID(original.members[index]) {
            with { $0.members.remove(at: index) }
        }
        // The projectId first: a reader sees the other members where they matter.
        if let position = original.members.firstIndex(where: isProjectID), position > 0 {
            with { $0.members.insert($0.members.remove(at: position), at: 0) }
        }
        for index in original.members.indices where !isProjectID(original.members[index]) {
            let member = original.members[index]
            switch member.value {
            case .string(let text, let escaped):
                if escaped { with { $0.members[index].value = .string(text, escaped: false) } }
                // An empty value is a feature of its own: "a" is the plainer value when the empty one is not needed.
                if text.isEmpty { with { $0.members[index].value = .string("a", escaped: false) } }
                if text.unicodeScalars.count > 1 {
                    let half = String(
                        String.UnicodeScalarView(text.unicodeScalars.prefix(text.unicodeScalars.count / 2)))
                    with { $0.members[index].value = .string(half, escaped: escaped) }
                }
                for plain in plainer(text) { with { $0.members[index].value = .string(plain, escaped: escaped) } }
            case .fill(let count):
                with { $0.members[index].value = .string("x", escaped: false) }
                if count > 33_000 { with { $0.members[index].value = .fill(33_000) } }
            case .raw(let text):
                if text != "1" { with { $0.members[index].value = .raw("1") } }
                with { $0.members[index].value = .string("a", escaped: false) }
            }
            let name = member.name
            if name.unicodeScalars.count > 1 {
                let half = String(String.UnicodeScalarView(name.unicodeScalars.prefix(name.unicodeScalars.count / 2)))
                with { $0.members[index].name = half }
            }
            // A fresh plain name: where a bug needs many distinct names, each can still become ASCII.
            let fresh = "k\(index)"
            if !name.unicodeScalars.allSatisfy(isPlain), !original.members.contains(where: { $0.name == fresh }) {
                with { $0.members[index].name = fresh }
            }
            for plain in plainer(name) { with { $0.members[index].name = plain } }
        }
        return out
    }

    /// The text with its characters made plainer, one character class at a time: each non-ASCII or
    /// non-alphanumeric scalar replaced by `a`, then every scalar.
    static func plainer(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var out: [String] = []
        // Every such scalar at once first: one step to a name or value of ASCII letters when the bug allows it.
        if scalars.filter({ !isPlain($0) }).count > 1 {
            out.append(String(String.UnicodeScalarView(scalars.map { isPlain($0) ? $0 : "a" })))
        }
        for (index, scalar) in scalars.enumerated() where !isPlain(scalar) {
            var copy = scalars
            copy[index] = "a"
            out.append(String(String.UnicodeScalarView(copy)))
        }
        return out
    }

    static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// The corpus flags that name what a shrunk case exercises, where the manifest has them.
    static func flags(of fuzzCase: FuzzCase, in manifest: Manifest) -> [String] {
        var flags: [String] = []
        switch fuzzCase.signature {
        case .valid: break
        case .missing: flags.append("MissingHeader")
        case .empty: flags.append("EmptyHeader")
        case .extend: flags.append("Extended")
        case .uppercase: flags.append("HexCase")
        case .whitespace: flags.append("Whitespace")
        case .prefix: flags.append("Prefix")
        case .otherEncoding: flags.append("WrongEncoding")
        case .truncate: flags.append("Truncated")
        case .flip: flags.append("BitFlip")
        case .otherKey: flags.append("WrongKey")
        case .otherQuery: flags.append("WrongUrl")
        case .duplicate: flags.append("DuplicateHeader")
        case .otherBody: flags.append("Tampering")
        case .bodyKey: flags.append("KeyFromBody")
        case .forgedPath: flags.append("RequestTarget")
        case .forgedAuthority: flags.append("AbsoluteForm")
        }
        let names = fuzzCase.members.map(\.name)
        if Set(names).count < names.count { flags.append("DuplicateMember") }
        if names.contains(where: { $0.unicodeScalars.contains { $0.value >= 0x80 } }) { flags.append("Unicode") }
        if fuzzCase.members.contains(where: { if case .raw = $0.value { true } else { false } }) {
            flags.append("NonStringMember")
        }
        if fuzzCase.members.contains(where: { if case .string(_, true) = $0.value { true } else { false } }) {
            flags.append("Escapes")
        }
        if fuzzCase.members.contains(where: { if case .fill = $0.value { true } else { false } }) {
            flags.append("LargeValue")
        }
        if fuzzCase.query != nil { flags.append("QueryEncoding") }
        if fuzzCase.form { flags.append("FormBody") }
        if fuzzCase.contentType != nil { flags.append("ContentType") }
        if fuzzCase.headerName != signatureHeaderName { flags.append("HeaderCase") }
        if fuzzCase.chunked { flags.append("Chunked") }
        if fuzzCase.method != "POST" { flags.append("Method") }
        if fuzzCase.pathForm != nil { flags.append("FailOpenPath") }
        if !fuzzCase.headers.isEmpty { flags.append("ForwardedHeaders") }
        return flags.filter { manifest.notes[$0] != nil }
    }
}
