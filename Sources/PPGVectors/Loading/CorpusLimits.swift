/// How much a corpus may ask the harness to build in memory. A vector file is small; what it asks for need not be
/// (`"repeat": 100000000`, twenty `{{fill:16777216}}`), so the loader adds up what each vector would materialise —
/// a digest's message × repeat, a delivery's body after its placeholders, header values, every step — and refuses
/// a corpus past these bounds before anything is built, naming the file and the vector.
public enum CorpusLimits {
    /// The most bytes one vector may materialise (the corpus's largest, an over-1-MiB body, asks for about 1 MiB).
    public static let maximumVectorBytes = 32 << 20
    /// The most bytes all the vectors of a corpus together may materialise: a whole run's bodies.
    public static let maximumCorpusBytes = 256 << 20
    /// The largest vector file read.
    public static let maximumFileBytes = 16 << 20

    /// `a + b`, or `Int.max` where that overflows: sizes a hostile file adds up must not trap.
    static func adding(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    /// `a × b`, or `Int.max` where that overflows.
    static func multiplying(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }
}
