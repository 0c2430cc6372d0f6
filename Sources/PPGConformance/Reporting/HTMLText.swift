import PPGHTTP
import PPGWire

/// Text from outside (a receiver's answer, a request, a report file) in HTML: escaped, never rendered. Control
/// characters but line breaks and tabs are made visible first, so nothing can hide in the page either.
package enum HTMLText {
    /// Text for an element's content or a quoted attribute value.
    /// - Parameter text: The text.
    /// - Returns: `&`, `<`, `>`, `"` and `'` as entities; controls but line breaks and tabs as `\u{…}` (the
    ///   terminal filter's rule, then XML's, so the two can never disagree).
    package static func escape(_ text: String) -> String {
        XMLText.escape(PrintableText.terminal(text), quotes: true)
    }

    /// A whole self-contained page: no request can leave it (the Content-Security-Policy allows inline style and
    /// script only).
    /// - Parameters:
    ///   - title: The title, escaped here.
    ///   - style: The inline style sheet.
    ///   - body: The body's markup, with its attributes.
    ///   - bodyAttributes: Attributes of `<body>`, already escaped.
    ///   - script: The inline script.
    /// - Returns: The document.
    package static func document(
        title: String, style: String, bodyAttributes: String = "", body: String, script: String
    ) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
        script-src 'unsafe-inline'">
        <title>\(escape(title))</title>
        <style>\(style)</style>
        </head>
        <body\(bodyAttributes.isEmpty ? "" : " " + bodyAttributes)>
        \(body)<script>\(script)</script>
        </body>
        </html>

        """
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
