import Foundation
import HotshardProtocols
import Testing
@testable import HotshardAnalysis

/// A key's latency histogram keeps its first eight buckets inline, then up to 64 as sorted pairs,
/// then a dense window: the counts, their order, equality and the JSON form must not depend on which
/// form holds them, and percentiles are within HdrHistogram's two-significant-digit precision.
@Suite struct LogHistogramTests {
    /// Values and the buckets they fall in, from HdrHistogram's rule at two significant digits
    /// (below 256 the value itself; above, with s = log2 − 7: 128 × s + value >> s), worked out by
    /// hand: 1,000 = 2^9…: s = 2, 256 + 250 = 506; 3,000: s = 4, 512 + 187 = 699; 10^6: s = 12,
    /// 1,536 + 244; 7×10^7: s = 19, 2,432 + 133; 10^9: s = 22, 2,816 + 238.
    static let known: [(nanos: Int64, bucket: Int)] = [
        (1, 1), (5, 5), (7, 7), (1_000, 506), (3_000, 699), (1_000_000, 1_780),
        (70_000_000, 2_565), (1_000_000_000, 3_054), (1 << 50, 4_351),  // capped at 2^40 − 1: the last bucket
    ]

    @Test func nineBucketsMoveToTheTableWithTheSameCounts() throws {
        var histogram = LogHistogram()
        // Largest first, and the first eight twice: ascending order must not come from insertion order.
        for (index, entry) in Self.known.enumerated().reversed() {
            histogram.record(entry.nanos)
            if index > 0 { histogram.record(entry.nanos) }
            if index == 1 {
                // Eight buckets: all inline still, and already in ascending order when read.
                #expect(histogram.nonEmptyBuckets.map(\.bucket) == Self.known.dropFirst().map(\.bucket))
            }
        }
        #expect(histogram.nonEmptyBuckets.map(\.bucket) == Self.known.map(\.bucket))
        #expect(histogram.nonEmptyBuckets.map(\.count) == [1, 2, 2, 2, 2, 2, 2, 2, 2])
        #expect(histogram.total == 17)
        #expect(histogram.maximum == 1 << 50)
        // Rank 9 of 17 is reached in the fifth bucket (3,000 ns: bucket 699, upper bound 188 × 16 − 1).
        #expect(histogram.value(at: 50) == 3_007)

        let json = String(decoding: try JSONEncoder().encode(histogram), as: UTF8.self)
        #expect(json.contains(#""buckets":[1,5,7,506,699,1780,2565,3054,4351]"#))
        #expect(try JSONDecoder().decode(LogHistogram.self, from: Data(json.utf8)) == histogram)
    }

    @Test func equalWhicheverFormHoldsTheCounts() {
        // The same counts: one histogram recorded value by value (it moves to the table), the other
        // added from two inline halves (five and four buckets).
        var whole = LogHistogram(), low = LogHistogram(), high = LogHistogram()
        for (index, entry) in Self.known.enumerated() {
            whole.record(entry.nanos)
            if index < 5 { low.record(entry.nanos) } else { high.record(entry.nanos) }
        }
        var added = low
        added.add(high)
        #expect(added == whole)
        #expect(added.nonEmptyBuckets.map(\.bucket) == Self.known.map(\.bucket))
        #expect(low != whole)
        var differentCount = whole
        differentCount.record(1_000)
        #expect(differentCount != whole)
    }

    @Test func resetGivesUpTheTable() {
        var histogram = LogHistogram()
        for entry in Self.known { histogram.record(entry.nanos) }
        histogram.reset()
        #expect(histogram == LogHistogram())
        #expect(histogram.nonEmptyBuckets.isEmpty && histogram.value(at: 50) == nil)
        histogram.record(3_000)
        histogram.record(3_000)
        #expect(histogram.nonEmptyBuckets.map(\.bucket) == [699] && histogram.nonEmptyBuckets.map(\.count) == [2])
    }

    @Test func aCopyCountsOnItsOwn() {
        var histogram = LogHistogram()
        for entry in Self.known { histogram.record(entry.nanos) }
        let copy = histogram
        histogram.record(1_000)
        #expect(copy.total == 9 && histogram.total == 10)
        #expect(copy.nonEmptyBuckets.first { $0.bucket == 506 }?.count == 1)
        #expect(histogram.nonEmptyBuckets.first { $0.bucket == 506 }?.count == 2)
    }

    /// 1…10,000 µs, once each: every nearest-rank percentile is reported at most 1 % above the true
    /// one (the bound is 1/128 = 0.78 %: a bucket's width over its lowest value), never below.
    @Test func percentilesAreWithinOnePercent() {
        var histogram = LogHistogram()
        for micros in 1...10_000 { histogram.record(Int64(micros) * 1_000) }
        for percentile in [1.0, 10, 25, 50, 75, 90, 99, 99.9] {
            // Nearest rank of 1…10,000: the value is the rank, in µs.
            let truth = (percentile / 100 * 10_000).rounded(.up) * 1_000
            let shown = Double(histogram.value(at: percentile) ?? 0)
            #expect(shown >= truth && shown <= truth * 1.01, "p\(percentile): \(shown) ns, true \(truth) ns")
        }
        #expect(histogram.value(at: 100) == 10_000_000)
        // Every value at or above 256 ns lies in a bucket at most 1/128 of it wide.
        for bucket in stride(from: 256, to: LogHistogram.bucketCount, by: 37) {
            let low = LogHistogram.lowerBound(ofBucket: bucket), high = LogHistogram.upperBound(ofBucket: bucket)
            #expect(LogHistogram.bucket(low) == bucket && LogHistogram.bucket(high) == bucket)
            #expect(Double(high - low + 1) / Double(low) <= 1.0 / 128)
        }
    }

    /// Past 8 buckets the counts move to sorted pairs, past 64 to a dense window; the counts, the
    /// JSON form and adding two halves agree in every form.
    @Test func everyFormCountsTheSame() throws {
        // 200 distinct buckets over four powers of two, in a scrambled order.
        let values = (0..<200).map { Int64(1_000 + ($0 * 7_919) % 200 * 40) }
        var whole = LogHistogram(), even = LogHistogram(), odd = LogHistogram()
        var expected: [Int: UInt32] = [:]
        for (index, value) in values.enumerated() {
            whole.record(value)
            if index % 2 == 0 { even.record(value) } else { odd.record(value) }
            expected[LogHistogram.bucket(value), default: 0] += 1
            if [7, 8, 63, 64, 65, 199].contains(index) {
                // Inline (≤ 8), pairs (≤ 64), dense: the same counts, ascending.
                let sorted = expected.sorted { $0.key < $1.key }
                #expect(whole.nonEmptyBuckets.map(\.bucket) == sorted.map(\.key), "after \(index + 1)")
                #expect(whole.nonEmptyBuckets.map(\.count) == sorted.map(\.value), "after \(index + 1)")
                let json = try JSONEncoder().encode(whole)
                #expect(try JSONDecoder().decode(LogHistogram.self, from: json) == whole, "after \(index + 1)")
            }
        }
        var added = even
        added.add(odd)
        #expect(added == whole)
        #expect(added.value(at: 99) == whole.value(at: 99))
        // A value far outside the dense window widens it.
        whole.record(5_000_000_000)
        #expect(whole.nonEmptyBuckets.last?.bucket == LogHistogram.bucket(5_000_000_000))
        #expect(whole.total == 201)
        // The inline form is the per-key cost every tracked key pays.
        #expect(MemoryLayout<LogHistogram>.stride <= 80)
    }

    /// A summary state written with the old quarter-octave buckets (no `significantDigits`) reads
    /// each bucket at its old upper bound: bucket 39 was 896…1,023 ns.
    @Test func oldStatesReadAtTheirUpperBounds() throws {
        let old = #"{"buckets":[39],"counts":[3],"maximum":1000,"total":3}"#
        let histogram = try JSONDecoder().decode(LogHistogram.self, from: Data(old.utf8))
        #expect(histogram.nonEmptyBuckets.map(\.bucket) == [LogHistogram.bucket(1_023)])
        #expect(histogram.nonEmptyBuckets.map(\.count) == [3])
        #expect(histogram.value(at: 50) == 1_000)  // capped by the maximum, as before
        let json = String(decoding: try JSONEncoder().encode(histogram), as: UTF8.self)
        #expect(json.contains(#""significantDigits":2"#))
    }
}
