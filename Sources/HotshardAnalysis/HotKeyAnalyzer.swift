import Histogram
import HotshardProtocols
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-key statistics over a message stream, in memory bounded by `AnalysisConfiguration`:
/// Space-Saving top-k with full statistics for tracked keys, prefix groups, time windows,
/// latency per command (HdrHistogram) and a HyperLogLog of distinct keys.
public final class HotKeyAnalyzer: MessageSink {
    public let configuration: AnalysisConfiguration
    private var summary: StreamSummary
    /// Statistics per Space-Saving slot, side by side (no box to chase per update).
    private var statistics: [KeyStatistics] = []
    private var prefixes: StreamSummary
    private var windows: WindowSeries
    private var distinct = HyperLogLog()
    private var totals = AnalysisTotals()
    private var service = Histogram<UInt64>(highestTrackableValue: SparseHistogram.highestMicros,
                                            numberOfSignificantValueDigits: .three)
    /// Per command: its count and latency (one dictionary lookup per message).
    private final class CommandTally {
        var count = 0
        var latency = Histogram<UInt64>(highestTrackableValue: SparseHistogram.highestMicros,
                                        numberOfSignificantValueDigits: .two)
    }
    private var commands: [String: CommandTally] = [:]
    /// The first few commands' tallies, searched before the dictionary: a workload uses a handful
    /// of commands, and comparing short strings is cheaper than hashing them.
    private var firstTallies: [(name: String, tally: CommandTally)] = []
    private var protocolCounts = [Int](repeating: 0, count: WireProtocol.allCases.count)
    private var statusCounts = [Int](repeating: 0, count: 4)

    public init(configuration: AnalysisConfiguration = AnalysisConfiguration()) {
        self.configuration = configuration
        summary = StreamSummary(capacity: configuration.capacity)
        prefixes = StreamSummary(capacity: configuration.prefixCapacity)
        windows = WindowSeries(configuration: configuration)
    }

    public func receive(_ message: Message) {
        totals.requests += 1
        protocolCounts[Self.protocolIndex(message.wireProtocol)] += 1
        let tally = tally(for: message.command)
        tally.count += 1
        let isError: Bool
        switch message.status {
        case .ok: statusCounts[0] += 1; isError = false
        case .miss: statusCounts[1] += 1; isError = false
        case .error: statusCounts[2] += 1; isError = true
        case .noReply: statusCounts[3] += 1; isError = false
        }
        if isError { totals.errors += 1 }
        totals.firstNanos = min(totals.firstNanos, message.timestampNanos)
        totals.lastNanos = max(totals.lastNanos, message.timestampNanos)
        if let latency = message.latencyNanos {
            let micros = UInt64(max(0, latency / 1_000))
            _ = service.record(min(micros, SparseHistogram.highestMicros))
            _ = tally.latency.record(min(micros, SparseHistogram.highestMicros))
        }
        windows.record(timestampNanos: message.timestampNanos, latencyNanos: message.latencyNanos) { summary.counters[$0].key }
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
                // Space-Saving replaces keys all the time on a wide key space: reuse the storage.
                statistics[slot].reset()
                windows.forget(slot: slot)
            }
            windows.count(slot: slot)
            update(&statistics[slot], reference: reference, message: message, requestBytes: requestBytes, share: share,
                   isError: isError, client: client, second: second)
            if let prefix = prefix(of: reference.key) { _ = prefixes.increment(prefix) }
        }
    }

    private func tally(for command: String) -> CommandTally {
        for entry in firstTallies where entry.name == command { return entry.tally }
        if let existing = commands[command] { return existing }
        let tally = CommandTally()
        commands[command] = tally
        if firstTallies.count < 8 { firstTallies.append((command, tally)) }
        return tally
    }

    @inline(__always)
    private func update(_ stats: inout KeyStatistics, reference: KeyReference, message: Message, requestBytes: Int,
                        share: Int, isError: Bool, client: UInt64, second: Int64) {
        do {
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
        }
    }

    /// `user:*` for `user:42` at depth 1; nil when the key has fewer delimiters than the depth.
    /// Built on the stack: a prefix of an inline key is inline too, so this allocates nothing.
    private func prefix(of key: Key) -> Key? {
        let delimiter = configuration.prefixDelimiter
        let depth = configuration.prefixDepth
        return key.withUnsafeBytes { bytes -> Key? in
            var seen = 0
            for index in bytes.indices where bytes[index] == delimiter {
                seen += 1
                guard seen == depth else { continue }
                return withUnsafeTemporaryAllocation(byteCount: index + 2, alignment: 1) { buffer -> Key in
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[...index]))
                    buffer[index + 1] = UInt8(ascii: "*")
                    return Key(UnsafeRawBufferPointer(buffer))
                }
            }
            return nil
        }
    }

    private static func protocolIndex(_ wireProtocol: WireProtocol) -> Int {
        switch wireProtocol {
        case .resp: 0
        case .memcached: 1
        case .http: 2
        }
    }

    /// Everything measured so far, including the mergeable summary state.
    public func snapshot() -> AnalysisSnapshot {
        let series = windows.finished { summary.counters[$0].key }
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
        var totals = self.totals
        for (index, proto) in WireProtocol.allCases.enumerated() where protocolCounts[Self.protocolIndex(proto)] > 0 {
            _ = index
            totals.byProtocol[proto.rawValue] = protocolCounts[Self.protocolIndex(proto)]
        }
        totals.byCommand = commands.mapValues(\.count)
        for (index, name) in ["ok", "miss", "error", "noReply"].enumerated() where statusCounts[index] > 0 {
            totals.byStatus[name] = statusCounts[index]
        }
        totals.replies = totals.requests - statusCounts[3]
        return AnalysisSnapshot(
            configuration: configuration, totals: totals, keys: tracked, evictions: summary.evictions,
            minimumCount: summary.minimumCount, prefixes: prefixCounts, distinct: distinct,
            service: SparseHistogram(service),
            byCommand: commands.filter { $0.value.latency.totalCount > 0 }.mapValues { SparseHistogram($0.latency) },
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
