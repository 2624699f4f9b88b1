import Histogram
import HotshardProtocols

/// One tracked key: its Space-Saving count and error bound with its statistics.
/// Read in the row form of states written before `TrackedKeyColumns`; written only as columns.
public struct TrackedKey: Decodable, Sendable {
    public var key: Key
    public var count: Int
    /// `count − error ≤ true count ≤ count`.
    public var error: Int
    /// Measured over the key's last `count − statisticsSince` references only: full statistics are
    /// kept for the candidates for the top (`CandidateTier`), from the reference that promoted them.
    var statistics: KeyStatistics {
        _read {
            if let measured { yield measured.value } else { yield Self.unmeasured }
        }
        set { measured = newValue.requests > 0 ? StatisticsBox(newValue) : nil }
    }
    /// The key's count before its `statistics` began: 0 when they cover every counted reference,
    /// `count` when it never had any (it was never a candidate for the top).
    public var statisticsSince: Int
    /// Boxed, and absent for the keys nothing was measured of (most of them beyond the
    /// candidates): a snapshot or merge of 100,000 keys then moves ~56 bytes a key, not ~440.
    private var measured: StatisticsBox?

    private static let unmeasured = KeyStatistics()

    init(key: Key, count: Int, error: Int, statistics: KeyStatistics, statisticsSince: Int = 0) {
        self.key = key
        self.count = count
        self.error = error
        self.statisticsSince = statisticsSince
        self.measured = statistics.requests > 0 ? StatisticsBox(statistics) : nil
    }

    /// A key with its count and nothing measured beyond it.
    init(key: Key, count: Int, error: Int, statisticsSince: Int) {
        self.key = key
        self.count = count
        self.error = error
        self.statisticsSince = statisticsSince
        self.measured = nil
    }

    private enum CodingKeys: String, CodingKey { case key, count, error, statistics, statisticsSince }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(Key.self, forKey: .key)
        count = try container.decode(Int.self, forKey: .count)
        error = try container.decode(Int.self, forKey: .error)
        // Absent in states written before statistics were tiered: they covered every reference.
        statisticsSince = try container.decodeIfPresent(Int.self, forKey: .statisticsSince) ?? 0
        // Absent in rows written between the two tiers and the columns (`TrackedKeyColumns`
        // decides which keys carry statistics now).
        let statistics = try container.decodeIfPresent(KeyStatistics.self, forKey: .statistics)
        measured = statistics.flatMap { $0.requests > 0 ? StatisticsBox($0) : nil }
    }
}

/// A key's statistics on the heap, shared by copies of the `TrackedKey` (never mutated in place:
/// a change replaces the box).
final class StatisticsBox: Sendable {
    let value: KeyStatistics
    init(_ value: KeyStatistics) { self.value = value }
}

public struct PrefixCount: Codable, Sendable, Equatable {
    public var prefix: Key
    public var count: Int
    public var error: Int
}

/// Everything an analysis measured, and the summary state that makes it mergeable.
public struct AnalysisSnapshot: Codable, Sendable {
    public var configuration: AnalysisConfiguration
    public var totals: AnalysisTotals
    /// Every tracked key, highest count first (stored column by column).
    @TrackedKeyColumns public var keys: [TrackedKey]
    /// Keys whose slot was taken over: 0 means all counts are exact.
    public var evictions: Int
    /// The bound on any untracked key's count.
    public var minimumCount: Int
    public var prefixes: [PrefixCount]
    var distinct: HyperLogLog
    public var service: SparseHistogram
    public var byCommand: [String: SparseHistogram]
    public var windowOriginNanos: Int64
    public var windowNanos: Int64
    var windows: [WindowSeries.Window]
    /// Each server's load, busiest first (bounded: `ServerTally.limit`).
    public var servers: [ServerLoad] = []
    /// AMQP bindings seen (`queue.bind`); nil when the traffic had none (and in older results).
    public var queueBindings: QueueBindingSet?

    public var exact: Bool { evictions == 0 }

    /// Distinct keys: exact while every key was tracked, else the HyperLogLog estimate.
    public var distinctKeys: (count: Int, estimated: Bool) {
        exact ? (keys.count, false) : (distinct.estimate, true)
    }

    public var durationSeconds: Double { max(totals.durationSeconds, 1e-9) }

    // MARK: Hot keys

    /// A ranked hot key with everything the result document shows.
    public struct HotKey: Sendable {
        public var key: Key
        public var wireProtocol: String
        public var count: Int
        public var errorBound: Int
        public var guaranteed: Bool
        public var reads, writes, requestBytes, replyBytes, maxReplyBytes, hits, misses, errors: Int
        public var ratePerSecond: Double
        public var peakRatePerSecond: Double
        public var share: Double
        /// p50, p90, p99, max in µs; nil when no reply was paired.
        public var latencyMicros: (p50: Double, p90: Double, p99: Double, max: Double)?
        public var clients: Int
        public var topClientShare: Double?
        public var firstSeenSeconds: Double
        public var lastSeenSeconds: Double
        public var totalLatencyMicros: Double
        /// The server of the key's first request (nil without one), the requests that went to
        /// others and the last of those (see `KeyStatistics.server`).
        public var server: String?
        public var offServerRequests = 0
        public var otherServer: String?
        /// The key's count before its statistics (everything above but `count`, `errorBound`,
        /// `guaranteed`, `ratePerSecond`, `share`) began: they cover its last `count − statisticsSince`
        /// references (`TrackedKey.statisticsSince`).
        public var statisticsSince = 0
    }

    /// The top `limit` keys ranked by the configured measure. A key is `guaranteed` when its
    /// lower bound beats the upper bound of the first key below the cut (and of any untracked key).
    public func hotKeys(limit: Int) -> [HotKey] {
        let origin = totals.firstNanos
        // Keys ranked by count (as snapshots and merges leave them) need entries, with their
        // percentiles, only for the top and the first key below it.
        let candidates =
            configuration.rankBy == .requests && Self.isRanked(keys)
            ? keys[..<min(keys.count, max(0, limit) + 1)] : keys[...]
        var serverNames: [UInt64: String] = [:]
        for server in servers { serverNames[server.id] = server.server }
        var entries: [HotKey] = candidates.map { tracked in
            let stats = tracked.statistics
            let latency: (Double, Double, Double, Double)? =
                stats.latency.total > 0
                ? (
                    Double(stats.latency.value(at: 50) ?? 0) / 1_000, Double(stats.latency.value(at: 90) ?? 0) / 1_000,
                    Double(stats.latency.value(at: 99) ?? 0) / 1_000, Double(stats.latency.maximum) / 1_000
                ) : nil
            let totalLatency = stats.latency.upperBoundSum / 1_000
            return HotKey(
                key: tracked.key, wireProtocol: stats.protocolName, count: tracked.count, errorBound: tracked.error,
                guaranteed: false, reads: stats.reads, writes: stats.writes, requestBytes: stats.requestBytes,
                replyBytes: stats.replyBytes, maxReplyBytes: stats.maxReplyBytes, hits: stats.hits,
                misses: stats.misses, errors: stats.errors,
                ratePerSecond: Double(tracked.count) / durationSeconds,
                peakRatePerSecond: Double(stats.peakPerSecond),
                share: totals.keyReferences > 0 ? Double(tracked.count) / Double(totals.keyReferences) : 0,
                latencyMicros: latency, clients: stats.clients.distinct, topClientShare: stats.clients.topShare,
                firstSeenSeconds: stats.firstSeenNanos == .max ? 0 : Double(stats.firstSeenNanos - origin) / 1e9,
                lastSeenSeconds: stats.lastSeenNanos == .min ? 0 : Double(stats.lastSeenNanos - origin) / 1e9,
                totalLatencyMicros: totalLatency,
                server: serverNames[stats.server], offServerRequests: stats.offServerRequests,
                otherServer: serverNames[stats.otherServer], statisticsSince: tracked.statisticsSince)
        }
        switch configuration.rankBy {
        case .requests:
            entries.sort { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
        case .bytes:
            entries.sort {
                let a = $0.requestBytes + $0.replyBytes, b = $1.requestBytes + $1.replyBytes
                return a != b ? a > b : $0.key < $1.key
            }
        case .latency:
            entries.sort {
                $0.totalLatencyMicros != $1.totalLatencyMicros
                    ? $0.totalLatencyMicros > $1.totalLatencyMicros : $0.key < $1.key
            }
        }
        let top = Array(entries.prefix(limit))
        guard configuration.rankBy == .requests else { return top }
        // The best count any key outside the top can have: the next tracked key's count, or the
        // untracked bound.
        let outsideUpper = max(entries.count > limit ? entries[limit].count : 0, minimumCount)
        return top.map { entry in
            var entry = entry
            entry.guaranteed = entry.count - entry.errorBound > outsideUpper
            return entry
        }
    }

    // MARK: Windows

    public struct WindowSummary: Sendable {
        public var startSeconds: Double
        public var requests: Int
        public var top: [(key: Key, count: Int)]
    }

    public var windowSeconds: Double { Double(windowNanos) / 1e9 }

    public var windowSeries: [WindowSummary] {
        windows.enumerated().map { index, window in
            WindowSummary(
                startSeconds: Double(index) * windowSeconds, requests: window.requests,
                top: window.top.map { ($0.key, $0.count) })
        }
    }

    // MARK: Latency

    public struct LatencySummary: Sendable, Equatable {
        public var p50, p90, p99, p999, max: Double
        public var count: Int
    }

    /// Whole-run service latency in µs (request's last byte to reply's first byte); nil without replies.
    public var serviceLatency: LatencySummary? { Self.summary(service) }

    public var latencyByCommand: [String: LatencySummary] { byCommand.compactMapValues(Self.summary) }

    static func summary(_ sparse: SparseHistogram) -> LatencySummary? {
        guard sparse.count > 0 else { return nil }
        let histogram = sparse.histogram()
        return LatencySummary(
            p50: Double(histogram.valueAtPercentile(50)), p90: Double(histogram.valueAtPercentile(90)),
            p99: Double(histogram.valueAtPercentile(99)),
            p999: Double(histogram.valueAtPercentile(99.9)), max: Double(histogram.max),
            count: Int(histogram.totalCount))
    }
}
