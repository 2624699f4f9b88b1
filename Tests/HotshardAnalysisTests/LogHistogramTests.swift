import Foundation
import Testing
@testable import HotshardAnalysis

/// A key's latency histogram keeps its first eight buckets inline and moves to a full table at the
/// ninth: the counts, their order, equality and the JSON form must not depend on which form holds them.
@Suite struct LogHistogramTests {
    /// Values and the buckets they fall in, from the bucket rule (4 per power of two: bucket =
    /// 4 × log2 + the two bits below the leading one), worked out by hand.
    static let known: [(nanos: Int64, bucket: Int)] = [
        (1, 0), (5, 9), (7, 11), (1_000, 39), (3_000, 45), (1_000_000, 79),
        (70_000_000, 104), (1_000_000_000, 119), (1 << 50, 159),  // 2^50 would be 200: capped at the last
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
        // Rank 9 of 17 is reached in the fifth bucket (3,000 ns: bucket 45, upper bound 2,048 + 2 × 512 − 1).
        #expect(histogram.value(at: 50) == 3_071)

        let json = String(decoding: try JSONEncoder().encode(histogram), as: UTF8.self)
        #expect(json.contains(#""buckets":[0,9,11,39,45,79,104,119,159]"#))
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
        #expect(histogram.nonEmptyBuckets.map(\.bucket) == [45] && histogram.nonEmptyBuckets.map(\.count) == [2])
    }

    @Test func aCopyCountsOnItsOwn() {
        var histogram = LogHistogram()
        for entry in Self.known { histogram.record(entry.nanos) }
        let copy = histogram
        histogram.record(1_000)
        #expect(copy.total == 9 && histogram.total == 10)
        #expect(copy.nonEmptyBuckets.first { $0.bucket == 39 }?.count == 1)
        #expect(histogram.nonEmptyBuckets.first { $0.bucket == 39 }?.count == 2)
    }
}
