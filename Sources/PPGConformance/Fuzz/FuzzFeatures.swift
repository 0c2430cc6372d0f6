import PPGSignature
import PPGVectors

/// What a fuzz case exercises: a set of feature names (`FuzzCase.knownFeatures`), held as bits of the catalogue's
/// indices. A case's features are computed for every delivery sent and counted on the run's main thread, so they are
/// numbers there; names are made only where they are printed or a disagreement's shape is kept.
package struct FuzzFeatures: Sendable, Hashable, Sequence {
    // Four words hold the catalogue's first 256 names (`catalogueFits` checks that it has no more); any past them
    // would be kept by name.
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Names outside the catalogue (a category no generated text draws, met while shrinking): rare, kept as text.
    private(set) var extra: Set<String> = []

    package init() {}

    /// A set of the named features.
    package init(_ names: some Sequence<String>) {
        for name in names { insert(name) }
    }

    /// Adds the feature at `index` of `FuzzCase.knownFeatures`.
    mutating func insert(index: Int) {
        guard index >= 0 else { return }
        guard index < 256 else {
            extra.insert(FuzzCase.knownFeatures[index])
            return
        }
        let bit = UInt64(1) << UInt64(index & 63)
        switch index >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    /// Adds a feature by its name.
    package mutating func insert(_ name: String) {
        if let index = Self.index[name] { insert(index: index) } else { extra.insert(name) }
    }

    /// Calls `body` with the catalogue index of each feature held as a bit, in the catalogue's order; the others
    /// are in `extra`.
    func forEachIndex(_ body: (Int) -> Void) {
        // Walked word by word without gathering them in an array: this runs for every delivery sent.
        for offset in 0..<4 {
            var remaining =
                switch offset {
                case 0: words.0
                case 1: words.1
                case 2: words.2
                default: words.3
                }
            while remaining != 0 {
                body(offset << 6 | remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
    }

    /// The names held.
    package var names: Set<String> {
        var out = extra
        forEachIndex { out.insert(FuzzCase.knownFeatures[$0]) }
        return out
    }

    package func makeIterator() -> Set<String>.Iterator { names.makeIterator() }

    package static func == (left: FuzzFeatures, right: FuzzFeatures) -> Bool {
        left.words == right.words && left.extra == right.extra
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
        hasher.combine(extra)
    }

    /// Each catalogue name's index.
    static let index: [String: Int] = Dictionary(
        FuzzCase.knownFeatures.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })

    /// Whether every catalogue name has a bit.
    static var catalogueFits: Bool { FuzzCase.knownFeatures.count <= 256 }
}

/// How many cases had each feature: counted by catalogue index on the run's main thread, named once at the end.
struct FeatureTally {
    private var counts = [Int](repeating: 0, count: FuzzCase.knownFeatures.count)
    private var extra: [String: Int] = [:]

    /// Counts one case's features.
    mutating func add(_ features: FuzzFeatures) {
        features.forEachIndex { counts[$0] += 1 }
        for name in features.extra { extra[name, default: 0] += 1 }
    }

    /// The counts by feature name, features never drawn left out.
    var named: [String: Int] {
        var out = extra
        for (index, count) in counts.enumerated() where count > 0 { out[FuzzCase.knownFeatures[index]] = count }
        return out
    }
}

/// What a text's characters are: which general categories and which ASCII controls it holds, its length in scalars,
/// and whether any scalar is outside ASCII. One pass over the text gives all of it.
struct CharacterKinds {
    /// Bit `FuzzCase.categoryIndex(c)` for each category `c` met outside the controls.
    var categories: UInt32 = 0
    /// Bit n for U+000n … U+001F, bit 32 for DEL.
    var controls: UInt64 = 0
    /// Categories Swift adds after this was written, by name.
    var unknownCategories: Set<String> = []
    var scalars = 0
    var nonASCII = false

    init(_ text: String) {
        for scalar in text.unicodeScalars {
            scalars += 1
            switch scalar.value {
            case 0..<0x20: controls |= 1 << UInt64(scalar.value)
            case 0x7F: controls |= 1 << 32
            case 0x20..<0x7F: categories |= 1 << UInt32(FuzzCase.asciiCategory[Int(scalar.value)])
            default:
                nonASCII = true
                let category = scalar.properties.generalCategory
                if let index = FuzzCase.categoryIndex(category) {
                    categories |= 1 << UInt32(index)
                } else {
                    unknownCategories.insert("\(category)")
                }
            }
        }
    }

    /// Calls `control` with each ASCII control's bit (0–31, 32 for DEL), then `category` with each category's
    /// index in `FuzzCase.categoryNames`.
    func forEachKind(control: (Int) -> Void, category: (Int) -> Void) {
        var remaining = controls
        while remaining != 0 {
            control(remaining.trailingZeroBitCount)
            remaining &= remaining - 1
        }
        var categoryBits = categories
        while categoryBits != 0 {
            category(categoryBits.trailingZeroBitCount)
            categoryBits &= categoryBits - 1
        }
    }

    /// The feature name of a control, by its bit, in `part` (`name` or `value`).
    static func controlName(_ bit: Int, as part: String) -> String {
        part + ":control-U+" + FuzzCase.hex4(bit == 32 ? 0x7F : UInt32(bit))
    }

    /// The feature name of a general category, by its index, in `part`.
    static func categoryName(_ index: Int, as part: String) -> String {
        part + ":" + FuzzCase.categoryNames[index]
    }

    /// The feature names of these kinds of character in `part` (`name` or `value`).
    func names(as part: String) -> [String] {
        var out: [String] = []
        forEachKind(
            control: { out.append(Self.controlName($0, as: part)) },
            category: { out.append(Self.categoryName($0, as: part)) })
        return out + unknownCategories.map { part + ":" + $0 }
    }
}

/// What a fuzz case exercises, as features: how often each is drawn shows a run's breadth (`fuzz --json`), and a
/// shrunk disagreement's features tell a later case of the same disagreement from a new one.
extension FuzzCase {
    /// The features of this case.
    package var features: FuzzFeatures {
        let known = Self.featureIndices
        var out = FuzzFeatures()
        out.insert("signature:" + Self.label(signature))
        if form { out.insert(index: known.bodyForm) }
        if pretty { out.insert(index: known.bodyPretty) }
        if members.count > 15 { out.insert(index: known.manyMembers) }
        if members.count == 1 { out.insert(index: known.projectIDOnly) }
        if members.first?.name != "projectId" { out.insert(index: known.projectIDNotFirst) }
        if Self.hasDuplicateName(members) { out.insert(index: known.duplicateName) }
        for member in members {
            Self.characters(of: CharacterKinds(member.name), as: known.name, into: &out)
            switch member.value {
            case .string(let text, let escaped):
                if text.isEmpty { out.insert(index: known.emptyString) }
                let kinds = CharacterKinds(text)
                if kinds.scalars > 100 { out.insert(index: known.longString) }
                if escaped && kinds.nonASCII { out.insert(index: known.escapedString) }
                if member.name != "projectId" { Self.characters(of: kinds, as: known.value, into: &out) }
            case .raw(let text):
                switch text.first {
                case "{": out.insert(index: known.object)
                case "[": out.insert(index: known.array)
                case "t", "f", "n": out.insert(index: known.literal)
                default: out.insert(index: known.number)
                }
            case .fill: out.insert(index: known.fill)
            }
        }
        switch query {
        case nil: out.insert(index: known.queryNone)
        case []?: out.insert(index: known.queryBare)
        case let pieces?: for piece in pieces { out.insert("query:" + piece) }
        }
        switch contentType {
        case nil: out.insert(index: known.contentTypeDefault)
        case ""?: out.insert(index: known.contentTypeNone)
        case let label?: out.insert("content-type:" + label)
        }
        for header in headers { if let name = header.first { out.insert("header:" + name) } }
        if headerName != signatureHeaderName { out.insert("signature-name:" + headerName) }
        if method == "POST" { out.insert(index: known.post) } else { out.insert("method:" + method) }
        if chunked { out.insert(index: known.chunked) }
        if let pathForm { out.insert("target:" + pathForm) }
        return out
    }

    /// Whether two members' names are the same bytes, as a JSON parser compares them (String's `==` would normalise).
    static func hasDuplicateName(_ members: [Member]) -> Bool {
        guard members.count <= 32 else {
            return Set(members.map { Array($0.name.utf8) }).count < members.count
        }
        for (offset, member) in members.enumerated() {
            for other in members[(offset + 1)...] where member.name.utf8.elementsEqual(other.name.utf8) {
                return true
            }
        }
        return false
    }

    /// Each general category and ASCII control of a text, as features of `part`.
    static func characters(of kinds: CharacterKinds, as part: PartIndices, into out: inout FuzzFeatures) {
        kinds.forEachKind(
            control: { bit in
                if let index = part.controls[bit] {
                    out.insert(index: index)
                } else {
                    out.insert(CharacterKinds.controlName(bit, as: part.name))
                }
            },
            category: { bit in
                if let index = part.categories[bit] {
                    out.insert(index: index)
                } else {
                    out.insert(CharacterKinds.categoryName(bit, as: part.name))
                }
            })
        for category in kinds.unknownCategories { out.insert(part.name + ":" + category) }
    }

    /// Each general category and ASCII control of a text, as the names of features of `part` (`name` or `value`).
    static func characters(of text: String, as part: String, into out: inout Set<String>) {
        out.formUnion(CharacterKinds(text).names(as: part))
    }

    /// The catalogue indices a case's features are set by, looked up once.
    struct FeatureIndices {
        var bodyForm, bodyPretty, manyMembers, projectIDOnly, projectIDNotFirst, duplicateName: Int
        var emptyString, longString, escapedString, object, array, literal, number, fill: Int
        var queryNone, queryBare, contentTypeDefault, contentTypeNone, post, chunked: Int
        var name, value: PartIndices
    }

    /// A text part's feature indices by category bit and by control bit; `nil` for one the catalogue does not
    /// list (no generated text draws it), which is then kept by name.
    struct PartIndices {
        var name: String
        var categories: [Int?]
        var controls: [Int?]
    }

    static let featureIndices = FeatureIndices(
        bodyForm: index("body:form"), bodyPretty: index("body:pretty"), manyMembers: index("body:many-members"),
        projectIDOnly: index("body:projectId-only"), projectIDNotFirst: index("body:projectId-not-first"),
        duplicateName: index("body:duplicate-name"), emptyString: index("json:empty-string"),
        longString: index("json:long-string"), escapedString: index("json:escaped-string"),
        object: index("json:object"), array: index("json:array"), literal: index("json:literal"),
        number: index("json:number"), fill: index("json:fill"), queryNone: index("query:none"),
        queryBare: index("query:bare"), contentTypeDefault: index("content-type:default"),
        contentTypeNone: index("content-type:none"), post: index("method:POST"), chunked: index("chunked"),
        name: partIndices("name"), value: partIndices("value"))

    /// A catalogue name's index. Every name asked for here is one `knownFeatures` lists word for word
    /// (`featureIndicesAreCatalogued` checks it); -1, which `FuzzFeatures.insert(index:)` ignores, never occurs.
    static func index(_ name: String) -> Int { FuzzFeatures.index[name] ?? -1 }

    static func partIndices(_ part: String) -> PartIndices {
        PartIndices(
            name: part,
            categories: categoryNames.indices.map { FuzzFeatures.index[CharacterKinds.categoryName($0, as: part)] },
            controls: (0...32).map { FuzzFeatures.index[CharacterKinds.controlName($0, as: part)] })
    }

    /// Every feature the generator can draw: the denominator of a run's breadth, and the catalogue whose indices
    /// `FuzzFeatures` holds.
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

    /// For each printable ASCII character, its general category's index (`categoryIndex`).
    static let asciiCategory: [UInt8] = (0..<0x80).map { value in
        guard (0x20..<0x7F).contains(value), let scalar = Unicode.Scalar(UInt32(value)) else { return 0 }
        return UInt8(categoryIndex(scalar.properties.generalCategory) ?? 0)
    }

    /// The general categories' names as Swift spells their cases, by `categoryIndex`.
    static let categoryNames = [
        "uppercaseLetter", "lowercaseLetter", "titlecaseLetter", "modifierLetter", "otherLetter", "nonspacingMark",
        "spacingMark", "enclosingMark", "decimalNumber", "letterNumber", "otherNumber", "connectorPunctuation",
        "dashPunctuation", "openPunctuation", "closePunctuation", "initialPunctuation", "finalPunctuation",
        "otherPunctuation", "mathSymbol", "currencySymbol", "modifierSymbol", "otherSymbol", "spaceSeparator",
        "lineSeparator", "paragraphSeparator", "control", "format", "surrogate", "privateUse", "unassigned",
    ]

    /// A general category's place in `categoryNames`, without reflection (which costs more than the rest of a case's
    /// features together); `nil` for a category Swift adds later.
    static func categoryIndex(_ category: Unicode.GeneralCategory) -> Int? {
        switch category {
        case .uppercaseLetter: 0
        case .lowercaseLetter: 1
        case .titlecaseLetter: 2
        case .modifierLetter: 3
        case .otherLetter: 4
        case .nonspacingMark: 5
        case .spacingMark: 6
        case .enclosingMark: 7
        case .decimalNumber: 8
        case .letterNumber: 9
        case .otherNumber: 10
        case .connectorPunctuation: 11
        case .dashPunctuation: 12
        case .openPunctuation: 13
        case .closePunctuation: 14
        case .initialPunctuation: 15
        case .finalPunctuation: 16
        case .otherPunctuation: 17
        case .mathSymbol: 18
        case .currencySymbol: 19
        case .modifierSymbol: 20
        case .otherSymbol: 21
        case .spaceSeparator: 22
        case .lineSeparator: 23
        case .paragraphSeparator: 24
        case .control: 25
        case .format: 26
        case .surrogate: 27
        case .privateUse: 28
        case .unassigned: 29
        @unknown default: nil
        }
    }

    /// A general category's name as Swift spells its case.
    package static func name(of category: Unicode.GeneralCategory) -> String {
        categoryIndex(category).map { categoryNames[$0] } ?? "\(category)"
    }

    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
