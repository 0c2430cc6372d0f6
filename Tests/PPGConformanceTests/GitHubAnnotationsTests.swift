import PPGVectors
import Testing

@testable import PPGConformance

@Suite("GitHub annotations")
struct GitHubAnnotationsTests {
    static func outcome(_ id: String, _ category: String) -> VectorOutcome {
        VectorOutcome(
            id: id, category: category, kind: .receiver, level: .required, flags: [], comment: "", status: .fail,
            expected: "", actual: "", reason: "")
    }

    @Test("the capped failures take the first of each category before a second of any, in run order")
    func firstOfEachCategory() {
        // Over generated mixes of categories and limits: every category is shown once before any twice.
        var random = SplitMix64(seed: 5)
        for _ in 0..<300 {
            let categories = (0..<(1 + random.below(5))).map { "c\($0)" }
            let outcomes = (0..<random.below(30)).map { Self.outcome("v\($0)", random.pick(categories)) }
            let limit = 1 + random.below(10)
            let chosen = GitHubAnnotations.firstOfEachCategory(outcomes, limit: limit)
            #expect(chosen.count == min(limit, outcomes.count))
            let ids = chosen.map(\.id)
            #expect(ids == outcomes.map(\.id).filter { ids.contains($0) }, "run order kept")
            let present = Set(outcomes.map(\.category))
            let shown = Set(chosen.map(\.category))
            if chosen.count >= present.count { #expect(shown == present, "every category before a second of one") }
            var counts: [String: Int] = [:]
            for outcome in chosen { counts[outcome.category, default: 0] += 1 }
            let available = Dictionary(grouping: outcomes, by: \.category).mapValues(\.count)
            let most = counts.values.max() ?? 0
            // No category has two more than another that still had outcomes left.
            for (category, count) in available where (counts[category] ?? 0) < count {
                #expect(most - (counts[category] ?? 0) <= 1, "\(counts) of \(available)")
            }
        }
    }
}
