import Histogram
import HotshardAnalysis

/// A load or replay run's cumulative measurements so far, for a live view (`--metrics-listen`):
/// the same histograms and analysis the result is made of, as the workers held them at their last
/// once-a-second post. Only taken when asked for (`LoadRunner.onLiveState`): the analysis snapshot
/// costs each worker one pass over its tracked keys' counts per second, on its event loop.
public struct LoadLiveState: Sendable {
    /// Service latency (µs) of the measured requests so far.
    public var service: Histogram<UInt64>
    /// Corrected latency (µs, from the intended send time) of the measured requests so far.
    public var corrected: Histogram<UInt64>
    /// The measured requests so far: totals by command and status, the hottest tracked keys only
    /// (`LoadRunner.liveKeyLimit`), no prefixes or windows.
    public var analysis: AnalysisSnapshot
    /// Requests sent and not yet answered.
    public var inFlight: Int
    /// Seconds since the run started (warm-up included).
    public var elapsedSeconds: Double

    /// The workers' states as one.
    static func merged(_ states: [LoadLiveState]) -> LoadLiveState? {
        guard var total = states.first else { return nil }
        let rest = states.dropFirst()
        guard !rest.isEmpty else { return total }
        for state in rest {
            total.service.add(state.service)
            total.corrected.add(state.corrected)
            total.inFlight += state.inFlight
            total.elapsedSeconds = max(total.elapsedSeconds, state.elapsedSeconds)
        }
        if let analysis = try? AnalysisSnapshot.merged(states.map(\.analysis)) { total.analysis = analysis }
        return total
    }
}
