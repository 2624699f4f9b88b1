/// An interval's analysis once it has stopped receiving (`RotatingAnalysis.rotate`): its shards
/// have drained and their threads have ended, so nothing else touches it and whoever holds it may
/// take its snapshot on any thread — the capture thread hands it over instead of paying for the
/// snapshot between packets.
public final class EndedAnalysis: @unchecked Sendable {
    private let analysis: ShardedAnalysis

    /// Finishes `analysis` (waits for its shards to drain).
    init(finishing analysis: ShardedAnalysis) {
        analysis.finish()
        self.analysis = analysis
    }

    /// Everything the interval measured, the shards merged.
    public func snapshot() -> AnalysisSnapshot {
        analysis.snapshot()
    }

    /// Its totals and latency, and only its `keyLimit` hottest keys (`HotKeyAnalyzer.snapshot(keyLimit:)`):
    /// cheap enough for the capture thread, for the live metrics' counters.
    public func snapshot(keyLimit: Int) -> AnalysisSnapshot {
        analysis.snapshot(keyLimit: keyLimit)
    }
}
