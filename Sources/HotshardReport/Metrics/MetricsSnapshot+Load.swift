import HotshardAnalysis
import HotshardLoad

extension MetricsSnapshot {
    /// A load or replay run's live state: counters, hot keys, service and corrected latency.
    public init(command: String, live: LoadLiveState, top: Int) {
        self.init(command: command)
        add(analysis: live.analysis, top: top)
        service = LatencyBuckets(live.service)
        corrected = LatencyBuckets(live.corrected)
        inFlight = live.inFlight
        elapsedSeconds = live.elapsedSeconds
    }

    /// A finished load or replay run: the values its result is made of.
    public init(command: String, run: LoadRun, elapsedSeconds: Double, top: Int) {
        self.init(command: command)
        add(analysis: run.analysis, top: top)
        if let histogram = run.service { service = LatencyBuckets(histogram) }
        if let histogram = run.corrected { corrected = LatencyBuckets(histogram) }
        inFlight = 0
        self.elapsedSeconds = elapsedSeconds
    }
}
