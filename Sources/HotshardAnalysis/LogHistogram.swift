#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// A small latency histogram for one key: 4 buckets per power of two from 1 ns to ~18 minutes
/// (160 buckets), so a reported percentile is within 19% of the true value. Bounded memory per
/// tracked key is what makes per-key percentiles affordable.
///
/// Most keys use a handful of buckets: their first eight live inline (bucket numbers a byte each,
/// found with one word compare), so a key's whole histogram is one cache line and a new key's
/// statistics are a few hundred bytes, not the 680 of a full table. A key that needs a ninth bucket
/// moves to a full table of 160 counters on the heap. The counts are the same either way.
struct LogHistogram: Codable, Sendable, Equatable {
    static let bucketCount = 160
    static let inlineCapacity = 8
    private(set) var total: Int = 0
    private(set) var maximum: Int64 = 0
    /// The inline buckets' numbers, one byte each, in the order they were first used; 0xFF: free.
    private var inlineBuckets: UInt64 = .max
    private var inlineCounts = InlineArray<8, UInt32>(repeating: 0)
    /// Every bucket's count, once more than `inlineCapacity` buckets are in use (then the inline
    /// ones are empty).
    private var table: [UInt32]?

    init() {}

    private enum CodingKeys: String, CodingKey { case buckets, counts, total, maximum }

    /// Encoded sparse (only non-empty buckets): most keys have a handful.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            buckets: try container.decode([Int].self, forKey: .buckets),
            counts: try container.decode([UInt32].self, forKey: .counts),
            total: try container.decode(Int.self, forKey: .total),
            maximum: try container.decode(Int64.self, forKey: .maximum))
    }

    /// From the sparse form: counts of the listed buckets (buckets out of range are dropped).
    init(buckets: [Int], counts values: [UInt32], total: Int, maximum: Int64) {
        self.total = total
        self.maximum = maximum
        for (bucket, value) in zip(buckets, values) where bucket >= 0 && bucket < Self.bucketCount && value > 0 {
            add(value, toBucket: bucket)
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

    /// The non-empty buckets in ascending order.
    func forEachNonEmptyBucket(_ body: (Int, UInt32) -> Void) {
        if let table {
            for bucket in table.indices where table[bucket] > 0 { body(bucket, table[bucket]) }
            return
        }
        // At most eight, in first-use order: an insertion sort of their positions.
        var order = InlineArray<8, Int>(repeating: 0)
        var used = 0
        for position in 0..<Self.inlineCapacity where bucketNumber(at: position) != 0xFF {
            var index = used
            while index > 0, bucketNumber(at: order[index - 1]) > bucketNumber(at: position) {
                order[index] = order[index - 1]
                index -= 1
            }
            order[index] = position
            used += 1
        }
        for index in 0..<used { body(bucketNumber(at: order[index]), inlineCounts[order[index]]) }
    }

    /// The bucket number held at inline `position`; 0xFF when the position is free.
    private func bucketNumber(at position: Int) -> Int {
        Int(truncatingIfNeeded: inlineBuckets >> UInt64(position * 8)) & 0xFF
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
        add(1, toBucket: Self.bucket(max(0, nanos)))
        total += 1
        maximum = max(maximum, nanos)
    }

    /// Adds `count` to `bucket` (0..<bucketCount), in its inline place, a free one, or the table.
    @inline(__always)
    private mutating func add(_ count: UInt32, toBucket bucket: Int) {
        if table != nil {
            table?[bucket] &+= count
            return
        }
        // The byte equal to `bucket`, found in all eight at once: a zero byte of `difference`.
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let difference = inlineBuckets ^ (UInt64(bucket) &* ones)
        let match = (difference &- ones) & ~difference & highs
        if match != 0 {
            // The lowest flagged byte is exact (borrows only flag bytes above a true zero).
            inlineCounts[match.trailingZeroBitCount >> 3] &+= count
            return
        }
        let free = (~inlineBuckets &- ones) & inlineBuckets & highs
        if free != 0 {
            let position = free.trailingZeroBitCount >> 3
            inlineBuckets = inlineBuckets & ~(0xFF << UInt64(position * 8)) | UInt64(bucket) << UInt64(position * 8)
            inlineCounts[position] = count
            return
        }
        var full = [UInt32](repeating: 0, count: Self.bucketCount)
        for position in 0..<Self.inlineCapacity { full[bucketNumber(at: position)] = inlineCounts[position] }
        full[bucket] &+= count
        inlineBuckets = .max
        table = full
    }

    /// Equal when they count the same (whichever form holds the counts).
    static func == (lhs: LogHistogram, rhs: LogHistogram) -> Bool {
        guard lhs.total == rhs.total, lhs.maximum == rhs.maximum else { return false }
        let left = lhs.nonEmptyBuckets, right = rhs.nonEmptyBuckets
        return left.count == right.count && zip(left, right).allSatisfy { $0.bucket == $1.bucket && $0.count == $1.count }
    }

    /// Empties the histogram (Space-Saving resets a slot on every eviction): a key that had a table
    /// gives it up, so that the slot's next key starts inline.
    mutating func reset() {
        guard total > 0 else { return }
        inlineBuckets = .max
        table = nil
        total = 0
        maximum = 0
    }

    mutating func add(_ other: LogHistogram) {
        guard other.total > 0 else { return }
        other.forEachNonEmptyBucket { bucket, count in add(count, toBucket: bucket) }
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
