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
}
