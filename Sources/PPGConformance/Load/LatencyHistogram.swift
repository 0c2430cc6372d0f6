/// Latencies in microseconds in fixed memory: exact below 1024 µs, then 512 sub-buckets per power of two, so
/// every recorded value is known to within 0.2 % however many are recorded.
public struct LatencyHistogram: Sendable {
    static let exactLimit: UInt64 = 1024
    static let subBuckets = 512
    static let maximumExponent = 40
    static let bucketCount = Int(exactLimit) + (maximumExponent - 10 + 1) * subBuckets

    private var counts: [UInt64]
    /// How many values were recorded.
    public private(set) var count: UInt64 = 0
    /// The largest value recorded, exactly.
    public private(set) var maximum: UInt64 = 0
    /// The smallest value recorded, exactly.
    public private(set) var minimum: UInt64 = .max
    private var sum: Double = 0

    /// An empty histogram.
    public init() {
        counts = [UInt64](repeating: 0, count: Self.bucketCount)
    }

    static func bucket(_ value: UInt64) -> Int {
        if value < exactLimit { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        if exponent > maximumExponent { return bucketCount - 1 }
        let subBucket = Int((value >> UInt64(exponent - 9)) & UInt64(subBuckets - 1))
        return Int(exactLimit) + (exponent - 10) * subBuckets + subBucket
    }

    /// The largest value a bucket holds.
    static func upperBound(_ bucket: Int) -> UInt64 {
        if bucket < Int(exactLimit) { return UInt64(bucket) }
        let offset = bucket - Int(exactLimit)
        let exponent = offset / subBuckets + 10
        let subBucket = UInt64(offset % subBuckets)
        let width = UInt64(1) << UInt64(exponent - 9)
        return (UInt64(1) << UInt64(exponent)) + subBucket * width + width - 1
    }

    /// Records one value.
    /// - Parameter microseconds: The latency.
    public mutating func record(_ microseconds: UInt64) {
        counts[Self.bucket(microseconds)] += 1
        count += 1
        sum += Double(microseconds)
        maximum = max(maximum, microseconds)
        minimum = min(minimum, microseconds)
    }

    /// Adds another histogram's values.
    /// - Parameter other: The other histogram.
    public mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices where other.counts[index] > 0 { counts[index] += other.counts[index] }
        count += other.count
        sum += other.sum
        maximum = max(maximum, other.maximum)
        minimum = min(minimum, other.minimum)
    }

    /// The value at a percentile: the smallest bucket bound with at least that share of values at or below it,
    /// never above the true maximum.
    /// - Parameter percentile: From 0 to 100.
    /// - Returns: Microseconds, 0 when empty.
    public func value(atPercentile percentile: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        // The small slack keeps 99.9 % of 1000 at rank 999 despite binary floating point.
        let rank = max(1, UInt64((percentile / 100 * Double(count) - 1e-9).rounded(.up)))
        var seen: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= rank { return min(Self.upperBound(index), maximum) }
        }
        return maximum
    }

    /// The mean, in microseconds.
    public var mean: Double { count == 0 ? 0 : sum / Double(count) }
}

extension LatencyHistogram {
    /// The percentiles `load` reports, on the console and in `--json` alike (README: p50/p90/p99/p99.9).
    package static let reportedPercentiles: [Double] = [50, 90, 99, 99.9]

    /// Each reported percentile with its name (`p50`, `p99.9`), the name written from the number so the two
    /// cannot disagree.
    /// - Returns: Name and value in microseconds, in order.
    package func reported() -> [(name: String, microseconds: UInt64)] {
        Self.reportedPercentiles.map { percentile in
            let number = percentile == percentile.rounded() ? String(Int(percentile)) : String(percentile)
            return ("p" + number, value(atPercentile: percentile))
        }
    }
}
