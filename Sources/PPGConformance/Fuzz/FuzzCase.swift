import PPGSignature
import PPGVectors
import PPGWire

/// One generated delivery, kept in parts that the shrinker can simplify one at a time; `vector` renders it as a
/// receiver vector, so that a fuzz case goes through exactly the materialising, signing and judging every corpus
/// vector goes through, and a disagreement is written as a vector with no translation.
package struct FuzzCase: Sendable, Hashable {
    /// A JSON member's value.
    package enum Value: Sendable, Hashable {
        /// A string, written with its non-ASCII characters as they are or as `\uXXXX` escapes.
        case string(String, escaped: Bool)
        /// Any other value as its exact text: a number, `true`, `false`, `null`, an object or an array.
        case raw(String)
        /// A string of this many `x` (the `{{fill:N}}` placeholder), for bodies past a buffer size.
        case fill(Int)

        // Texts compare by their bytes, as the wire sends them: `é` and `e` with a combining accent are two cases
        // (String's own `==` would make them one), and hashing bytes skips the normalising that String's hash does.
        package static func == (left: Value, right: Value) -> Bool {
            switch (left, right) {
            case (.string(let one, let oneEscaped), .string(let other, let otherEscaped)):
                oneEscaped == otherEscaped && one.hasSameBytes(as: other)
            case (.raw(let one), .raw(let other)): one.hasSameBytes(as: other)
            case (.fill(let one), .fill(let other)): one == other
            default: false
            }
        }

        package func hash(into hasher: inout Hasher) {
            switch self {
            case .string(let text, let escaped):
                hasher.combine(0)
                hasher.combineBytes(of: text)
                hasher.combine(escaped)
            case .raw(let text):
                hasher.combine(1)
                hasher.combineBytes(of: text)
            case .fill(let count):
                hasher.combine(2)
                hasher.combine(count)
            }
        }
    }

    /// A body member.
    package struct Member: Sendable, Hashable {
        /// The name as decoded.
        package var name: String
        /// The value.
        package var value: Value

        package static func == (left: Member, right: Member) -> Bool {
            left.name.hasSameBytes(as: right.name) && left.value == right.value
        }

        package func hash(into hasher: inout Hasher) {
            hasher.combineBytes(of: name)
            hasher.combine(value)
        }
    }

    /// How the `X-PPG-Signature` header departs from a valid one (the corpus's kinds of tampering).
    package enum Signature: Sendable, Hashable {
        case valid, missing, empty, extend, uppercase, whitespace, prefix, otherEncoding
        case truncate(Int)
        case flip(Int)
        case otherKey
        /// Signed with the query changed (a token appended).
        case otherQuery
        /// Two fields, the valid one first or last.
        case duplicate(validFirst: Bool)
        /// Signed over the body with its last member's value changed.
        case otherBody
        /// Signed with the body's projectId (an attacker's) as the key.
        case bodyKey
        /// Signed for the configured origin with another path, and sent to that path.
        case forgedPath
        /// Signed for another origin, and sent in absolute-form naming it.
        case forgedAuthority
    }

    /// The body's members, in order.
    package var members: [Member]
    /// Spaces and newlines between the body's tokens.
    package var pretty = false
    /// A form body (`name=value&…`) instead of JSON.
    package var form = false
    /// The query's `&`-separated pieces; `[]` is a bare `?`, `nil` no query.
    package var query: [String]?
    /// The Content-Type; `nil` the default (JSON, or form for a form body), `""` none.
    package var contentType: String?
    /// Fields besides Content-Type and the signature.
    package var headers: [[String]] = []
    /// The method.
    package var method = "POST"
    /// Sent chunked.
    package var chunked = false
    /// A path variant (`TargetChange.pathForms`) the request is sent to.
    package var pathForm: String?
    /// The signature header.
    package var signature: Signature = .valid
    /// The signature header's name as sent.
    package var headerName = signatureHeaderName

    /// The Content-Type values that label JSON.
    static let jsonLabels = ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"]
    /// The projectId placeholder a body carries.
    static let projectID = "{{projectId}}"
    /// Where forged deliveries point.
    static let forgedPath = "/ppg/other"
    static let forgedHost = "attacker.example"
    /// The projectId of a body an attacker signs with its own key.
    static let attackerProjectID = "attacker-project-0001"

    /// The body as text, placeholders kept.
    package var bodyText: String {
        // Gathered as bytes and made a String once: it is written for every case, and joining Strings piece by
        // piece was a tenth of in-process fuzzing.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        if form {
            for (offset, member) in members.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: "&")) }
                Self.formEncode(member.name, to: &bytes)
                bytes.append(UInt8(ascii: "="))
                Self.formEncode(Self.plain(member.value), to: &bytes)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let (colon, comma, open, close) = pretty ? (": ", ",\n  ", "{\n  ", "\n}\n") : (":", ",", "{", "}")
        bytes += open.utf8
        for (offset, member) in members.enumerated() {
            if offset > 0 { bytes += comma.utf8 }
            JSONOutput.writeString(member.name, to: &bytes)
            bytes += colon.utf8
            switch member.value {
            case .string(let text, let escaped): JSONOutput.writeString(text, to: &bytes, asciiOnly: escaped)
            case .raw(let text): bytes += text.utf8
            case .fill(let count): bytes += "\"{{fill:\(count)}}\"".utf8
            }
        }
        bytes += close.utf8
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The case as a receiver vector with an expectation.
    package func vector(
        id: String, comment: String, flags: [String], expect: ExpectedVerdict, level: VectorLevel = .required
    ) -> ReceiverVector {
        var headerList: [[String]] = []
        switch contentType {
        case nil: headerList.append(["Content-Type", form ? "application/x-www-form-urlencoded" : "application/json"])
        case ""?: break
        case let label?: headerList.append(["Content-Type", label])
        }
        headerList += headers
        var request = RequestTemplate(
            method: method == "POST" ? nil : method, query: query?.joined(separator: "&"),
            headers: headerList == [["Content-Type", "application/json"]] ? nil : headerList,
            body: BodyTemplate(text: bodyText), chunked: chunked ? true : nil)
        if let pathForm {
            var change = TargetChange()
            change.path = pathForm
            request.target = change
        }
        switch signature {
        case .forgedPath:
            var change = TargetChange()
            change.path = Self.forgedPath
            request.target = change
        case .forgedAuthority:
            var change = TargetChange()
            change.absolute = "http://" + Self.forgedHost
            request.target = change
        default: break
        }
        var vector = ReceiverVector(
            id: id, comment: comment, flags: flags, level: level, request: request, signature: directive,
            expect: expect)
        // What an RFC lets a server answer to such a request before the handler, as the corpus's vectors allow it.
        var allowed: [Int] = chunked ? [411] : []
        if method != "POST" && method != "GET" { allowed.append(501) }
        if pathForm != nil { allowed += [400, 404, 405, 301, 302, 307, 308] }
        if signature == .forgedPath { allowed += [404, 405] }
        if signature == .forgedAuthority { allowed += [400, 404, 421] }
        // Written into the vector, so that a reader sees it; the runner allows it for any request alike.
        if let query = query?.joined(separator: "&") {
            for status in AllowedAnswers.requestLineRefusals(target: "/?" + query) where !allowed.contains(status) {
                allowed.append(status)
            }
        }
        if !allowed.isEmpty { vector.alsoAllowed = allowed }
        return vector
    }

    /// The signature directive, or `nil` for a valid signature under the default header name.
    var directive: SignatureDirective? {
        var directive: SignatureDirective
        switch signature {
        case .valid: directive = SignatureDirective(kind: .valid)
        case .missing: directive = SignatureDirective(kind: .missing)
        case .empty: directive = SignatureDirective(kind: .empty)
        case .uppercase: directive = SignatureDirective(kind: .uppercase)
        case .otherEncoding: directive = SignatureDirective(kind: .otherEncoding)
        case .extend:
            directive = SignatureDirective(kind: .extend)
            directive.value = "0"
        case .whitespace:
            directive = SignatureDirective(kind: .whitespace)
            directive.value = " "
        case .prefix:
            directive = SignatureDirective(kind: .prefix)
            directive.value = "sha1="
        case .truncate(let count):
            directive = SignatureDirective(kind: .truncate)
            directive.count = count
        case .flip(let index):
            directive = SignatureDirective(kind: .flip)
            directive.count = index
        case .otherKey:
            directive = SignatureDirective(kind: .otherKey)
            directive.value = "attacker-chosen-key"
        case .otherQuery:
            directive = SignatureDirective(kind: .otherURL)
            var change = URLChange()
            change.query = (query.map { $0.joined(separator: "&") + "&" } ?? "") + "token=forged"
            directive.url = change
        case .duplicate(let validFirst):
            directive = SignatureDirective(kind: .duplicate)
            directive.order = validFirst ? "valid-first" : "invalid-first"
        case .bodyKey:
            directive = SignatureDirective(kind: .bodyProjectId)
        case .forgedPath:
            directive = SignatureDirective(kind: .otherURL)
            var change = URLChange()
            change.path = Self.forgedPath
            directive.url = change
        case .forgedAuthority:
            directive = SignatureDirective(kind: .otherURL)
            var change = URLChange()
            change.scheme = "http"
            change.host = Self.forgedHost
            change.port = ""
            directive.url = change
        case .otherBody:
            directive = SignatureDirective(kind: .otherBody)
            var changed = self
            if let last = changed.members.indices.last {
                changed.members[last].value = .string("changed-after-signing", escaped: false)
            }
            directive.value = changed.bodyText
        }
        if headerName != signatureHeaderName { directive.header = headerName }
        if directive.kind == .valid && directive.header == nil { return nil }
        return directive
    }

    // MARK: Text

    static let upperHex = Array("0123456789ABCDEF".utf8)

    static func plain(_ value: Value) -> String {
        switch value {
        case .string(let text, _): text
        case .raw(let text): text
        case .fill(let count): "{{fill:\(count)}}"
        }
    }

    /// Percent-encodes all but unreserved characters (RFC 3986 §2.3), a space as `+`, appended to bytes.
    static func formEncode(_ text: String, to bytes: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ":"):
                bytes.append(byte)
            case UInt8(ascii: " "): bytes.append(UInt8(ascii: "+"))
            default: bytes += [UInt8(ascii: "%"), Self.upperHex[Int(byte >> 4)], Self.upperHex[Int(byte & 0x0F)]]
            }
        }
    }
}

extension Hasher {
    /// A text's UTF-8 bytes and their count: what the wire carries, without String's normalising.
    mutating func combineBytes(of text: String) {
        var text = text
        text.withUTF8 { combine(bytes: UnsafeRawBufferPointer($0)) }
        combine(text.utf8.count)
    }
}

extension String {
    /// Whether two texts are the same UTF-8 bytes. The shrinker compares every candidate with those already
    /// offered, member by member, and its candidates share the original's storage: one shared buffer is the same
    /// bytes without reading them (a byte-by-byte walk of the views was most of a shrink in a debug build).
    func hasSameBytes(as other: String) -> Bool {
        var one = self
        var two = other
        return one.withUTF8 { left in
            two.withUTF8 { right in
                guard left.count == right.count else { return false }
                if left.baseAddress == right.baseAddress { return true }
                for index in left.indices where left[index] != right[index] { return false }
                return true
            }
        }
    }
}
