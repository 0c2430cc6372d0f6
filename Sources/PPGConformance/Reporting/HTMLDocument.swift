import PPGWire

/// The frame every HTML page of the suite shares (the run report, the comparison of runs).
enum HTMLDocument {
    /// A whole self-contained page: no request can leave it (the Content-Security-Policy allows inline style and
    /// script only).
    /// - Parameters:
    ///   - title: The title, escaped here.
    ///   - style: The inline style sheet.
    ///   - body: The body's markup, with its attributes.
    ///   - bodyAttributes: Attributes of `<body>`, already escaped.
    ///   - script: The inline script.
    /// - Returns: The document.
    static func make(
        title: String, style: String, bodyAttributes: String = "", body: String, script: String
    ) -> String {
        head(title: title, style: style, bodyAttributes: bodyAttributes) + body + tail(script: script)
    }

    /// The page up to and including `<body>`, for a page written piece by piece.
    static func head(title: String, style: String, bodyAttributes: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
        script-src 'unsafe-inline'">
        <title>\(OutsideText.escape(title, for: .html))</title>
        <style>\(style)</style>
        </head>
        <body\(bodyAttributes.isEmpty ? "" : " " + bodyAttributes)>

        """
    }

    /// The page after its body's markup: the script and the closing tags.
    static func tail(script: String) -> String {
        """
        <script>\(script)</script>
        </body>
        </html>

        """
    }
}
