import PPGSignature
import PPGVectors

/// What a fuzz case exercises, as names: how often each is drawn shows a run's breadth (`fuzz --json`), and a
/// shrunk disagreement's features tell a later case of the same disagreement from a new one.
extension FuzzCase {
    /// The features of this case.
    package var features: Set<String> {
        var out: Set<String> = ["signature:" + Self.label(signature)]
        if form { out.insert("body:form") }
        if pretty { out.insert("body:pretty") }
        if members.count > 15 { out.insert("body:many-members") }
        if members.count == 1 { out.insert("body:projectId-only") }
        if members.first?.name != "projectId" { out.insert("body:projectId-not-first") }
        // By bytes, as a JSON parser compares names: String's own hashing would normalise every name first.
        if Set(members.map { Array($0.name.utf8) }).count < members.count { out.insert("body:duplicate-name") }
        for member in members {
            Self.characters(of: member.name, as: "name", into: &out)
            switch member.value {
            case .string(let text, let escaped):
                if text.isEmpty { out.insert("json:empty-string") }
                if text.unicodeScalars.count > 100 { out.insert("json:long-string") }
                if escaped && text.unicodeScalars.contains(where: { $0.value > 0x7F }) {
                    out.insert("json:escaped-string")
                }
                if member.name != "projectId" { Self.characters(of: text, as: "value", into: &out) }
            case .raw(let text):
                switch text.first {
                case "{": out.insert("json:object")
                case "[": out.insert("json:array")
                case "t", "f", "n": out.insert("json:literal")
                default: out.insert("json:number")
                }
            case .fill: out.insert("json:fill")
            }
        }
        switch query {
        case nil: out.insert("query:none")
        case []?: out.insert("query:bare")
        case let pieces?: for piece in pieces { out.insert("query:" + piece) }
        }
        switch contentType {
        case nil: out.insert("content-type:default")
        case ""?: out.insert("content-type:none")
        case let label?: out.insert("content-type:" + label)
        }
        for header in headers { if let name = header.first { out.insert("header:" + name) } }
        if headerName != signatureHeaderName { out.insert("signature-name:" + headerName) }
        out.insert("method:" + method)
        if chunked { out.insert("chunked") }
        if let pathForm { out.insert("target:" + pathForm) }
        return out
    }

    /// Every feature the generator can draw: the denominator of a run's breadth.
    package static let knownFeatures: [String] = {
        var out: [String] = []
        let signatures: [Signature] = [
            .valid, .missing, .empty, .extend, .uppercase, .whitespace, .prefix, .otherEncoding, .truncate(0),
            .flip(0), .otherKey, .otherQuery, .duplicate(validFirst: true), .duplicate(validFirst: false),
            .otherBody, .bodyKey, .forgedPath, .forgedAuthority,
        ]
        out += signatures.map { "signature:" + label($0) }
        out += [
            "body:form", "body:pretty", "body:many-members", "body:projectId-only", "body:projectId-not-first",
            "body:duplicate-name", "json:empty-string", "json:long-string", "json:escaped-string", "json:object",
            "json:array", "json:literal", "json:number", "json:fill",
        ]
        var drawn: Set<String> = []
        for scalar in FuzzGenerator.characterClasses.joined() {
            characters(of: String(scalar), as: "value", into: &drawn)
            characters(of: String(scalar), as: "name", into: &drawn)
        }
        out += drawn.sorted()
        out += ["query:none", "query:bare"] + FuzzGenerator.queryPieces.map { "query:" + $0 }
        out +=
            ["content-type:default", "content-type:none"]
            + FuzzGenerator.contentTypes.filter { !$0.isEmpty }.map { "content-type:" + $0 }
        out += FuzzGenerator.inputHeaders.compactMap { $0.first.map { "header:" + $0 } }
        out += FuzzGenerator.signatureNames.map { "signature-name:" + $0 }
        out += (["POST"] + FuzzGenerator.methods).map { "method:" + $0 }
        out += ["chunked"] + TargetChange.pathForms.map { "target:" + $0 }
        return out
    }()

    /// A tampering form's name, without its parameters.
    static func label(_ signature: Signature) -> String {
        switch signature {
        case .valid: "valid"
        case .missing: "missing"
        case .empty: "empty"
        case .extend: "extend"
        case .uppercase: "uppercase"
        case .whitespace: "whitespace"
        case .prefix: "prefix"
        case .otherEncoding: "other-encoding"
        case .truncate: "truncate"
        case .flip: "flip"
        case .otherKey: "other-key"
        case .otherQuery: "other-query"
        case .duplicate(let validFirst): validFirst ? "duplicate-valid-first" : "duplicate-valid-last"
        case .otherBody: "other-body"
        case .bodyKey: "body-key"
        case .forgedPath: "forged-path"
        case .forgedAuthority: "forged-authority"
        }
    }

    /// Each Unicode general category in a text, and each ASCII control by its code point.
    static func characters(of text: String, as part: String, into out: inout Set<String>) {
        // Gathered first, named once each: a long value repeats a few of them many times. ASCII, most of any text,
        // is looked up in a table instead of Unicode's properties.
        var ascii: UInt16 = 0
        var categories: Set<Unicode.GeneralCategory> = []
        var controls: UInt64 = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x20: controls |= 1 << UInt64(scalar.value)
            case 0x7F: controls |= 1 << 32
            case 0x20..<0x7F: ascii |= 1 << UInt16(asciiCategory.index[Int(scalar.value)])
            default: categories.insert(scalar.properties.generalCategory)
            }
        }
        for (bit, category) in asciiCategory.categories.enumerated() where ascii & (1 << UInt16(bit)) != 0 {
            categories.insert(category)
        }
        var remaining = controls
        while remaining != 0 {
            let bit = UInt32(remaining.trailingZeroBitCount)
            remaining &= remaining - 1
            out.insert(part + ":control-U+" + hex4(bit == 32 ? 0x7F : bit))
        }
        for category in categories { out.insert(part + ":" + name(of: category)) }
    }

    /// The general categories of printable ASCII, and for each of its characters the index of its own.
    static let asciiCategory: (categories: [Unicode.GeneralCategory], index: [UInt8]) = {
        var categories: [Unicode.GeneralCategory] = []
        var index = [UInt8](repeating: 0, count: 0x80)
        for value in 0x20..<0x7F {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let category = scalar.properties.generalCategory
            if !categories.contains(category) { categories.append(category) }
            index[value] = UInt8(categories.firstIndex(of: category) ?? 0)
        }
        return (categories, index)
    }()

    /// A general category's name as Swift spells its case, without reflection (which costs more than the rest of
    /// a case's features together).
    package static func name(of category: Unicode.GeneralCategory) -> String {
        switch category {
        case .uppercaseLetter: "uppercaseLetter"
        case .lowercaseLetter: "lowercaseLetter"
        case .titlecaseLetter: "titlecaseLetter"
        case .modifierLetter: "modifierLetter"
        case .otherLetter: "otherLetter"
        case .nonspacingMark: "nonspacingMark"
        case .spacingMark: "spacingMark"
        case .enclosingMark: "enclosingMark"
        case .decimalNumber: "decimalNumber"
        case .letterNumber: "letterNumber"
        case .otherNumber: "otherNumber"
        case .connectorPunctuation: "connectorPunctuation"
        case .dashPunctuation: "dashPunctuation"
        case .openPunctuation: "openPunctuation"
        case .closePunctuation: "closePunctuation"
        case .initialPunctuation: "initialPunctuation"
        case .finalPunctuation: "finalPunctuation"
        case .otherPunctuation: "otherPunctuation"
        case .mathSymbol: "mathSymbol"
        case .currencySymbol: "currencySymbol"
        case .modifierSymbol: "modifierSymbol"
        case .otherSymbol: "otherSymbol"
        case .spaceSeparator: "spaceSeparator"
        case .lineSeparator: "lineSeparator"
        case .paragraphSeparator: "paragraphSeparator"
        case .control: "control"
        case .format: "format"
        case .surrogate: "surrogate"
        case .privateUse: "privateUse"
        case .unassigned: "unassigned"

        @unknown default: "\(category)"
        }
    }

    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
