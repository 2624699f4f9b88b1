import Histogram
import HotshardAnalysis
import HotshardCapture
import HotshardProtocols

/// What `--metrics-listen` shows at one moment, for any of the commands that measure live (`load`,
/// `replay`, `top`, `analyze -i`): cumulative counters since the run began, latency histograms and
/// the current hottest keys. Each command fills it from what it already measures — a load worker's
/// once-a-second state, a capture's analysis — and the final one from the same values as its
/// result, so that the last scrape equals the result.
public struct MetricsSnapshot: Sendable {
    /// The command that serves it (`load`, `replay`, `top`, `analyze`), a label of `hotshard_info`.
    public var command: String
    /// Requests by command (GET, SET, …), as the result's `totals.byCommand`.
    public var requestsByCommand: [String: Int] = [:]
    /// Requests answered by an error, as the result's `totals.errors`.
    public var errors = 0
    /// Replies by status (ok, miss, error).
    public var repliesByStatus: [String: Int] = [:]
    /// Service latency: from sending (or the request on the wire) to the reply.
    public var service: LatencyBuckets?
    /// Load and replay: latency from the intended send time (coordinated omission corrected).
    public var corrected: LatencyBuckets?
    /// The hottest keys now, hottest first, at most `--metrics-top`: their counts since the start.
    public var hotKeys: [(key: Key, count: Int)] = []
    /// Live captures: the capture's counters (packets, bytes, kernel drops).
    public var capture: CaptureHealth?
    /// Load and replay: requests sent and not yet answered.
    public var inFlight: Int?
    /// Seconds since the run began.
    public var elapsedSeconds: Double = 0
    /// Capture agents: intervals dropped unwritten so far (`analyze --rotate`).
    public var droppedIntervals: Int?
    /// True once the run has ended and these are its final values.
    public var finished = false

    /// An empty snapshot of `command` (`load`, `replay`, `top`, `analyze`).
    public init(command: String) {
        self.command = command
    }

    /// Adds an analysis' counters and service latency (a rotating capture adds each interval's to
    /// those of the intervals before) and makes its `top` hottest keys the current ones.
    public mutating func add(analysis: AnalysisSnapshot, top: Int) {
        requestsByCommand.merge(analysis.totals.byCommand, uniquingKeysWith: +)
        errors += analysis.totals.errors
        repliesByStatus.merge(analysis.totals.byStatus, uniquingKeysWith: +)
        let latency = LatencyBuckets(analysis.service)
        if service == nil { service = latency } else { service?.add(latency) }
        // The keys are highest count first already (`AnalysisSnapshot.keys`).
        hotKeys = analysis.keys.prefix(max(0, top)).map { ($0.key, $0.count) }
    }
}
