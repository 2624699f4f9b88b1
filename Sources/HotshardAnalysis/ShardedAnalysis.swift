import HotshardProtocols

/// Analysis split over threads by key: shard i tracks the keys whose hash falls to it (in about
/// `capacity ÷ shards` counters, so memory stays what the configuration says) and counts the
/// messages whose first key does; each shard runs on a thread of its own behind a `PipelinedSink`.
/// The caller's thread only routes. Keys never meet across shards, so the shards' summaries merge
/// without adding each other's minimum (`AnalysisSnapshot.merged(_:disjointKeys:)`).
public final class ShardedAnalysis: MessageSink {
    public let configuration: AnalysisConfiguration
    private let analyzers: [HotKeyAnalyzer]
    private let pipes: [PipelinedSink<HotKeyAnalyzer>]

    /// `shards` is clamped to 1…64.
    public init(configuration: AnalysisConfiguration, shards: Int) {
        self.configuration = configuration
        let count = min(64, max(1, shards))
        // A shard gets its share of the capacity plus four standard deviations of how many of the
        // keys hashing spreads its way, so that counts stay exact while the distinct keys fit.
        var part = configuration
        let share = (configuration.capacity + count - 1) / count
        part.capacity = max(1, share + Int((4 * Double(share).squareRoot()).rounded(.up)))
        analyzers = (0..<count).map { HotKeyAnalyzer(configuration: count == 1 ? configuration : part, shard: $0, of: count) }
        pipes = analyzers.map { PipelinedSink($0) }
    }

    public func receive(_ message: Message) {
        let count = pipes.count
        let owner = AnalyzerState.shard(of: message, count: count)
        guard message.keys.count > 1 else {
            pipes[owner].receive(message)
            return
        }
        // A multi-key request goes to every shard that holds one of its keys (each counts its own).
        var shards: UInt64 = 1 << UInt64(owner)
        for reference in message.keys {
            shards |= 1 << UInt64(AnalyzerState.shard(ofHash: reference.key.hash64, count: count))
        }
        while shards != 0 {
            pipes[shards.trailingZeroBitCount].receive(message)
            shards &= shards &- 1
        }
    }

    /// Delivers what is queued and waits for every shard to drain.
    public func finish() {
        for pipe in pipes { pipe.finish() }
    }

    /// Everything measured, the shards merged. Call after `finish()`.
    public func snapshot() -> AnalysisSnapshot {
        merge(analyzers.map { $0.snapshot() })
    }

    /// `snapshot()` with only the hottest `keyLimit` keys of each shard. Call after `finish()`.
    public func snapshot(keyLimit: Int) -> AnalysisSnapshot {
        merge(analyzers.map { $0.snapshot(keyLimit: keyLimit) })
    }

    /// Everything measured so far, while the run goes on: each shard drains what it was handed and
    /// pauses for its snapshot (`PipelinedSink.withDrained`). Call from the thread that feeds it.
    /// `keyLimit`: only the hottest keys of each shard (`HotKeyAnalyzer.snapshot(keyLimit:)`); the
    /// shards hold disjoint keys, so the merged hottest `keyLimit` are exact.
    public func snapshotInFlight(keyLimit: Int? = nil) -> AnalysisSnapshot {
        merge(pipes.map { pipe in pipe.withDrained { analyzer in keyLimit.map { analyzer.snapshot(keyLimit: $0) } ?? analyzer.snapshot() } })
    }

    private func merge(_ shards: [AnalysisSnapshot]) -> AnalysisSnapshot {
        let parts = shards.map { shard in
            var snapshot = shard
            snapshot.configuration = configuration
            return snapshot
        }
        guard parts.count > 1, let merged = try? AnalysisSnapshot.merged(parts, disjointKeys: true) else {
            return parts[0]
        }
        return merged
    }
}
