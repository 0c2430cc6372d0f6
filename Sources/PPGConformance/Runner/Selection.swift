/// Which vectors a run takes: `--only`, `--skip` and `--flag`.
public struct Selection: Sendable {
    /// Globs on ids; when non-empty, only matching vectors run.
    public var only: [String]
    /// Globs on ids that never run.
    public var skip: [String]
    /// When non-empty, only vectors carrying at least one of these flags run.
    public var flags: [String]

    /// Creates a selection.
    /// - Parameters:
    ///   - only: Globs on ids to keep.
    ///   - skip: Globs on ids to drop.
    ///   - flags: Flags to keep.
    public init(only: [String] = [], skip: [String] = [], flags: [String] = []) {
        self.only = only
        self.skip = skip
        self.flags = flags
    }

    /// Whether a vector is selected.
    /// - Parameters:
    ///   - id: The vector's id.
    ///   - flags: The vector's flags.
    /// - Returns: Whether it runs.
    public func includes(id: String, flags vectorFlags: [String]) -> Bool {
        if !only.isEmpty && !only.contains(where: { Glob.matches($0, id) }) { return false }
        if skip.contains(where: { Glob.matches($0, id) }) { return false }
        if !flags.isEmpty && !vectorFlags.contains(where: flags.contains) { return false }
        return true
    }
}

/// Shell-style globs on ids: `*` any run of characters (`/` included), `?` one character.
public enum Glob {
    /// Whether `text` matches `pattern`.
    /// - Parameters:
    ///   - pattern: The glob.
    ///   - text: The id.
    /// - Returns: Whether it matches.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let t = Array(text.unicodeScalars)
        var pi = 0, ti = 0
        var star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
