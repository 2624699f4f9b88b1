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
    /// All mutable state in one struct: a message costs one exclusivity check on the class, not one
    /// per field it touches.
    private var state: AnalyzerState

    /// `keySpace`: keys whose references carry a number in it are counted by that number, exactly
    /// (`load`, whose generator numbers every key it sends); nil: every key by Space-Saving.
    public init(configuration: AnalysisConfiguration = AnalysisConfiguration(), keySpace: KeyIndexSpace? = nil) {
        self.configuration = configuration
        state = AnalyzerState(configuration: configuration, keySpace: keySpace)
    }

    /// One of `shardCount` analyzers that split the traffic by key (`ShardedAnalysis`).
    init(configuration: AnalysisConfiguration, shard: Int, of shardCount: Int) {
        self.configuration = configuration
        state = AnalyzerState(configuration: configuration, shard: shard, of: shardCount)
    }

    public func receive(_ message: Message) {
        state.receive(message)
    }

    public func receive(contentsOf messages: [Message]) {
        state.receive(contentsOf: messages)
    }

    /// Everything measured so far, including the mergeable summary state.
    public func snapshot() -> AnalysisSnapshot {
        state.snapshot()
    }

    /// A live view: totals and latency as `snapshot()`, but only the `keyLimit` hottest keys and
    /// no prefixes or windows, in one pass over the counters (once a second on a hot thread).
    public func snapshot(keyLimit: Int) -> AnalysisSnapshot {
        state.snapshot(keyLimit: keyLimit)
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
