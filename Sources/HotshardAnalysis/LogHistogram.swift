#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// A latency histogram for one key (and one window, one server) with HdrHistogram's precision at
/// two significant digits: HdrHistogram's log-linear buckets over nanoseconds, 256 sub-buckets (the
/// first 256 values exact, then 128 buckets per power of two up to 2⁴⁰ ns ≈ 18 minutes, 4,352 in
/// all), so a bucket is at most 1/128 of its values wide and a reported percentile — its bucket's
/// upper bound, as HdrHistogram reports — is at most 0.78 % above the true one. The coarser buckets
/// this replaced (4 per power of two, 19 %) showed the same p99 for most keys.
///
/// Memory stays bounded per key, in three forms holding the same counts:
/// - the first eight buckets inline (numbers 16 bits each, found with one word compare per four),
///   so a key with a few latencies costs 80 bytes and no allocation;
/// - up to 64 buckets as sorted (bucket, count) pairs on the heap (8 bytes a bucket);
/// - beyond that, a dense window of counters over the powers of two the key's latencies span
///   (512 bytes per power of two, at most 34 of them: 17 KB for a key whose latencies span 1 ns to
///   18 minutes, 1–3 KB for a realistic spread).
/// Counts add exactly (merging two histograms is adding their counts), whichever form holds them.
struct LogHistogram: Codable, Sendable, Equatable {
    /// Buckets per power of two above the first 256 values (HdrHistogram's half sub-bucket count).
    static let perOctave = 128
    static let bucketCount = 256 + 32 * perOctave
    /// Values above (2⁴⁰ − 1 ns) are recorded as it.
    static let highestTrackable: Int64 = (1 << 40) - 1
    static let inlineCapacity = 8
    static let sparseCapacity = 64
    /// What `significantDigits` in the JSON form says (absent in states written with the old
    /// quarter-octave buckets, which are read into these).
    static let significantDigits = 2

    private(set) var total: Int = 0
    private(set) var maximum: Int64 = 0
    /// The inline buckets' numbers, 16 bits each (positions 0–3 low, 4–7 high), in the order they
    /// were first used; 0xFFFF: free.
    private var inlineLow: UInt64 = .max
    private var inlineHigh: UInt64 = .max
    private var inlineCounts = InlineArray<8, UInt32>(repeating: 0)
    /// More than eight buckets: sorted (bucket, count) pairs when `denseStart` < 0, else the counts
    /// of buckets `denseStart ..< denseStart + count` (whole powers of two). The inline ones are
    /// then empty.
    private var spill: [UInt32]?
    private var denseStart: Int32 = -1

    init() {}

    private enum CodingKeys: String, CodingKey { case buckets, counts, total, maximum, significantDigits }

    /// Encoded sparse (only non-empty buckets): most keys have a handful.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            buckets: try container.decode([Int].self, forKey: .buckets),
            counts: try container.decode([UInt32].self, forKey: .counts),
            total: try container.decode(Int.self, forKey: .total),
            maximum: try container.decode(Int64.self, forKey: .maximum),
            legacy: try container.decodeIfPresent(Int.self, forKey: .significantDigits) == nil)
    }

    /// From the sparse form: counts of the listed buckets (buckets out of range are dropped).
    /// `legacy`: the buckets are the old quarter-octave ones; each is counted at its upper bound.
    init(buckets: [Int], counts values: [UInt32], total: Int, maximum: Int64, legacy: Bool = false) {
        self.total = total
        self.maximum = maximum
        for (bucket, value) in zip(buckets, values) where value > 0 {
            if legacy {
                guard bucket >= 0, bucket < 160 else { continue }
                add(value, toBucket: Self.bucket(Self.legacyUpperBound(ofBucket: bucket)))
            } else if bucket >= 0, bucket < Self.bucketCount {
                add(value, toBucket: bucket)
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let used = nonEmptyBuckets
        try container.encode(used.map(\.bucket), forKey: .buckets)
        try container.encode(used.map(\.count), forKey: .counts)
        try container.encode(total, forKey: .total)
        try container.encode(maximum, forKey: .maximum)
        try container.encode(Self.significantDigits, forKey: .significantDigits)
    }

    /// The non-empty buckets in ascending order.
    var nonEmptyBuckets: [(bucket: Int, count: UInt32)] {
        var result: [(bucket: Int, count: UInt32)] = []
        forEachNonEmptyBucket { result.append(($0, $1)) }
        return result
    }

    /// The non-empty buckets in ascending order.
    func forEachNonEmptyBucket(_ body: (Int, UInt32) -> Void) {
        if let spill {
            if denseStart >= 0 {
                let start = Int(denseStart)
                for offset in spill.indices where spill[offset] > 0 { body(start + offset, spill[offset]) }
            } else {
                for pair in stride(from: 0, to: spill.count - 1, by: 2) { body(Int(spill[pair]), spill[pair + 1]) }
            }
            return
        }
        // At most eight, in first-use order: an insertion sort of their positions.
        var order = InlineArray<8, Int>(repeating: 0)
        var used = 0
        for position in 0..<Self.inlineCapacity where bucketNumber(at: position) != 0xFFFF {
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

    /// The bucket number held at inline `position`; 0xFFFF when the position is free.
    private func bucketNumber(at position: Int) -> Int {
        let word = position < 4 ? inlineLow : inlineHigh
        return Int(truncatingIfNeeded: word >> UInt64((position & 3) * 16)) & 0xFFFF
    }

    /// HdrHistogram's bucket index of a value at two significant digits: the value itself below
    /// 256; above, the power of two picks 128 buckets and the seven bits below the leading one
    /// pick one of them.
    @inline(__always)
    static func bucket(_ nanos: Int64) -> Int {
        let value = min(max(nanos, 0), highestTrackable)
        guard value >= 256 else { return Int(value) }
        let shift = (63 - value.leadingZeroBitCount) - 7
        return shift * perOctave + Int(value >> Int64(shift))
    }

    /// The smallest value that falls in `bucket`.
    static func lowerBound(ofBucket bucket: Int) -> Int64 {
        guard bucket >= 256 else { return Int64(bucket) }
        let shift = bucket / perOctave - 1
        return Int64(bucket - shift * perOctave) << Int64(shift)
    }

    /// The largest value that falls in `bucket` (HdrHistogram's highest equivalent value).
    static func upperBound(ofBucket bucket: Int) -> Int64 {
        guard bucket >= 256 else { return Int64(bucket) }
        return lowerBound(ofBucket: bucket) + (Int64(1) << Int64(bucket / perOctave - 1)) - 1
    }

    /// The upper bound of a bucket of the old quarter-octave scheme (160 buckets, 4 per power of
    /// two), for reading summary states written with it.
    static func legacyUpperBound(ofBucket bucket: Int) -> Int64 {
        let log2 = bucket / 4, quarter = bucket % 4
        let base = Int64(1) << log2
        return base + (base >> 2) * Int64(quarter + 1) - 1
    }

    @inline(__always)
    mutating func record(_ nanos: Int64) {
        add(1, toBucket: Self.bucket(nanos))
        total += 1
        maximum = max(maximum, nanos)
    }

    /// The position (0–3) of the lane of `word` equal to `lane`, nil when none is: the lane's
    /// difference is zero, found in all four at once (borrows only flag lanes above a true zero, so
    /// the lowest flagged one is exact).
    @inline(__always)
    private static func position(of lane: UInt64, in word: UInt64) -> Int? {
        let ones: UInt64 = 0x0001_0001_0001_0001, highs: UInt64 = 0x8000_8000_8000_8000
        let difference = word ^ (lane &* ones)
        let match = (difference &- ones) & ~difference & highs
        return match == 0 ? nil : match.trailingZeroBitCount >> 4
    }

    /// Adds `count` to `bucket` (0..<bucketCount): in its inline place, a free one, or the spill.
    @inline(__always)
    private mutating func add(_ count: UInt32, toBucket bucket: Int) {
        if spill != nil {
            addSpilled(count, toBucket: bucket)
            return
        }
        if let position = Self.position(of: UInt64(bucket), in: inlineLow) {
            inlineCounts[position] &+= count
            return
        }
        if let position = Self.position(of: UInt64(bucket), in: inlineHigh) {
            inlineCounts[4 + position] &+= count
            return
        }
        if let free = Self.position(of: 0xFFFF, in: inlineLow) {
            inlineLow = inlineLow & ~(0xFFFF << UInt64(free * 16)) | UInt64(bucket) << UInt64(free * 16)
            inlineCounts[free] = count
            return
        }
        if let free = Self.position(of: 0xFFFF, in: inlineHigh) {
            inlineHigh = inlineHigh & ~(0xFFFF << UInt64(free * 16)) | UInt64(bucket) << UInt64(free * 16)
            inlineCounts[4 + free] = count
            return
        }
        // A ninth bucket: the eight move to sorted pairs, with room for a few more.
        var pairs: [UInt32] = []
        pairs.reserveCapacity(4 * Self.inlineCapacity)
        forEachNonEmptyBucket { bucket, count in pairs += [UInt32(bucket), count] }
        inlineLow = .max
        inlineHigh = .max
        denseStart = -1
        spill = pairs
        addSpilled(count, toBucket: bucket)
    }

    private mutating func addSpilled(_ count: UInt32, toBucket bucket: Int) {
        if denseStart >= 0 {
            var offset = bucket - Int(denseStart)
            if offset < 0 || offset >= spill?.count ?? 0 {
                widenDense(toHold: bucket)
                offset = bucket - Int(denseStart)
            }
            spill?[offset] &+= count
            return
        }
        let (index, found) = pairIndex(of: bucket)
        if found {
            spill?[2 * index + 1] &+= count
        } else if (spill?.count ?? 0) / 2 < Self.sparseCapacity {
            // Two single inserts, not an array literal: no temporary array on the message path.
            spill?.insert(count, at: 2 * index)
            spill?.insert(UInt32(bucket), at: 2 * index)
        } else {
            makeDense(adding: count, toBucket: bucket)
        }
    }

    /// Where `bucket` is (or would go) among the sorted pairs: a binary search.
    private func pairIndex(of bucket: Int) -> (index: Int, found: Bool) {
        guard let spill else { return (0, false) }
        var low = 0, high = spill.count / 2
        while low < high {
            let middle = (low + high) / 2
            if Int(spill[2 * middle]) < bucket { low = middle + 1 } else { high = middle }
        }
        return (low, low < spill.count / 2 && Int(spill[2 * low]) == bucket)
    }

    /// The pairs become a dense window over the powers of two from the lowest bucket to the highest.
    private mutating func makeDense(adding count: UInt32, toBucket bucket: Int) {
        let pairs = spill ?? []
        var lowest = bucket, highest = bucket
        for pair in stride(from: 0, to: pairs.count - 1, by: 2) {
            lowest = min(lowest, Int(pairs[pair]))
            highest = max(highest, Int(pairs[pair]))
        }
        let start = lowest / Self.perOctave * Self.perOctave
        let end = min(Self.bucketCount, (highest / Self.perOctave + 1) * Self.perOctave)
        var counts = [UInt32](repeating: 0, count: end - start)
        for pair in stride(from: 0, to: pairs.count - 1, by: 2) { counts[Int(pairs[pair]) - start] = pairs[pair + 1] }
        counts[bucket - start] &+= count
        denseStart = Int32(start)
        spill = counts
    }

    /// The dense window grows by whole powers of two to hold `bucket`.
    private mutating func widenDense(toHold bucket: Int) {
        let oldStart = Int(denseStart), oldCount = spill?.count ?? 0
        let start = min(oldStart, bucket / Self.perOctave * Self.perOctave)
        let end = min(Self.bucketCount, max(oldStart + oldCount, (bucket / Self.perOctave + 1) * Self.perOctave))
        var counts = [UInt32](repeating: 0, count: end - start)
        if let spill {
            for offset in spill.indices { counts[oldStart - start + offset] = spill[offset] }
        }
        denseStart = Int32(start)
        spill = counts
    }

    /// Equal when they count the same (whichever form holds the counts).
    static func == (lhs: LogHistogram, rhs: LogHistogram) -> Bool {
        guard lhs.total == rhs.total, lhs.maximum == rhs.maximum else { return false }
        let left = lhs.nonEmptyBuckets, right = rhs.nonEmptyBuckets
        return left.count == right.count && zip(left, right).allSatisfy { $0.bucket == $1.bucket && $0.count == $1.count }
    }

    /// Empties the histogram (Space-Saving resets a slot on every eviction): a key that had a spill
    /// gives it up, so that the slot's next key starts inline.
    mutating func reset() {
        guard total > 0 else { return }
        inlineLow = .max
        inlineHigh = .max
        spill = nil
        denseStart = -1
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
