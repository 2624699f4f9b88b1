/// A small fixed-size latency histogram for one key: 4 buckets per power of two from 1 ns to
/// ~18 minutes (160 counters), so a reported percentile is within 19% of the true value.
/// Bounded memory per tracked key is what makes per-key percentiles affordable.
struct LogHistogram: Codable, Sendable, Equatable {
    static let bucketCount = 160
    private(set) var counts: [UInt32]
    private(set) var total: Int = 0
    private(set) var maximum: Int64 = 0

    init() {
        counts = []
    }

    private enum CodingKeys: String, CodingKey { case buckets, counts, total, maximum }

    /// Encoded sparse (only non-empty buckets): most keys have a handful.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(buckets: try container.decode([Int].self, forKey: .buckets),
                  counts: try container.decode([UInt32].self, forKey: .counts),
                  total: try container.decode(Int.self, forKey: .total),
                  maximum: try container.decode(Int64.self, forKey: .maximum))
    }

    /// From the sparse form: counts of the listed buckets (buckets out of range are dropped).
    init(buckets: [Int], counts values: [UInt32], total: Int, maximum: Int64) {
        self.total = total
        self.maximum = maximum
        counts = buckets.isEmpty ? [] : [UInt32](repeating: 0, count: Self.bucketCount)
        for (bucket, value) in zip(buckets, values) where bucket >= 0 && bucket < Self.bucketCount {
            counts[bucket] = value
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let used = counts.indices.filter { counts[$0] > 0 }
        try container.encode(used, forKey: .buckets)
        try container.encode(used.map { counts[$0] }, forKey: .counts)
        try container.encode(total, forKey: .total)
        try container.encode(maximum, forKey: .maximum)
    }

    /// The non-empty buckets in ascending order.
    var nonEmptyBuckets: [(bucket: Int, count: UInt32)] {
        counts.indices.compactMap { counts[$0] > 0 ? ($0, counts[$0]) : nil }
    }

    static func bucket(_ nanos: Int64) -> Int {
        guard nanos > 1 else { return 0 }
        let log2 = 63 - nanos.leadingZeroBitCount
        // Two bits below the leading one pick a quarter of the octave.
        let quarter = log2 >= 2 ? Int((nanos >> (log2 - 2)) & 0x3) : Int((nanos << (2 - log2)) & 0x3)
        return min(bucketCount - 1, log2 * 4 + quarter)
    }

    static func upperBound(ofBucket bucket: Int) -> Int64 {
        let log2 = bucket / 4, quarter = bucket % 4
        let base = Int64(1) << log2
        return base + (base >> 2) * Int64(quarter + 1) - 1
    }

    mutating func record(_ nanos: Int64) {
        if counts.isEmpty { counts = [UInt32](repeating: 0, count: Self.bucketCount) }
        let index = Self.bucket(max(0, nanos))
        counts[index] &+= 1
        total += 1
        maximum = max(maximum, nanos)
    }

    /// Equal when they count the same: unused storage (empty, or all zeros after a reset) is no difference.
    static func == (lhs: LogHistogram, rhs: LogHistogram) -> Bool {
        guard lhs.total == rhs.total, lhs.maximum == rhs.maximum else { return false }
        if lhs.counts.isEmpty || rhs.counts.isEmpty {
            return lhs.counts.allSatisfy { $0 == 0 } && rhs.counts.allSatisfy { $0 == 0 }
        }
        return lhs.counts == rhs.counts
    }

    /// Empties the histogram, keeping its storage.
    mutating func reset() {
        if !counts.isEmpty {
            counts.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        total = 0
        maximum = 0
    }

    mutating func add(_ other: LogHistogram) {
        guard other.total > 0 else { return }
        if counts.isEmpty { counts = [UInt32](repeating: 0, count: Self.bucketCount) }
        for index in other.counts.indices { counts[index] &+= other.counts[index] }
        total += other.total
        maximum = max(maximum, other.maximum)
    }

    /// The value at `percentile` (0–100), as the upper bound of its bucket, capped by the maximum.
    func value(at percentile: Double) -> Int64? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((percentile / 100 * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += Int(count)
            if seen >= rank { return min(maximum, Self.upperBound(ofBucket: index)) }
        }
        return maximum
    }
}
