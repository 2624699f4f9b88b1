import Histogram

/// An HdrHistogram's recorded values as (value, count) pairs: the mergeable, compact form of a
/// latency distribution in the result document. Values are microseconds.
public struct SparseHistogram: Codable, Sendable, Equatable {
    public var values: [UInt64] = []
    public var counts: [UInt64] = []

    public init() {}

    init(_ histogram: Histogram<UInt64>) {
        for entry in histogram.recordedValues() where entry.count > 0 {
            values.append(entry.value)
            counts.append(UInt64(entry.count))
        }
    }

    func histogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(
            highestTrackableValue: SparseHistogram.highestMicros,
            numberOfSignificantValueDigits: .three)
        for (value, count) in zip(values, counts) {
            _ = histogram.record(min(value, SparseHistogram.highestMicros), count: count)
        }
        return histogram
    }

    /// One hour in microseconds: latencies above it are recorded as one hour.
    static let highestMicros: UInt64 = 3_600_000_000

    public var count: UInt64 { counts.reduce(0, +) }
}
