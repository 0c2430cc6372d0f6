/// Text from a peer or a user made safe for one line of a terminal or a log: bytes outside printable ASCII
/// (control characters, ESC sequences, line breaks, invalid UTF-8) become `\xNN`, and a backslash `\\`, so a
/// hostile value can neither break a line nor drive the terminal.
public enum PrintableText {
    /// The bytes as one printable line, cut at `limit` bytes with `…`.
    /// - Parameters:
    ///   - bytes: The bytes.
    ///   - limit: The most bytes shown.
    /// - Returns: Printable ASCII.
    public static func escape(_ bytes: some Collection<UInt8>, limit: Int = 200) -> String {
        var text = ""
        for byte in bytes.prefix(limit) {
            switch byte {
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20...0x7E: text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789abcdef".unicodeScalars)
                text += "\\x"
                text.unicodeScalars.append(digits[Int(byte >> 4)])
                text.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return bytes.count > limit ? text + "…" : text
    }

    /// A string as one printable line (its UTF-8 bytes, escaped as `escape(_:limit:)` does).
    /// - Parameters:
    ///   - string: The string.
    ///   - limit: The most bytes shown.
    /// - Returns: Printable ASCII.
    public static func escape(_ string: String, limit: Int = 200) -> String {
        escape(Array(string.utf8), limit: limit)
    }

    /// A string kept on one line for a terminal or a log: control characters (C0, DEL, C1 — line breaks, tabs,
    /// ESC) become `\u{…}`, everything else, non-ASCII text included, stays as it is.
    /// - Parameter string: The string.
    /// - Returns: The string with no control character.
    public static func line(_ string: String) -> String {
        var text = ""
        for scalar in string.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                text += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// Text made safe for a terminal as a whole, the last step before anything is written to one: line breaks
    /// and tabs stay, and so do SGR colour sequences (`ESC [ digits ; … m`, which only colour text); every other
    /// control character — ESC starting any other sequence (cursor moves, OSC titles and clipboard writes), BEL,
    /// CR, C1 controls — becomes `\u{…}`, so no text from a peer or a file can drive the terminal.
    /// - Parameter text: The text, possibly of several lines.
    /// - Returns: The text with no control character but line breaks, tabs and colour.
    public static func terminal(_ text: String) -> String {
        // Most text has no control character at all: it is returned as it is, without a copy (a 50 MiB body
        // printed by `detect` must not cost a scalar array). C1 controls are 0xC2 0x80–0x9F in UTF-8.
        var previous: UInt8 = 0
        let clean = text.utf8.allSatisfy { byte in
            defer { previous = byte }
            if byte < 0x20 { return byte == 0x0A || byte == 0x09 }
            if byte == 0x7F { return false }
            return !(previous == 0xC2 && (0x80...0x9F).contains(byte))
        }
        if clean { return text }
        let scalars = Array(text.unicodeScalars)
        var out = ""
        out.unicodeScalars.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\u{1B}", let end = sgrEnd(scalars, from: index) {
                out.unicodeScalars.append(contentsOf: scalars[index..<end])
                index = end
                continue
            }
            if scalar == "\n" || scalar == "\t" || !(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
            index += 1
        }
        return out
    }

    /// The index after an SGR sequence starting at `start` (`ESC [`, digits and `;`, then `m`), or `nil`.
    private static func sgrEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 2 < scalars.count, scalars[start + 1] == "[" else { return nil }
        var index = start + 2
        while index < scalars.count, index - start < 24 {
            let scalar = scalars[index]
            if scalar == "m" { return index + 1 }
            guard ("0"..."9").contains(scalar) || scalar == ";" else { return nil }
            index += 1
        }
        return nil
    }
}
