/// A count with its noun in the right number: `1 vector`, `2 vectors`, `0 vectors`.
/// - Parameters:
///   - count: The count.
///   - singular: The noun for one.
///   - plural: The noun for any other count (default: the singular with an `s`).
/// - Returns: The count and the noun.
package func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
}
