import Histogram
import HotshardProtocols

/// Per-key statistics over a message stream, in memory bounded by `AnalysisConfiguration`:
/// Space-Saving top-k with full statistics for tracked keys, prefix groups, time windows,
/// latency per command (HdrHistogram) and a HyperLogLog of distinct keys.
public final class HotKeyAnalyzer: MessageSink {
    public let configuration: AnalysisConfiguration
    private var summary: StreamSummary
    private var statistics: [KeyStatistics] = []
    private var prefixes: StreamSummary
    private var windows: WindowSeries
    private var distinct = HyperLogLog()
    private var totals = AnalysisTotals()
    private var service = Histogram<UInt64>(highestTrackableValue: SparseHistogram.highestMicros,
                                            numberOfSignificantValueDigits: .three)
    private var byCommandLatency: [String: Histogram<UInt64>] = [:]

    public init(configuration: AnalysisConfiguration = AnalysisConfiguration()) {
        self.configuration = configuration
        summary = StreamSummary(capacity: configuration.capacity)
        prefixes = StreamSummary(capacity: configuration.prefixCapacity)
        windows = WindowSeries(configuration: configuration)
    }

    public func receive(_ message: Message) {
        totals.requests += 1
        totals.byProtocol[message.wireProtocol.rawValue, default: 0] += 1
        totals.byCommand[message.command, default: 0] += 1
        totals.byStatus[message.status.name, default: 0] += 1
        if case .noReply = message.status {} else { totals.replies += 1 }
        let isError: Bool
        if case .error = message.status { isError = true } else { isError = false }
        if isError { totals.errors += 1 }
        totals.firstNanos = min(totals.firstNanos, message.timestampNanos)
        totals.lastNanos = max(totals.lastNanos, message.timestampNanos)
        if let latency = message.latencyNanos {
            let micros = UInt64(max(0, latency / 1_000))
            _ = service.record(min(micros, SparseHistogram.highestMicros))
            if byCommandLatency[message.command] == nil {
                byCommandLatency[message.command] = Histogram<UInt64>(
                    highestTrackableValue: SparseHistogram.highestMicros, numberOfSignificantValueDigits: .two)
            }
            _ = byCommandLatency[message.command]?.record(min(micros, SparseHistogram.highestMicros))
        }
        windows.record(timestampNanos: message.timestampNanos, keys: message.keys)
        guard !message.keys.isEmpty else { return }
        let share = message.keys.count
        let requestBytes = message.requestBytes / share
        let client = message.flow.client.addressHigh ^ (message.flow.client.addressLow &* 0x9e37_79b9_7f4a_7c15)
        let second = message.timestampNanos / 1_000_000_000
        for reference in message.keys {
            totals.keyReferences += 1
            distinct.add(hash: reference.key.hash64)
            let (slot, replaced) = summary.increment(reference.key)
            if slot >= statistics.count {
                statistics.append(KeyStatistics())
            } else if replaced {
                statistics[slot] = KeyStatistics()
            }
            var stats = statistics[slot]
            statistics[slot] = KeyStatistics()  // move out so the update does not copy
            if stats.protocolName.isEmpty { stats.protocolName = message.wireProtocol.rawValue }
            stats.requests += 1
            switch message.operation {
            case .read: stats.reads += 1
            case .write: stats.writes += 1
            case .other: break
            }
            stats.requestBytes += requestBytes
            let replyBytes = reference.valueBytes > 0 ? reference.valueBytes : message.replyBytes / share
            stats.replyBytes += replyBytes
            stats.maxReplyBytes = max(stats.maxReplyBytes, replyBytes)
            if let hit = reference.hit {
                if hit { stats.hits += 1 } else { stats.misses += 1 }
            } else if case .miss = message.status {
                stats.misses += 1
            } else if case .ok = message.status, message.operation == .read {
                stats.hits += 1
            }
            if isError { stats.errors += 1 }
            if let latency = message.latencyNanos { stats.latency.record(latency) }
            stats.firstSeenNanos = min(stats.firstSeenNanos, message.timestampNanos)
            stats.lastSeenNanos = max(stats.lastSeenNanos, message.timestampNanos)
            if second == stats.currentSecond {
                stats.currentSecondCount += 1
            } else {
                stats.currentSecond = second
                stats.currentSecondCount = 1
            }
            stats.peakPerSecond = max(stats.peakPerSecond, stats.currentSecondCount)
            stats.clients.record(client)
            statistics[slot] = stats
            if let prefix = prefix(of: reference.key) { _ = prefixes.increment(prefix) }
        }
    }

    /// `user:*` for `user:42` at depth 1; nil when the key has fewer delimiters than the depth.
    private func prefix(of key: Key) -> Key? {
        var seen = 0
        for (index, byte) in key.bytes.enumerated() where byte == configuration.prefixDelimiter {
            seen += 1
            if seen == configuration.prefixDepth {
                return Key(Array(key.bytes[...index]) + [UInt8(ascii: "*")])
            }
        }
        return nil
    }

    /// Everything measured so far, including the mergeable summary state.
    public func snapshot() -> AnalysisSnapshot {
        let series = windows.finished()
        var tracked: [TrackedKey] = []
        tracked.reserveCapacity(summary.count)
        for slot in summary.slotsByCount() {
            let counter = summary.counters[slot]
            tracked.append(TrackedKey(key: counter.key, count: counter.count, error: counter.error,
                                      statistics: statistics[slot]))
        }
        let prefixCounts = prefixes.slotsByCount().map {
            PrefixCount(prefix: prefixes.counters[$0].key, count: prefixes.counters[$0].count,
                        error: prefixes.counters[$0].error)
        }
        return AnalysisSnapshot(
            configuration: configuration, totals: totals, keys: tracked, evictions: summary.evictions,
            minimumCount: summary.minimumCount, prefixes: prefixCounts, distinct: distinct,
            service: SparseHistogram(service), byCommand: byCommandLatency.mapValues(SparseHistogram.init),
            windowOriginNanos: series.originNanos, windowNanos: series.windowNanos,
            windows: series.windows)
    }
}

/// Request totals of a run.
public struct AnalysisTotals: Codable, Sendable, Equatable {
    public var requests = 0
    public var replies = 0
    public var keyReferences = 0
    public var errors = 0
    public var firstNanos: Int64 = .max
    public var lastNanos: Int64 = .min
    public var byProtocol: [String: Int] = [:]
    public var byCommand: [String: Int] = [:]
    public var byStatus: [String: Int] = [:]

    public init() {}

    public var durationSeconds: Double {
        guard lastNanos >= firstNanos else { return 0 }
        return Double(lastNanos - firstNanos) / 1e9
    }

    mutating func add(_ other: AnalysisTotals) {
        requests += other.requests
        replies += other.replies
        keyReferences += other.keyReferences
        errors += other.errors
        firstNanos = min(firstNanos, other.firstNanos)
        lastNanos = max(lastNanos, other.lastNanos)
        byProtocol.merge(other.byProtocol, uniquingKeysWith: +)
        byCommand.merge(other.byCommand, uniquingKeysWith: +)
        byStatus.merge(other.byStatus, uniquingKeysWith: +)
    }
}
