#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// A small fixed-size latency histogram for one key: 4 buckets per power of two from 1 ns to
/// ~18 minutes (160 counters), so a reported percentile is within 19% of the true value.
/// Bounded memory per tracked key is what makes per-key percentiles affordable.
///
/// The counters are stored inline (no heap buffer to chase, count or copy-check on every record) and
/// a bitmap names the non-empty ones, so that a reset clears the few buckets a key used instead of all
/// 160: Space-Saving resets a slot on every eviction.
struct LogHistogram: Codable, Sendable, Equatable {
    static let bucketCount = 160
    private(set) var total: Int = 0
    private(set) var maximum: Int64 = 0
    private var occupied = InlineArray<3, UInt64>(repeating: 0)
    private var storage = InlineArray<160, UInt32>(repeating: 0)

    /// Where bucket `bucket`'s counter lies from the start of the histogram (for prefetching).
    static func byteOffset(ofBucket bucket: Int) -> Int {
        (MemoryLayout<LogHistogram>.offset(of: \LogHistogram.storage) ?? 0) + bucket * MemoryLayout<UInt32>.stride
    }

    init() {}

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
        for (bucket, value) in zip(buckets, values) where bucket >= 0 && bucket < Self.bucketCount && value > 0 {
            storage[bucket] = value
            occupied[bucket >> 6] |= 1 << UInt64(bucket & 63)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let used = nonEmptyBuckets
        try container.encode(used.map(\.bucket), forKey: .buckets)
        try container.encode(used.map(\.count), forKey: .counts)
        try container.encode(total, forKey: .total)
        try container.encode(maximum, forKey: .maximum)
    }

    /// The non-empty buckets in ascending order.
    var nonEmptyBuckets: [(bucket: Int, count: UInt32)] {
        var result: [(bucket: Int, count: UInt32)] = []
        forEachNonEmptyBucket { result.append(($0, $1)) }
        return result
    }

    func forEachNonEmptyBucket(_ body: (Int, UInt32) -> Void) {
        for word in 0..<3 {
            var bits = occupied[word]
            while bits != 0 {
                let bucket = word << 6 | bits.trailingZeroBitCount
                body(bucket, storage[bucket])
                bits &= bits &- 1
            }
        }
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

    @inline(__always)
    mutating func record(_ nanos: Int64) {
        let index = Self.bucket(max(0, nanos))
        storage[index] &+= 1
        occupied[index >> 6] |= 1 << UInt64(index & 63)
        total += 1
        maximum = max(maximum, nanos)
    }

    /// Equal when they count the same.
    static func == (lhs: LogHistogram, rhs: LogHistogram) -> Bool {
        guard lhs.total == rhs.total, lhs.maximum == rhs.maximum else { return false }
        for word in 0..<3 where lhs.occupied[word] != rhs.occupied[word] { return false }
        var equal = true
        lhs.forEachNonEmptyBucket { bucket, count in equal = equal && rhs.storage[bucket] == count }
        return equal
    }

    /// Empties the histogram, touching only the buckets in use.
    mutating func reset() {
        guard total > 0 else { return }
        for word in 0..<3 {
            var bits = occupied[word]
            while bits != 0 {
                storage[word << 6 | bits.trailingZeroBitCount] = 0
                bits &= bits &- 1
            }
            occupied[word] = 0
        }
        total = 0
        maximum = 0
    }

    mutating func add(_ other: LogHistogram) {
        guard other.total > 0 else { return }
        other.forEachNonEmptyBucket { bucket, count in
            storage[bucket] &+= count
            occupied[bucket >> 6] |= 1 << UInt64(bucket & 63)
        }
        total += other.total
        maximum = max(maximum, other.maximum)
    }

    /// The sum of every recorded value taken at its bucket's upper bound, in nanoseconds.
    var upperBoundSum: Double {
        var sum = 0.0
        forEachNonEmptyBucket { bucket, count in sum += Double(count) * Double(Self.upperBound(ofBucket: bucket)) }
        return sum
    }

    /// The value at `percentile` (0–100), as the upper bound of its bucket, capped by the maximum.
    func value(at percentile: Double) -> Int64? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((percentile / 100 * Double(total)).rounded(.up)))
        var seen = 0
        var found: Int64?
        forEachNonEmptyBucket { bucket, count in
            guard found == nil else { return }
            seen += Int(count)
            if seen >= rank { found = min(maximum, Self.upperBound(ofBucket: bucket)) }
        }
        return found ?? maximum
    }
}
