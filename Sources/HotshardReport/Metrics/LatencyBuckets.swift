import Histogram
import HotshardAnalysis

/// A latency distribution as a Prometheus histogram: cumulative counts at fixed upper bounds in
/// seconds, the sum and the count. Built from an HdrHistogram's recorded values (microseconds), so
/// a bucket's count is exact up to the histogram's precision (three significant digits) and the sum
/// is the sum of the recorded values' representatives.
public struct LatencyBuckets: Sendable, Equatable {
    /// Upper bounds in seconds, from 50 µs (a loopback Redis GET) to 10 s (a timeout): fixed, so
    /// that series keep their buckets from scrape to scrape and across commands.
    public static let bounds: [Double] = [
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// Values at most `bounds[i]`, cumulative; the `+Inf` bucket is `count`.
    public var cumulative: [UInt64]
    /// The sum of the values, in seconds (`_sum`).
    public var sumSeconds: Double
    /// How many values (`_count`, and the `+Inf` bucket).
    public var count: UInt64

    /// From (microseconds, count) pairs in any order.
    public init<Pairs: Sequence>(micros pairs: Pairs) where Pairs.Element == (UInt64, UInt64) {
        var perBound = [UInt64](repeating: 0, count: Self.bounds.count)
        var sum = 0.0
        var total: UInt64 = 0
        for (value, count) in pairs where count > 0 {
            let seconds = Double(value) / 1e6
            sum += seconds * Double(count)
            total += count
            if let index = Self.bounds.firstIndex(where: { seconds <= $0 }) { perBound[index] += count }
        }
        var running: UInt64 = 0
        cumulative = perBound.map { count in
            running += count
            return running
        }
        sumSeconds = sum
        count = total
    }

    /// From a histogram of microseconds (a load run's service or corrected latency).
    public init(_ histogram: Histogram<UInt64>) {
        self.init(micros: histogram.recordedValues().lazy.map { ($0.value, UInt64($0.count)) })
    }

    /// From the analysis' mergeable form (microseconds).
    public init(_ histogram: SparseHistogram) {
        self.init(micros: zip(histogram.values, histogram.counts).lazy.map { ($0, $1) })
    }

    /// Adds another distribution's buckets (the same fixed bounds).
    public mutating func add(_ other: LatencyBuckets) {
        for index in cumulative.indices where other.cumulative.indices.contains(index) {
            cumulative[index] += other.cumulative[index]
        }
        sumSeconds += other.sumSeconds
        count += other.count
    }
}
