import PPGHTTP

/// Text from outside (a receiver's answer, a request, a report file) in HTML: escaped, never rendered. Control
/// characters but line breaks and tabs are made visible first, so nothing can hide in the page either.
package enum HTMLText {
    /// Text for an element's content or a quoted attribute value.
    /// - Parameter text: The text.
    /// - Returns: `&`, `<`, `>`, `"` and `'` as entities; controls as `\u{…}`.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A value for an `id` attribute (and its `#` link): HTML ids may hold anything but white space, so white
    /// space and controls become `_`, then the result is escaped as an attribute.
    /// - Parameter text: The id, e.g. a vector id `headers/missing`.
    /// - Returns: The attribute value.
    package static func identifier(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += "_"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return escape(out.isEmpty ? "_" : out)
    }

    /// A fragment link to an id: the id percent-encoded where a URL needs it.
    /// - Parameter text: The id as given to `identifier`.
    /// - Returns: `#…`, escaped for an `href` attribute.
    package static func link(_ text: String) -> String {
        var out = "#"
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/".utf8)
        for byte in text.utf8 {
            if allowed.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte <= 0x20 || byte == 0x7F {
                out += "_"
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return escape(out)
    }
}
