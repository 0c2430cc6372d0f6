/// A count with its noun in the right number: `1 vector`, `2 vectors`, `0 vectors`.
/// - Parameters:
///   - count: The count.
///   - singular: The noun for one.
///   - plural: The noun for any other count (default: the singular with an `s`).
/// - Returns: The count and the noun.
package func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
}

/// A count referred back to: `this failure` for one, `these 3 failures` for more (never `these 1 failure`).
/// - Parameters:
///   - count: The count.
///   - singular: The noun for one.
///   - plural: The noun for any other count (default: the singular with an `s`).
/// - Returns: The demonstrative, the count where it is not one, and the noun.
package func these(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    count == 1 ? "this \(singular)" : "these \(counted(count, singular, plural))"
}
