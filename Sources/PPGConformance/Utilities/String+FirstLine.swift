extension String {
    /// The first line of a text, cut at `limit` characters with `…`: a reason in one line, for a `message`
    /// attribute or a summary.
    /// - Parameter limit: The most characters kept.
    /// - Returns: The first line, shortened.
    func firstLine(limit: Int = 300) -> String {
        let first = split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return first.count > limit ? String(first.prefix(limit)) + "…" : first
    }
}
